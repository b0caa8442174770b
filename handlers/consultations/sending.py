"""How a consultation reaches people: the proposal with its buttons to the consulted focal points
(retried until the deadline), the announcement on its channel, and the dispatcher's report of
which agencies it reached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.consultations.wording import proposal_message
from handlers.context import Context
from handlers.settings import slugify
from handlers.types import Message
from storage.models import Consultation, Member


def channel_of(consultation: Consultation) -> str | None:
    """Where a consultation is announced: its group's channel, the network's, or nowhere for a
    statement round (only the Executive Committee sees a draft)."""
    if consultation.scope == "executive":
        return None
    if consultation.scope == "group" and consultation.group:
        return slugify(consultation.group)
    return "network"


def announce(ctx: Context, consultation: Consultation, key: str,
             build: Callable[[str], Message], until: datetime | None = None) -> None:
    channel = channel_of(consultation)
    if channel is not None:
        ctx.announce(key, build, channel=channel, until=until)


def topic_of(consultation: Consultation) -> str:
    """The outbox topic of the messages carrying its buttons: their fate is reported back
    (``delivery_outcome``), so the consultation knows which agencies it reached."""
    return f"poll:{consultation.id}"


def ask(ctx: Context, consultation: Consultation, people: list[Member], key: str,
        title_key: str) -> int:
    """Send the proposal with its buttons to ``people``: retried until the deadline, and
    each agency's delivery reported back."""
    return ctx.send_to_members(people, key, lambda lang: proposal_message(
        ctx, lang, consultation, title_key), until=datetime.fromisoformat(consultation.deadline),
        topic=topic_of(consultation))


def delivery_outcome(ctx: Context, number: int, agency: str, state: str) -> None:
    """The dispatcher's report on a message carrying the buttons to one of ``agency``'s focal
    points: ``reached``, or why not yet (a held reason, ``waiting``, ``expired``, ``dead``).
    Once one of its focal points got it, the agency is reached for good."""
    consultation = ctx.store.consultations.get(number)
    if consultation is None or consultation.status != "open":
        return
    known = consultation.delivery.get(agency)
    if known == "reached" or known == state:
        return
    consultation.delivery[agency] = state
    ctx.store.consultations.save(consultation)
