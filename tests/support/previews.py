"""Previewed broadcasts in tests: say the command, then press « Envoyer » under its preview —
in-process with the neutral types, or through the real Slack and Telegram apps."""

from __future__ import annotations

from typing import Any

from bot.app import BotApp
from handlers.types import Inbound, Reply
from storage.drafts import WAITING, Draft
from tests.support.chat import click, say

SEND = "preview.send"


def send_preview(app: BotApp, who: str, reply: Reply) -> Reply:
    """Press « Envoyer » under the preview ``reply`` shows (the reply itself when it is no
    preview: a refusal or a choice of items is returned as it is)."""
    button = next((b for b in reply.message.buttons if b.action == SEND), None)
    if button is None:
        return reply
    return click(app, who, SEND, button.value)


def handle_and_send(app: BotApp, inbound: Inbound) -> Reply:
    """``inbound`` (a previewed command, typed) handled, then « Envoyer » pressed by the same
    person on the same platform."""
    return send_preview(app, f"{inbound.platform}:{inbound.user_id}", app.handle(inbound))


def say_and_send(app: BotApp, who: str, text: str, **extra: object) -> Reply:
    """``who`` types a previewed command and sends it."""
    return send_preview(app, who, say(app, who, text, **extra))


def newest_waiting(app: BotApp, after: int = 0) -> Draft | None:
    """The newest draft still waiting, numbered above ``after``."""
    waiting = [d for d in app.store.drafts.all() if d.status == WAITING and d.id > after]
    return waiting[-1] if waiting else None


def last_draft_id(app: BotApp) -> int:
    drafts = app.store.drafts.all()
    return drafts[-1].id if drafts else 0


async def slack_command_and_send(slack: Any, app: BotApp, user: str, text: str,
                                 **extra: Any) -> tuple[int, str]:
    """``user`` types a previewed slash command in Slack, then presses « Envoyer » under the
    preview it made (nothing pressed when the command made none); the command's answer."""
    before = last_draft_id(app)
    answer = await slack.command(user, text, **extra)
    draft = newest_waiting(app, before)
    if draft is not None:
        await slack.click(user, SEND, str(draft.id), ref=f"{extra.get('ref', 'cmd')}.sent")
    return answer


async def slack_press_send(slack: Any, app: BotApp, user: str,
                           ref: str = "sent") -> tuple[int, str]:
    """``user`` presses « Envoyer » in Slack under their newest preview still waiting (one
    made by a form's submission, say)."""
    draft = newest_waiting(app)
    assert draft is not None, "no preview waiting"
    return await slack.click(user, SEND, str(draft.id), ref=ref)


async def telegram_says_and_sends(runtime: Any, app: BotApp, update_id: int, user: int,
                                  text: str) -> None:
    """``user`` types a previewed command to the bot on Telegram (a webhook update), then
    presses « Envoyer » under the preview it made (a callback query)."""
    from tests.support.fake_telegram import callback_update, text_update
    from tests.support.telegram_runtime import post

    before = last_draft_id(app)
    await post(runtime, text_update(update_id, user, text))
    draft = newest_waiting(app, before)
    if draft is not None:
        await post(runtime, callback_update(10_000 + update_id, user,
                                            f"{SEND}|{draft.id}", "Aperçu"))
