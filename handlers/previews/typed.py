"""``aperçu <n°> envoyer|modifier|annuler``: a preview's three buttons, typed, where a chat
shows no buttons (the console, a plain-text client); each button says it as its hint."""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import UserError
from handlers.previews.clicks import cancel_click, edit_click, send_click
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Message, Reply

VERBS: dict[str, Callable[[Request, str], Message | Reply]] = {
    "envoyer": send_click, "send": send_click,
    "modifier": edit_click, "edit": edit_click,
    "annuler": cancel_click, "cancel": cancel_click,
}


def preview_command(req: Request) -> Message | Reply:
    """The button the words name, pressed on the draft they number."""
    words = req.args.split()
    if len(words) != 2 or fold(words[1]) not in VERBS:
        raise UserError("preview.usage", name=req.name)
    return VERBS[fold(words[1])](req, words[0])
