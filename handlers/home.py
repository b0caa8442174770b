"""What someone sees first when they come to the bot without a command (Telegram ``/start``,
Slack ``/reseau`` alone, ``à faire``): a member's to-do, a newcomer's help."""

from __future__ import annotations

from handlers.help import first_screen
from handlers.router import Request
from handlers.todo import build_todo, todo_message
from handlers.types import Message


def home_command(req: Request) -> Message:
    """``à faire``/``todo``: the member's to-do with its buttons; for someone not yet a member,
    the first screen of the help (how to join)."""
    if req.member is None:
        return first_screen(req)
    return todo_message(req.ctx, req.lang, req.member, build_todo(req.ctx, req.member))
