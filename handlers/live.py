"""Messages written when they leave rather than when they are queued.

A focal point's card shows the agency's current position. Each change of it used to queue a new
edit of every colleague's card, the message built there and then, the waiting edit superseded:
under a burst of clicks, most of a click's work went into messages that the next click made
stale (and so with the channel's card). A card edit is now queued as a placeholder naming what
it shows (``Message.live``); the dispatcher has it written here just before it leaves, from what
is true then. So an edit still waiting already says what any later change would, and none is
queued for that change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from handlers.channel_cards import consultation_card
from handlers.consultations.cards import LIVE_CARD, live_card
from handlers.context import Context
from handlers.types import Message

log = logging.getLogger(__name__)

WRITERS: dict[str, Callable[[Context, Message, str, str], Message]] = {
    LIVE_CARD: live_card,
    consultation_card.LIVE_CHANNEL_CARD: consultation_card.live_card,
}


def written(ctx: Context, message: Message, lang: str) -> Message:
    """``message`` as it should read now when it is a live one; else unchanged."""
    if not message.live:
        return message
    kind, _, args = message.live.partition(":")
    write = WRITERS.get(kind)
    if write is None:  # written by a later version of the bot: sent as it stands
        log.warning("live message of unknown kind %r: sent as queued", kind)
        return replace(message, live="")
    return write(ctx, message, lang, args)
