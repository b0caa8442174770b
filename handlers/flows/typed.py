"""A private message written while a guided conversation is open in that chat: the answer to
its question (« annuler », "cancel", ``/annuler`` leave it). A command the platform marks as one
(Telegram's ``/name``) still works meanwhile and leaves the conversation waiting; on the
console, where nothing marks a command, every line is the answer until « annuler »."""

from __future__ import annotations

from dataclasses import replace

from handlers import prompts
from handlers.context import Context
from handlers.flows.asking import ANSWER, CANCEL
from handlers.flows.reading import word
from handlers.types import Inbound


def answering(ctx: Context, inbound: Inbound) -> Inbound:
    """``inbound`` as the answer (or the cancel) of the conversation open in its chat, if any;
    anything else unchanged."""
    if (inbound.text is None or inbound.action is not None or not inbound.private
            or inbound.capture):
        return inbound
    conversation = ctx.store.conversations.open_in(inbound.identity, inbound.chat_id)
    if conversation is None:
        return inbound
    if word(inbound.text) in prompts.CANCEL_WORDS:
        action = CANCEL
    elif inbound.explicit:
        return inbound
    else:
        action = ANSWER
    prompts.settled(ctx, inbound.identity, ANSWER, "")  # the reply prompt, answered
    return replace(inbound, action=action, value=str(conversation.id))
