"""A card in the channel, kept true: posted once (an outbox row with a ``channel:<item>``
topic, so the dispatcher records where each copy went, ``OutboxRow.refs``), remembered as a
``storage.cards.Card`` with no member, then edited in place (a ``card`` recipient: Slack's
``chat.update``, Telegram's ``editMessageText``).

Edits are coalesced: a new edit replaces the one not yet sent (``Outbox.supersede``) and goes
when that one would have gone, else ``EDIT_GAP`` from now, so a burst of positions makes one
edit per card every few seconds at most (Telegram allows about twenty edits a minute in a
group). A card whose edits are written when they leave (``live``: a consultation's, changed
by every click) queues none while one waits. A change made before the post went out rewrites
the post itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from handlers.context import Context
from handlers.types import Message, Outgoing, Recipient
from storage.cards import Card
from storage.models import OutboxRow
from storage.records import to_iso

PREFIX = "channel:"  # the topic of a channel card: ``channel:poll:12``, ``channel:meeting:3``
EDIT_GAP = timedelta(seconds=4)
EDIT_RELEVANCE = timedelta(days=2)  # an edit still worth making after an outage


def topic(item: str) -> str:
    return PREFIX + item


def _post_key(item: str, channel: str) -> str:
    return f"channelcard:{item}:{channel}"


def post(ctx: Context, item: str, channel: str, build: Callable[[str], Message],
         until: datetime | None = None) -> bool:
    """Post the card of ``item`` (``poll:12``) on ``channel`` of every platform, once."""
    lang = ctx.network.language
    return ctx.queue(Outgoing(Recipient("channel", channel), build(lang), lang,
                              _post_key(item, channel)), until, topic(item))


def remember(ctx: Context, row: OutboxRow) -> None:
    """The post reached (some of) its channels: where each copy is, to edit it later."""
    known = ctx.store.cards.get(str(row.id))
    if not row.refs or (known is not None and known.refs == row.refs):
        return
    ctx.store.cards.save(Card(id=str(row.id), topic=row.topic, member_id="", agency="",
                              language=row.language, refs=dict(row.refs)))


def update(ctx: Context, item: str, channel: str, build: Callable[[str], Message],
           live: str = "") -> bool:
    """The card of ``item`` should now read ``build(lang)``: its copies are edited (coalesced),
    or its post, not yet out, rewritten. ``False`` when the item has no card to edit (none
    posted: an item from before cards; or posted where nothing can be edited, the console):
    the caller posts the news instead."""
    lang = ctx.network.language
    cards = ctx.store.cards.of_agency(topic(item), "")
    number = ctx.store.outbox.number_of(_post_key(item, channel))
    posted = ctx.store.outbox.get(number) if number is not None else None
    if not cards:  # not delivered yet, or nowhere it can be edited (the console)
        if posted is None or posted.status != "pending" or posted.done:
            return False
        posted.message = build(lang).to_dict()
        posted.relevant_until = max(posted.relevant_until,
                                    to_iso(ctx.now() + EDIT_RELEVANCE))  # news, even late
        ctx.store.outbox.save(posted)
        return True
    if live:  # written when it leaves (``handlers.live``): built only for the edits queued
        for card in cards:
            if not ctx.store.outbox.waiting_in(f"channelcard-edit:{card.id}:"):
                _edit(ctx, card, Message(live=live), lang)
        return True
    message = build(lang)
    for card in cards:
        _edit(ctx, card, message, lang)
    return True


def _edit(ctx: Context, card: Card, message: Message, lang: str) -> None:
    """One edit of ``card``, replacing the one not sent yet and going when it would have."""
    prefix = f"channelcard-edit:{card.id}:"
    waiting = [row.next_attempt_at for row in ctx.store.outbox.pending_in(prefix)]
    ctx.store.outbox.supersede(prefix, ctx.now_iso())
    key = f"{prefix}{ctx.store.outbox.next_in(prefix)}"
    ctx.queue(Outgoing(Recipient("card", card.id), message, lang, key), relevance=EDIT_RELEVANCE)
    number = ctx.store.outbox.number_of(key)
    row = ctx.store.outbox.get(number) if number is not None else None
    if row is not None:
        row.next_attempt_at = min(waiting) if waiting else to_iso(ctx.now() + EDIT_GAP)
        ctx.store.outbox.save(row)
