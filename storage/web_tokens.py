"""Sign-in tokens for the knowledge page, kept only as SHA-256 hashes with their expiry.

A copy of this file (a backup, a leaked disk) gives nobody a working link: the token itself
exists only in the message sent to the member and in that member's browser cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record, Time
from storage.repository import Keyed


@dataclass
class WebToken(Record):
    """One member's sign-in link to the knowledge page."""

    id: str  # sha256 of the token (hex)
    member_id: str
    expires_at: Time
    created_at: str = ""


class WebTokens(Keyed[WebToken]):
    """Tokens looked up by their hash; an expired one is refused by the caller, never deleted
    here (a few hundred bytes each, one per link asked for)."""
