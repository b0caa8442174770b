"""Email addresses a member asked to add (``courriel <adresse>``), waiting for the confirmation
link sent to that address. The address becomes an identity only when the link is opened: until
then nothing acts as the member. A claim is used once, and expires."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record, Time
from storage.repository import Keyed


@dataclass
class EmailClaim(Record):
    """One confirmation sent: to which member the address would be added."""

    id: str  # random (hex), signed into the link
    member_id: str
    address: str  # lower case
    created_at: str
    expires_at: Time
    used_at: str = ""  # empty until the link added the address


class EmailClaims(Keyed[EmailClaim]):
    """Claims looked up by their id; an expired or used one is kept (it says why a link no
    longer works)."""
