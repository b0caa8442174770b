"""One-tap answers over HTTP: ``GET /reponse/<token>`` shows the choice the email's link names
(and asks the reason where one is needed); ``POST`` records it through the same handlers as a
click in a chat (``handlers/email_links/answers.py``), as one durable transaction.

GET never records anything (mail scanners and link previews open links by themselves), so the
POST needs no other protection against cross-site forgery than the signed token in its own
address: a page elsewhere cannot know it. A refused link answers with why and its status: 403
for a forged link, a person no longer a focal point or another agency's link, 410 once the
consultation is closed or its deadline passed.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.app import BotApp
from bot.web.link_pages import LinkForm, ReasonField, link_page, unavailable
from handlers.consultations.positions import MAX_REASON
from handlers.consultations.reasons import ASKED
from handlers.consultations.wording import choice_label, deadline_line
from handlers.context import Context
from handlers.email_links.answers import (
    Answering,
    Refused,
    check,
    current_position,
    inbound_for,
    reason_missing,
    refused,
    settle,
    valid_override,
)
from handlers.types import Reply
from handlers.web_paths import ANSWER_PATH
from storage.faults import StorageUnavailable

TOKEN = r"{token:[A-Za-z0-9_-]{1,700}\.[A-Za-z0-9_-]{1,100}}"


def refusal(ctx: Context, refused: Refused) -> web.Response:
    """The page of a link that may not be used, saying why (any kind of link)."""
    lang = refused.lang
    return link_page(ctx, lang, ctx.t(lang, refused.title_key), [ctx.t(lang, refused.key)],
                     status=refused.status)


def already(ctx: Context, answering: Answering) -> web.Response:
    """A used link: what it recorded, and that it records nothing more."""
    lang, used = answering.lang, answering.used
    assert used is not None
    return link_page(ctx, lang, ctx.t(lang, "link.answer.already_title"), [ctx.t(
        lang, "link.answer.already", number=used.consultation_id,
        choice=choice_label(ctx, lang, used.choice),
        when=ctx.when(lang, datetime.fromisoformat(used.at)))])


def confirmation(ctx: Context, request: web.Request, answering: Answering, status: int = 200,
                 problem: str = "", reason: str = "") -> web.Response:
    """The proposal, the agency's current position, the choice, and the reason field."""
    lang, consultation, choice = answering.lang, answering.consultation, answering.choice
    paragraphs = [consultation.proposal, deadline_line(ctx, lang, consultation)]
    current = current_position(ctx, answering)
    if current is not None:
        by = ctx.store.members.get(current.member_id)
        paragraphs.append(ctx.t(lang, "link.answer.current",
                                agency=ctx.agency_label(current.agency, lang),
                                choice=choice_label(ctx, lang, current.choice),
                                name=by.name if by else "—",
                                when=ctx.when(lang, datetime.fromisoformat(current.at))))
    field = ReasonField(ctx.t(lang, f"reason.label.{choice}"),
                        ctx.t(lang, f"reason.placeholder.{choice}"),
                        required=choice == "objection", limit=MAX_REASON,
                        value=reason) if choice in ASKED else None
    label = ctx.t(lang, "link.answer.submit", choice=choice_label(ctx, lang, choice))
    form = LinkForm(request.path, [("send", "1", label)], reason=field)
    return link_page(ctx, lang, ctx.t(lang, "link.answer.title", number=consultation.id),
                     paragraphs, status, ctx.t(lang, problem) if problem else "", form)


def outcome(ctx: Context, request: web.Request, answering: Answering, reply: Reply,
            recorded: bool) -> web.Response:
    """What the handler answered, as the chat would have shown it; a question (a colleague's
    position would be replaced) as a form whose buttons post the decision back."""
    lang, message = answering.lang, reply.message
    if recorded:
        return link_page(ctx, lang, ctx.t(lang, "link.answer.recorded_title"),
                         message.paragraphs)
    question = [b for b in message.buttons if b.action.startswith("override.")]
    form = None
    if question:
        form = LinkForm(request.path, [("decision", b.action.partition(".")[2], b.label)
                                       for b in question],
                        hidden=[("question", question[0].value)])
    return link_page(ctx, lang, ctx.t(lang, "link.answer.title",
                                      number=answering.consultation.id),
                     message.paragraphs, form=form)


def answer_routes(web_app: web.Application, app: BotApp) -> None:
    """Add the one-tap answer page to the bot's web server."""
    ctx = app.ctx

    async def show(request: web.Request) -> web.StreamResponse:
        try:
            answering = check(ctx, request.match_info["token"])
        except Refused as error:
            return refusal(ctx, error)
        if answering.used is not None:
            return already(ctx, answering)
        return confirmation(ctx, request, answering)

    async def answer(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        posted = await request.post()
        reason = str(posted.get("raison", ""))[:MAX_REASON * 2]
        decision, question = str(posted.get("decision", "")), str(posted.get("question", ""))

        def work() -> tuple[Answering, Reply | None, bool]:
            # Checked again inside the transaction: two posts of one link cannot both record.
            answering = check(ctx, token)
            if answering.used is not None:
                return answering, None, False
            override = None
            if decision:
                if not valid_override(answering, decision, question):
                    raise refused("forged", answering.lang)
                override = (decision, question)
            elif reason_missing(answering.choice, reason):
                return answering, None, False
            before = current_position(ctx, answering)
            reply = app.handle(inbound_for(ctx, answering, reason, override))
            return answering, reply, settle(ctx, answering, before) is not None

        try:
            answering, reply, recorded = await app.durably(work)
        except Refused as error:
            return refusal(ctx, error)
        except StorageUnavailable:
            return unavailable(ctx, ctx.network.language)
        if answering.used is not None:
            return already(ctx, answering)
        if reply is None:
            return confirmation(ctx, request, answering, status=400,
                                problem="link.answer.reason_required", reason=reason)
        return outcome(ctx, request, answering, reply, recorded)

    web_app.router.add_get(f"{ANSWER_PATH}/{TOKEN}", show)
    web_app.router.add_post(f"{ANSWER_PATH}/{TOKEN}", answer)
