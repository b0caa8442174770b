"""The small pages the links sent by email open (one-tap answers, an address's confirmation):
a title, a few paragraphs, at most one form; no script, every value escaped by Jinja2, never
cached, and no ``Referer`` leaving with the token that is in their address."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from bot.web.pages import render
from bot.web.routes import SECURITY_HEADERS
from handlers.context import Context
from handlers.web_paths import STYLESHEET_PATH


@dataclass(frozen=True)
class ReasonField:
    label: str
    placeholder: str
    required: bool
    limit: int
    value: str = ""


@dataclass(frozen=True)
class LinkForm:
    """A form posted back to the page's own address (the signed token is in it): its submit
    buttons (name, value, label), hidden fields and the reason asked, if any."""

    action: str
    buttons: list[tuple[str, str, str]]
    hidden: list[tuple[str, str]] = field(default_factory=list)
    reason: ReasonField | None = None


def link_page(ctx: Context, lang: str, title: str, paragraphs: list[str], status: int = 200,
              problem: str = "", form: LinkForm | None = None) -> web.Response:
    text = render("link_page.html", lang=lang, title=title, paragraphs=paragraphs,
                  problem=problem, form=form, css=STYLESHEET_PATH,
                  network_name=ctx.network.name(lang))
    response = web.Response(text=text, status=status, content_type="text/html",
                            charset="utf-8")
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


def unavailable(ctx: Context, lang: str) -> web.Response:
    """The data dir refused the write: nothing was recorded, the person may try again."""
    return link_page(ctx, lang, ctx.t(lang, "link.answer.unavailable_title"),
                     [ctx.t(lang, "link.answer.unavailable")], status=503)
