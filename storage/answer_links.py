"""One-tap answer links already used: each link records a position once. Kept by the SHA-256 of
the link's token (the token itself is only in the email), with what it recorded, so that a
reload or a replayed request records nothing new and can say what was recorded."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record
from storage.repository import Keyed


@dataclass
class UsedAnswerLink(Record):
    """A link that recorded its position."""

    id: str  # sha256 of the token (hex)
    consultation_id: int
    member_id: str
    choice: str
    position_id: int
    at: str


class AnswerLinks(Keyed[UsedAnswerLink]):
    """Used links looked up by their hash; a few hundred bytes each, one per answer by email."""
