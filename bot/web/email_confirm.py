"""The confirmation of an address a member added (``courriel``) over HTTP:
``GET /courriel/<token>`` shows which address joins which member, with a button; ``POST`` adds
it (``handlers/email_links/courriel.py``), once, durably. GET changes nothing, because mail
scanners open the links of the emails they check; a refused link says why, with its status."""

from __future__ import annotations

from aiohttp import web

from bot.app import BotApp
from bot.web.answer_links import TOKEN, refusal
from bot.web.link_pages import LinkForm, link_page, unavailable
from handlers.email_links.courriel import Claimed, Refused, check, confirm
from handlers.web_paths import EMAIL_CONFIRM_PATH
from storage.faults import StorageUnavailable


def email_confirm_routes(web_app: web.Application, app: BotApp) -> None:
    """Add the address confirmation page to the bot's web server."""
    ctx = app.ctx

    async def show(request: web.Request) -> web.StreamResponse:
        try:
            claimed = check(ctx, request.match_info["token"])
        except Refused as error:
            return refusal(ctx, error)
        lang = claimed.lang
        return link_page(ctx, lang, ctx.t(lang, "courriel.page_title"), [ctx.t(
            lang, "courriel.page", address=claimed.claim.address, name=claimed.member.name)],
            form=LinkForm(request.path, [("send", "1", ctx.t(lang, "courriel.confirm"))]))

    async def add(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        await request.post()
        try:
            claimed: Claimed = await app.durably(lambda: confirm(ctx, token))
        except Refused as error:
            return refusal(ctx, error)
        except StorageUnavailable:
            return unavailable(ctx, ctx.network.language)
        lang = claimed.lang
        return link_page(ctx, lang, ctx.t(lang, "courriel.done_title"), [ctx.t(
            lang, "courriel.done", address=claimed.claim.address, name=claimed.member.name)])

    web_app.router.add_get(f"{EMAIL_CONFIRM_PATH}/{TOKEN}", show)
    web_app.router.add_post(f"{EMAIL_CONFIRM_PATH}/{TOKEN}", add)
