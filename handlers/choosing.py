"""Which meeting or consultation a command means when no number is typed: the one candidate,
or the candidates offered as buttons, each doing the command for its item — so that nobody on a
phone has to remember an id.

A command splits what was typed with ``numbered`` (an explicit number first, then the rest);
without a number it asks ``choose`` with its candidates: the single one's number comes back,
several raise ``Offered`` with one ``pick`` button per candidate. A button's value is
``<command key>:<n°> <rest>``: the click runs the command as if typed with that number
(``Router.run``, the same permission check), so what was typed after the number is not lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Offered, UserError, is_number
from handlers.router import Request
from handlers.types import Button, Message, Reply

PICK = "pick"
MAX_OFFERED = 8
# Telegram carries 64 bytes for a button (``pick|`` included): a longer rest is typed instead.
MAX_VALUE = 58


@dataclass(frozen=True)
class Candidate:
    """One item a command may mean: ``label`` on its button, ``line`` in the message."""

    number: int
    label: str
    line: str


def numbered(args: str) -> tuple[str, str]:
    """The number typed first (« 3 », « n°3 », « #3 »), or ``""``; and what follows it."""
    words = args.split(None, 1)
    if words and is_number(words[0].strip().lstrip("#nN°º").strip()):
        return words[0], words[1].strip() if len(words) > 1 else ""
    return "", args.strip()


def command_key(req: Request) -> str:
    """The key of the command ``req`` runs (its name, as the router reads it)."""
    found = req.router.find(req.name)
    return found[0].key if found else ""


def choose(req: Request, candidates: list[Candidate], rest: str, none_key: str) -> int:
    """The number of the one candidate; none: ``UserError(none_key)``; several: ``Offered``."""
    if len(candidates) == 1:
        return candidates[0].number
    if not candidates:
        raise UserError(none_key, name=req.name)
    raise Offered(offer(req, candidates, rest))


def offer(req: Request, candidates: list[Candidate], rest: str) -> Message:
    """The candidates, each a button doing the command for it (when its value fits a button:
    otherwise the command to type, with the number)."""
    shown = candidates[:MAX_OFFERED]
    key = command_key(req)
    values = [f"{key}:{c.number} {rest}".strip() for c in shown]
    paragraphs = ["\n".join(f"• {c.line}" for c in shown)]
    if all(len(value.encode("utf-8")) <= MAX_VALUE for value in values):
        buttons = [Button(PICK, value, c.label, hint=f"{req.name} {c.number} {rest}".strip())
                   for value, c in zip(values, shown, strict=True)]
    else:
        buttons = []
        paragraphs.append(req.t("pick.type_number",
                                command=f"{req.name} {shown[0].number} {rest}".strip()))
    return Message(title=req.t("pick.title"), paragraphs=paragraphs,
                   buttons=buttons)


def pick_click(req: Request, value: str) -> Reply:
    """A ``pick`` button: the command it stands for, with the chosen number."""
    key, _, args = value.partition(":")
    return req.router.run(req, key, args)
