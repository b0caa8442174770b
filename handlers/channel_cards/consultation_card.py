"""The card of a consultation in its channel: the proposal, the deadline and the rule, the
positions so far (Executive Committee marked) and who has not answered, then the outcome and
the co-chairs' conclusion. While open it carries the position buttons (a focal point answers
for their agency from the channel, through the usual path) and « Relancer » for the leads."""

from __future__ import annotations

from datetime import datetime

from handlers.channel_cards import live
from handlers.consultations.sending import channel_of
from handlers.consultations.wording import (
    outcome_title,
    position_buttons,
    rule_line,
    status_message,
)
from handlers.context import Context
from handlers.types import Button, Message
from storage.models import Consultation

NUDGE = "todo.nudge"  # the to-do's « Relancer »: the same handler, the same once-an-hour rule


LIVE_CHANNEL_CARD = "poll-channel-card"  # ``Message.live`` kind of its edits


def item_of(consultation: Consultation) -> str:
    return f"poll:{consultation.id}"


def card(ctx: Context, lang: str, consultation: Consultation) -> Message:
    """The card as it should read now."""
    message = status_message(ctx, lang, consultation)
    if consultation.status == "open":
        message.title = ctx.t(lang, "poll.announce_title", number=consultation.id)
        message.paragraphs.insert(2, rule_line(ctx, lang, consultation))
        message.buttons = [*position_buttons(ctx, lang, consultation),
                           Button(NUDGE, str(consultation.id), ctx.t(lang, "card.button.nudge"))]
    else:
        message.title = outcome_title(ctx, lang, consultation)
    return message


def opened(ctx: Context, consultation: Consultation) -> bool:
    """Post the card where the consultation is announced (nowhere for a statement round)."""
    channel = channel_of(consultation)
    if channel is None:
        return False
    return live.post(ctx, item_of(consultation), channel,
                     lambda lang: card(ctx, lang, consultation),
                     until=datetime.fromisoformat(consultation.deadline))


def changed(ctx: Context, consultation: Consultation) -> bool:
    """A position, a new deadline, the outcome or the conclusion: the card is edited. ``False``
    when the consultation has no card (announce it the old way)."""
    channel = channel_of(consultation)
    if channel is None:
        return False
    return live.update(ctx, item_of(consultation), channel,
                       lambda lang: card(ctx, lang, consultation),
                       live=f"{LIVE_CHANNEL_CARD}:{consultation.id}")


def live_card(ctx: Context, placeholder: Message, lang: str, args: str) -> Message:
    """The card as it should read when its edit leaves (``handlers.live``): ``args`` is the
    consultation's number."""
    consultation = ctx.store.consultations.get(int(args))
    return placeholder if consultation is None else card(ctx, lang, consultation)
