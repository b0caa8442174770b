"""Writing Markdown and HTML files from the bot's own data, with every user text escaped."""

from __future__ import annotations

import html
import re

MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md(text: str) -> str:
    """User text made inert in Markdown: no headings, links, emphasis, HTML or tables."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_html(title: str, sections: list[tuple[str, list[str]]], lang: str) -> str:
    """A plain, readable HTML page of headings and lists (text is escaped here)."""
    parts = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;"
             "line-height:1.5;color:#1a1a1a}h1{color:#009edb}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    for heading, lines in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if lines:
            parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines)
                         + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def to_markdown(title: str, sections: list[tuple[str, list[str]]]) -> str:
    out = [f"# {md(title)}", ""]
    for heading, lines in sections:
        out += [f"## {md(heading)}", ""] + [f"- {md(line)}" for line in lines] + [""]
    return "\n".join(out)
