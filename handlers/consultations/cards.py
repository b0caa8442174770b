"""Cards that stay true: the proposal each focal point received, with its buttons, edited when
their agency's position changes — by a button, a form, a reply or a command, theirs or a
colleague's — to show the current position and mark the chosen button.

The dispatcher records, per delivered target, the platform's id of each message carrying the
buttons (``OutboxRow.refs``); ``remember`` keeps those of a consultation's cards (``Card``).
``refresh`` queues one edit per card of the agency (a ``card`` recipient, delivered as Slack's
``chat.update`` / Telegram's ``editMessageText``), the edit not yet sent for the same card
dropped (``Outbox.supersede``), so a burst of changes makes one edit per card, the latest.
"""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.sending import topic_of
from handlers.consultations.wording import (
    choice_label,
    deadline_line,
    position_buttons,
    rule_line,
    seats_lines,
)
from handlers.context import Context
from handlers.types import Message, Outgoing, Recipient
from storage.cards import Card
from storage.models import Consultation, Member, OutboxRow

LIVE_CARD = "poll-card"  # ``Message.live`` kind of a focal point's card


def remember(ctx: Context, row: OutboxRow, member: Member) -> None:
    """A card delivered (some of) its targets: where each copy is, to edit it later."""
    known = ctx.store.cards.get(str(row.id))
    if known is not None and known.refs == row.refs:
        return
    ctx.store.cards.save(Card(id=str(row.id), topic=row.topic, member_id=member.id,
                              agency=member.agency,
                              title=str(row.message.get("title") or ""),
                              language=row.language, refs=dict(row.refs)))


def card_message(ctx: Context, lang: str, consultation: Consultation, title: str,
                 agency: str) -> Message:
    """The card as it should read now: the proposal, the agency's current position, and the
    buttons with that choice marked."""
    current = ctx.store.positions.latest_of(consultation.id, agency)
    paragraphs = [consultation.proposal, deadline_line(ctx, lang, consultation),
                  rule_line(ctx, lang, consultation), *seats_lines(ctx, lang, consultation)]
    if current is not None:
        by = ctx.store.members.get(current.member_id)
        key = "card.current_reason" if current.reason else "card.current"
        paragraphs.append(ctx.t(lang, key, agency=ctx.agency_label(agency, lang),
                                choice=choice_label(ctx, lang, current.choice),
                                reason=current.reason, name=by.name if by else "—",
                                when=ctx.when(lang, datetime.fromisoformat(current.at))))
    return Message(title=title, paragraphs=paragraphs, buttons=position_buttons(
        ctx, lang, consultation, current=current.choice if current else None))


def refresh(ctx: Context, consultation: Consultation, agency: str,
            skip: str | None = None, shown: str | None = None) -> int:
    """Queue an edit of every card of ``agency``'s focal points, unless one is still waiting
    for that card: an edit is written when it leaves (``handlers.live``), so the waiting one
    will show this change too. Not the copy ``shown`` (``platform:user``) whose click's answer
    shows the change already — the same card's copy on the person's other platform is edited
    — nor, for a follow-up written before copies were told apart, ``skip``'s cards (a member).
    How many were queued."""
    version = ctx.store.positions.last_number(consultation.id)
    until = datetime.fromisoformat(consultation.deadline)
    queued = 0
    for card in ctx.store.cards.of_agency(topic_of(consultation), agency):
        family = f"card:{card.id}:"
        left_out = shown if shown in card.refs else ""  # the copy the answer edits
        if card.member_id == skip or (left_out and len(card.refs) == 1):
            continue  # its one copy is the clicked one
        waiting = ctx.store.outbox.waiting(family)
        if waiting and all(row.recipient.get("skip", "") in ("", left_out)
                           for row in waiting):
            continue  # written when it leaves, it will show this change too
        if waiting:  # it leaves out a copy that must show this change: replaced
            ctx.store.outbox.supersede(family, ctx.now_iso(), only_waiting=True)
        member = ctx.store.members.get(card.member_id)
        if member is None or member.agency != agency:
            continue
        lang = card.language or ctx.language_of(member)
        placeholder = Message(title=card.title, live=f"{LIVE_CARD}:{consultation.id}:{agency}")
        queued += ctx.queue(Outgoing(Recipient("card", card.id, skip=left_out), placeholder,
                                     lang, f"{family}{version}"), until)
    return queued


def live_card(ctx: Context, placeholder: Message, lang: str, args: str) -> Message:
    """A card edit as it should read when it leaves (``handlers.live``): ``args`` is
    ``<consultation n°>:<agency>``, the placeholder's title the card's."""
    number, _, agency = args.partition(":")
    consultation = ctx.store.consultations.get(int(number))
    if consultation is None:
        return placeholder
    return card_message(ctx, lang, consultation, placeholder.title, agency)
