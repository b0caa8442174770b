"""Links that open the bot's private chat with something to do (Telegram's
``https://t.me/<bot>?start=<payload>``): the payloads the bot writes and what each one does.

A payload is at most 64 characters of ``A-Za-z0-9_-``. It never grants anything by itself:
each one runs the command a person could type (``lier <code>``, ``consultation <n°>``,
``réunion voir <n°>``, ``rejoindre <code>``) with that person's own permissions, and a linking
or invitation payload is a one-time code, used once and expiring like one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from handlers.router import Request
from handlers.types import Message, Reply

MAX_PAYLOAD = 64  # Telegram's limit for a /start parameter
PAYLOAD = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_PAYLOAD}}}$")
OPEN_PAYLOAD = "hello"  # only opens the chat (what waits for the person is then delivered)
LINK_PREFIX = "link-"
POLL_PREFIX = "poll-"
MEETING_PREFIX = "meeting-"
INVITE_PREFIX = "join-"  # an invitation to become a focal point (handlers/invitations.py)
# prefix → the command it runs (the command's key in handlers/commands.py)
COMMANDS = {LINK_PREFIX: "link", POLL_PREFIX: "poll", MEETING_PREFIX: "meeting_show",
            INVITE_PREFIX: "join"}


def poll_payload(number: int) -> str:
    return f"{POLL_PREFIX}{number}"


def meeting_payload(number: int) -> str:
    return f"{MEETING_PREFIX}{number}"


def start_command(req: Request) -> Message | Reply:
    """``start [payload]``: what a deep link asks for, as the typed command; else a member's
    to-do, or the help for a newcomer."""
    payload = req.args.strip()
    router = req.router
    if PAYLOAD.match(payload):
        for prefix, key in COMMANDS.items():
            rest = payload[len(prefix):]
            if payload.startswith(prefix) and rest:
                command = next(c for c in router.commands if c.key == key)
                text = f"{router.name(command, req.lang)} {rest}"
                return router.handle(req.ctx, replace(req.inbound, text=text))
    if req.member is not None:  # a member: what waits for them, with its buttons
        todo = next(c for c in router.commands if c.key == "todo")
        return todo.handler(replace(req, args=""))
    help_command = next(c for c in router.commands if c.key == "help")
    return help_command.handler(replace(req, args=""))
