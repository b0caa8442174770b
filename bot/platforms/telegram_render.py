"""Neutral messages as Telegram sees them: HTML text (user text escaped), inline keyboards,
chunks under 4,096 characters split at line boundaries, and callback data within 64 bytes."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.types import Button, Message

LIMIT = 4096
SAFE = 4000  # room for the HTML tags a chunk may carry
CALLBACK_BYTES = 64
ROW = 2


def callback_data(button: Button) -> str:
    """``action|value``, which must fit in Telegram's 64 bytes (UTF-8)."""
    data = f"{button.action}|{button.value}"
    if len(data.encode("utf-8")) > CALLBACK_BYTES:
        raise ValueError(f"callback data over {CALLBACK_BYTES} bytes: {button.action}")
    return data


def parse_callback(data: str) -> tuple[str, str]:
    action, _, value = data.partition("|")
    return action, value


def escape(text: str) -> str:
    """User text inert in Telegram's HTML: ``&``, ``<``, ``>`` (quotes may stay as typed)."""
    return html.escape(text, quote=False)


def lines_of(message: Message) -> list[str]:
    """Every line as HTML: the title in bold, the rest escaped."""
    lines = [f"<b>{escape(message.title)}</b>"] if message.title else []
    for paragraph in message.paragraphs:
        lines.extend(escape(line) for line in (paragraph.splitlines() or [""]))
    lines.extend(f"<b>{escape(f.label)}</b> : {escape(f.value)}" for f in message.fields)
    return lines


def chunks(lines: list[str], limit: int = SAFE) -> list[str]:
    """Join lines into messages under ``limit``, cutting only between lines (a single line too
    long for one message is cut at a space)."""
    out: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if "&" in line[max(0, cut - 8):cut]:  # never split an HTML entity
                cut = line.rfind("&", 0, cut)
            head, line = line[:cut], line[cut:].lstrip()
            if current:
                out.append(current)
                current = ""
            out.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current or not out:
        out.append(current or "…")
    return out


def keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [[InlineKeyboardButton(b.label[:64], callback_data=callback_data(b))
             for b in buttons[i:i + ROW]] for i in range(0, len(buttons), ROW)]
    return InlineKeyboardMarkup(rows)


def render(message: Message) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The HTML chunks of ``message`` and the keyboard for its last chunk."""
    return chunks(lines_of(message)), keyboard(message.buttons)
