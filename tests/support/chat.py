"""Talking to the bot in-process with the neutral types, and a clock the test moves by hand."""

from __future__ import annotations

from datetime import datetime

from bot.app import BotApp
from handlers.types import Inbound, Message, Reply


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def say(app: BotApp, who: str, text: str, **extra: object) -> Reply:
    """``who`` types ``text`` (``who`` is ``platform:user``, console if no platform given)."""
    platform, _, user = who.partition(":") if ":" in who else ("console", "", who)
    return app.handle(Inbound(platform=platform, user_id=user, text=text, **extra))


def click(app: BotApp, who: str, action: str, value: str) -> Reply:
    """``who`` presses the button ``action`` carrying ``value``."""
    platform, _, user = who.partition(":") if ":" in who else ("console", "", who)
    return app.handle(Inbound(platform=platform, user_id=user, action=action, value=value))


def text_of(reply: Reply | Message) -> str:
    """What a person reads of a reply, as plain text."""
    message = reply.message if isinstance(reply, Reply) else reply
    return message.plain_text()


def ran(specs: list, kind: str) -> int:
    """How many of the jobs ``run_due_jobs`` ran were of ``kind``."""
    return sum(1 for spec in specs if spec.kind == kind)
