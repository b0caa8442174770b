"""The neutral preview: what one broadcast would send, kept as a draft until the lead decides.

A previewed command (``kinds.PREVIEWED``) answers with ``show``: its ``build`` reads what was
typed without changing anything, the draft is stored, and the lead sees the message with its
three buttons. Its ``send`` is the command's effect, run on « Envoyer »; or, for what opens
something new (a meeting, a series, a consultation — typed, or sent from a form), its
``deliver`` creates what the draft holds, exactly as previewed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from handlers.router import Command, Handler, Request
from handlers.types import Button, Message, Reply
from storage.drafts import Draft
from storage.records import to_iso

# How long a preview may be sent: long enough to check with a colleague, short enough that
# what it shows still holds (a draft is sent only if the command still reads the same).
DRAFT_LIFETIME = timedelta(hours=24)
SEND, EDIT, CANCEL = "preview.send", "preview.edit", "preview.cancel"
TYPED = "preview"  # the command that presses them by name (``handlers.previews.typed``)


@dataclass(frozen=True)
class Preview:
    """What ``build`` read: the command's words with the item's number written in (``args``,
    run on « Envoyer »), what they were read as (``parsed``), the lines that say what goes
    out, how many people it reaches, and the warnings, all in the reader's language."""

    args: str
    parsed: dict[str, Any]
    lines: list[str]
    people: int
    warnings: list[str] = field(default_factory=list)


class Outdated(Exception):
    """What a draft holds no longer holds (its moment has passed, a similar series appeared):
    nothing is sent, the lead makes a new preview."""


@dataclass(frozen=True)
class Previewed:
    """A command that is previewed: ``build`` (no change made) and ``send`` (the effect, the
    command run again from its words). ``deliver``, when given, is used instead of ``send``:
    the effect from the values the draft holds (``Draft.parsed``), raising ``Outdated`` when
    they no longer hold. ``passes`` says when the command's own handler answers instead of a
    preview (nothing typed after it: the form, or the usage; a confirmation)."""

    key: str
    build: Callable[[Request], Preview]
    send: Handler
    deliver: Callable[[Request, Draft], Message] | None = None
    passes: Callable[[Request], bool] | None = None


def show(kind: Previewed, own: Handler | None = None) -> Handler:
    """The handler a previewed command runs when typed: the preview, kept as a draft (or the
    command's own handler ``own`` when ``kind.passes``)."""

    def handler(req: Request) -> Message | Reply:
        if own is not None and kind.passes is not None and kind.passes(req):
            return own(req)
        return keep(req, kind.key, kind.build(req))

    return handler


def keep(req: Request, command: str, preview: Preview, *, form: str = "",
         answers: dict[str, str] | None = None) -> Message:
    """The draft stored (with the form's answers when it came from ``form``), and the preview
    shown."""
    ctx = req.ctx
    now = ctx.now()
    draft = ctx.store.drafts.add(lambda n: Draft(
        id=n, member_id=req.member.id if req.member else "", command=command,
        args=preview.args, parsed=preview.parsed, created_at=to_iso(now),
        expires_at=to_iso(now + DRAFT_LIFETIME), form=form, answers=dict(answers or {})))
    return message(req, draft, preview)


def message(req: Request, draft: Draft, preview: Preview) -> Message:
    """The preview as the lead reads it, with « Envoyer », « Modifier », « Annuler »."""
    value = str(draft.id)
    expires = datetime.fromisoformat(draft.expires_at)
    typed = req.t(f"cmd.{TYPED}.name")

    def hint(word: str) -> str:  # the same button, typed (``aperçu 3 envoyer``)
        return f"{typed} {value} {req.t(f'preview.word.{word}')}"

    return Message(
        title=req.t("preview.title"),
        paragraphs=[*preview.lines, req.t("preview.reach", count=preview.people),
                    *preview.warnings,
                    req.t("preview.expires", when=req.ctx.when(req.lang, expires))],
        buttons=[Button(SEND, value, req.t("preview.button.send"), hint=hint("send"),
                        style="primary"),
                 Button(EDIT, value, req.t("preview.button.edit"), hint=hint("edit")),
                 Button(CANCEL, value, req.t("preview.button.cancel"), hint=hint("cancel"),
                        style="danger")])


def typed_again(req: Request, draft: Draft) -> Request:
    """``req`` (a click) as if its person had typed the draft's command again."""
    command = command_of(req, draft)
    name = req.router.name(command, req.lang) if command else req.name
    return replace(req, args=draft.args, name=name)


def command_of(req: Request, draft: Draft) -> Command | None:
    return next((c for c in req.router.commands if c.key == draft.command), None)


def wrap(commands: list[Command], previewed: dict[str, Previewed]) -> list[Command]:
    """The command table with each previewed command answering with its preview."""
    return [replace(c, handler=show(previewed[c.key], c.handler)) if c.key in previewed else c
            for c in commands]
