"""Standing to-do views (Slack's App Home) kept true: published when the person opens it, and
again whenever what it shows changes (a position, an answer, a consultation or meeting opened,
moved, closed) — through the outbox like every message, so nothing is lost or shown twice.

A view is an outbox row answering the person in their to-do view (``ReplyTo`` mode ``todo``).
Coalesced: a newer view replaces one still waiting to go out, and a view is queued only when
its content differs from the last one queued for that person (``storage/todo_views.py``), so
one request that changes many things publishes once, and nothing changed publishes nothing.
Only people who opened their view once are kept up to date, and only after a request or a job
that wrote one of the collections a view is made of (``SOURCES``).
"""

from __future__ import annotations

import hashlib
import json
import logging

from handlers.context import REPLY_RELEVANCE, Context
from handlers.todo import build_todo, todo_message
from handlers.types import Message, Outgoing, Recipient, ReplyTo
from storage import outbox
from storage.identity import Identity
from storage.todo_views import TodoView

log = logging.getLogger(__name__)

MODE = "todo"  # the ``ReplyTo`` mode of a to-do view
# What a to-do view is made of: work that wrote none of these leaves every view as it was.
SOURCES = ("consultations", "positions", "meetings", "rsvps", "series", "members", "groups")
SUPERSEDED = f"{outbox.SUPERSEDED} by a newer to-do view"  # kept as a receipt (storage)


def recipient_of(identity: Identity) -> Recipient:
    return Recipient.answer(ReplyTo(identity.platform, identity.user, "", MODE))


def _digest(message: Message, lang: str) -> str:
    data = json.dumps([lang, message.to_dict()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:24]


def _supersede(ctx: Context, number: int) -> None:
    """The person's previous view (row ``number``), if not yet on its way, is replaced by the
    newer one: one look-up, however many messages wait in the outbox."""
    row = ctx.store.outbox.get(number) if number else None
    if row is not None and row.status in ("pending", "held") and not row.attempting \
            and not row.done:
        row.status, row.last_error = "skipped", SUPERSEDED
        ctx.store.outbox.save(row)


def publish(ctx: Context, identity: Identity, message: Message, lang: str,
            key: str = "", force: bool = False) -> bool:
    """Queue ``message`` as the to-do view of ``identity``: unless it shows what the last one
    queued showed (``force``: the person just opened it). Returns whether a row was queued."""
    digest = _digest(message, lang)
    last = ctx.store.todo_views.get(str(identity))
    before = last.digest if last is not None else None
    if before == digest and not force:
        return False
    key = key or f"todo:{identity}:{before or '-'}>{digest}:{ctx.now_iso()}"
    if not ctx.queue(Outgoing(recipient_of(identity), message, lang, key),
                     relevance=REPLY_RELEVANCE):
        return False
    _supersede(ctx, last.row if last is not None else 0)
    ctx.store.todo_views.save(TodoView(id=str(identity), digest=digest, at=ctx.now_iso(),
                                       row=ctx.store.outbox.number_of(key) or 0))
    return True


def refresh(ctx: Context) -> int:
    """Publish again the views whose content changed, for everyone who opened theirs."""
    queued = 0
    for view in ctx.store.todo_views.all():
        member = ctx.store.members.by_identity(view.id)
        if member is None or not member.active:
            continue  # a newcomer's view is the help: nothing in it changes with the network
        lang = ctx.language_of(member)
        message = todo_message(ctx, lang, member, build_todo(ctx, member))
        queued += publish(ctx, Identity.parse(view.id), message, lang)
    return queued
