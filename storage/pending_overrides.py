"""Changes of an agency's position that a colleague gave, waiting for the focal point's
confirmation: what they chose (with its reason, too long for a button), and whose position it
would replace. Kept so that the confirmation button carries only numbers, and so that a
replayed confirmation records nothing twice."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record
from storage.repository import Keyed

ASKED = "asked"
CONFIRMED = "confirmed"
KEPT = "kept"


@dataclass
class PendingOverride(Record):
    """One focal point's change waiting for confirmation, for one consultation."""

    id: str  # "<consultation n°>:<member id>"
    consultation_id: int
    member_id: str
    choice: str
    reason: str
    previous_id: int  # the colleague's position it would replace
    asked_at: str
    status: str = ASKED  # asked | confirmed | kept


class PendingOverrides(Keyed[PendingOverride]):
    """The latest question per consultation and person (a new one replaces the previous)."""
