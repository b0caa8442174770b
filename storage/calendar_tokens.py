"""Calendar subscription tokens, kept only as SHA-256 hashes.

A subscription link (``webcal://…/calendrier/<token>.ics``) is read by a calendar application
every few hours for months, so it does not expire; it ends when its member asks for a new one
(``calendrier renouveler``), which revokes every link they were given. A copy of this file gives
nobody a working link: the token exists only in the message sent to the member and in their
calendar application.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.collection import by_field
from storage.records import Record
from storage.repository import Keyed

PERSONAL = "member"  # the meetings the member is invited to
NETWORK = "network"  # every meeting of the network (leads)


@dataclass
class CalendarToken(Record):
    """One subscription link given to a member."""

    id: str  # sha256 of the token (hex)
    member_id: str
    scope: str = PERSONAL
    created_at: str = ""
    revoked_at: str = ""  # empty while the link works


class CalendarTokens(Keyed[CalendarToken]):
    """Tokens looked up by their hash, and by member to revoke them all; a revoked one is kept
    (a few hundred bytes) so the record says when it stopped working."""

    indexes = {"member": by_field("member_id")}

    def of_member(self, member_id: str) -> list[CalendarToken]:
        return self.lookup("member", member_id)
