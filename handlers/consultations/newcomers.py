"""A focal point who joins while consultations are open still gets their say: the proposal,
with its buttons, of each consultation open for their agency, once (the opening's outbox key)."""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.seats import consulted_agencies
from handlers.consultations.sending import ask
from handlers.context import Context
from storage.models import Member


def ask_newcomer(ctx: Context, member: Member) -> int:
    """Send ``member`` the proposal of every consultation open (before its deadline) that asks
    their agency; under the opening's key, so someone who had it already does not get it
    twice."""
    sent = 0
    for consultation in ctx.store.consultations.open():
        if datetime.fromisoformat(consultation.deadline) <= ctx.now():
            continue
        if member.agency in {a.code for a in consulted_agencies(ctx, consultation)}:
            sent += ask(ctx, consultation, [member], f"poll:{consultation.id}:open",
                        "poll.open_title")
    return sent
