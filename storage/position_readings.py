"""Positions read from words, waiting for the one tap that confirms them.

A focal point writes « d'accord pour l'UNICEF »; the bot reads it and asks to confirm with a
button. What it read (the choice, the reason as typed, the consultation or the ones to choose
from) is kept here, not in the button: a reason does not fit in Telegram's 64 bytes, and a
confirmation must still work after a restart. Its status says whether it was confirmed, so a
confirmation tapped twice records the position once."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.records import Record
from storage.repository import Numbered


@dataclass
class PositionReading(Record):
    """One reading of a member's words as a position."""

    id: int
    member_id: str
    choice: str  # agree | reservations | objection | abstain
    reason: str = ""
    consultation_id: int | None = None  # None while the member has to pick among ``candidates``
    candidates: list[int] = field(default_factory=list)
    status: str = "pending"  # pending | confirmed | cancelled
    created_at: str = ""
    decided_at: str = ""
    position_id: int | None = None  # the position the confirmation recorded, if it wrote one


class PositionReadings(Numbered[PositionReading]):
    """Readings by number (the number their buttons carry)."""
