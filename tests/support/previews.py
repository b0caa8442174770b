"""Previewed broadcasts in tests: say the command, then press « Envoyer » under its preview."""

from __future__ import annotations

from bot.app import BotApp
from handlers.types import Reply
from tests.support.chat import click, say

SEND = "preview.send"


def send_preview(app: BotApp, who: str, reply: Reply) -> Reply:
    """Press « Envoyer » under the preview ``reply`` shows (the reply itself when it is no
    preview: a refusal or a choice of items is returned as it is)."""
    button = next((b for b in reply.message.buttons if b.action == SEND), None)
    if button is None:
        return reply
    return click(app, who, SEND, button.value)


def say_and_send(app: BotApp, who: str, text: str) -> Reply:
    """``who`` types a previewed command and sends it."""
    return send_preview(app, who, say(app, who, text))
