"""Questions waiting for a text answer (``Ask``) where the platform has no form of its own: the
person's next message in that private chat is the answer (a Telegram reply prompt, a line on the
console), handed to the action the question named, with the text.

The question is kept in storage (``storage/prompts.py``), so an answer written after a restart
is still taken. A platform that shows the question as a form (a Slack modal) answers it apart
(``Inbound.forms``): nothing is kept then. Commands the platform marks as such (Telegram's
``/name``) are never taken as an answer; « annuler » / "cancel" drops the question.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from handlers.context import Context
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Inbound, Message, Reply
from storage.prompts import Prompt
from storage.records import to_iso

CANCEL = "prompt.cancel"  # the action a cancelling answer is handed to
CANCEL_WORDS = frozenset({"annuler", "cancel", "stop"})
LIFE = timedelta(days=1)  # a question without its own ``until`` waits this long


def remember(ctx: Context, inbound: Inbound, reply: Reply) -> None:
    """The answer to ``inbound`` asks a text: keep the question, unless the platform shows it
    as a form of its own."""
    ask = reply.message.ask
    if ask is None or inbound.forms:
        return
    now = ctx.now()
    until = ask.until or to_iso(now + LIFE)
    ctx.store.prompts.save(Prompt(id=inbound.identity, action=ask.action, value=ask.value,
                                  until=until, chat=inbound.chat_id if inbound.private else "",
                                  asked_at=to_iso(now)))


def answering(ctx: Context, inbound: Inbound) -> Inbound:
    """A private message from someone the bot asked a question: the answer, as the action the
    question names (the text kept in ``text``); anything else unchanged."""
    if (inbound.text is None or inbound.action is not None or not inbound.private
            or inbound.capture or inbound.explicit):
        return inbound
    prompt = ctx.store.prompts.waiting(inbound.identity, inbound.chat_id, ctx.now_iso())
    if prompt is None:
        return inbound
    ctx.store.prompts.close(prompt)
    if fold(inbound.text.strip()) in CANCEL_WORDS:
        return replace(inbound, action=CANCEL, value="")
    return replace(inbound, action=prompt.action, value=prompt.value)


def settled(ctx: Context, identity: str, action: str, value_prefix: str) -> None:
    """What a question asked was given another way (a typed command): the question goes."""
    prompt = ctx.store.prompts.get(identity)
    if prompt is not None and not prompt.closed and prompt.action == action \
            and prompt.value.startswith(value_prefix):
        ctx.store.prompts.close(prompt)


def cancelled(req: Request, _: str) -> Message:
    """« annuler » in answer to a question: nothing recorded, and said so."""
    return Message(paragraphs=[req.t("reason.cancelled")])


def until(ctx: Context, deadline: datetime) -> str:
    """How long a question stays open: a day, or until ``deadline`` if sooner."""
    return to_iso(min(deadline, ctx.now() + LIFE))
