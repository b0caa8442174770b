"""bolt's listeners for the forms (``handlers/forms/``): the global shortcuts that open them
and the submission of one, handed to the app like a click, durably, before the ack.

A submission the form's checks refuse is answered ``response_action: errors`` with the reason
by each field, so the person corrects it in the modal still open; an accepted one closes the
modal and the answer goes privately where the form was opened (or to the DM).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.platforms.slack.forms import CALLBACK_ID, form_errors, form_submitted
from bot.platforms.slack.inbound import SlackInbound, is_direct
from handlers.types import ReplyTo

log = logging.getLogger(__name__)

# The manifest's global shortcuts: ``reseau.form.<form>`` opens that form.
SHORTCUT = re.compile(r"^reseau\.form\.(meeting|consultation|share)$")


def listen_forms(bolt: AsyncApp, inbound: SlackInbound) -> None:
    """Register the shortcuts' and the forms' listeners on ``bolt``."""

    @bolt.shortcut(SHORTCUT)
    async def on_shortcut(ack: Any, body: dict[str, Any], shortcut: dict[str, Any]) -> None:
        await _shortcut(inbound, body)
        await ack()

    @bolt.view(CALLBACK_ID)
    async def on_submit(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = await _submitted(inbound, body, view)
        if form:
            await ack(response_action="errors", errors=form)
        else:
            await ack()


async def _shortcut(inbound: SlackInbound, body: dict[str, Any]) -> None:
    """A global shortcut: the form opened with its trigger (valid 3 s), or, when Slack does not
    open it, the one-line way to do the same in the person's DM."""
    match = SHORTCUT.match(str(body.get("callback_id", "")))
    user = (body.get("user") or {}).get("id", "")
    trigger = body.get("trigger_id") if isinstance(body.get("trigger_id"), str) else ""
    if match is None or not user:
        return
    await inbound.app.handle_durably(await inbound._inbound(
        user, "", (body.get("user") or {}).get("username", ""), private=True,
        action=f"form.{match.group(1)}", value="",
        reply_to=ReplyTo("slack", user, "", "private",
                         context={"trigger": trigger} if trigger else {}),
        event=f"slack:trigger:{trigger}" if trigger else "", forms=bool(trigger)))


async def _submitted(inbound: SlackInbound, body: dict[str, Any],
                     view: dict[str, Any]) -> dict[str, str]:
    """The answers handed to the form's action; the errors by field when they were refused
    (empty: accepted, or not a form of ours)."""
    read = form_submitted(view)
    user = (body.get("user") or {}).get("id", "")
    if read is None or not user:
        log.warning("slack: a form submission that is not ours was ignored")
        return {}
    action, value, channel, answers = read
    reply = await inbound.app.handle_durably(await inbound._inbound(
        user, channel, (body.get("user") or {}).get("name", ""),
        private=is_direct(channel) if channel else True, action=action, value=value,
        answers=answers, reply_to=ReplyTo("slack", user, channel, "form"),
        event=f"slack:view:{view.get('id', '')}:{view.get('hash', '')}", forms=True))
    form = reply.message.form
    return form_errors(form) if form is not None and form.errors else {}
