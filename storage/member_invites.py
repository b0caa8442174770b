"""Invitations to become an agency's focal point: one-time links the secretariat hands out,
kept by the hash of their token only (the token itself exists only in the message that carries
it), bound to the agency and, optionally, to the name of the person invited."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record, Time
from storage.repository import Numbered


@dataclass
class MemberInvite(Record):
    """One invitation: live until ``expires_at`` while ``status`` is ``open``; ``used`` once
    someone opened it, ``burnt`` when it was posted where others could read it."""

    id: int
    agency: str
    created_by: str
    created_at: str
    expires_at: Time
    name: str = ""
    token_hash: str = ""  # sha256 of the token minted last (a retry mints a fresh one)
    status: str = "open"  # open | used | burnt
    used_by: str = ""  # the identity that opened it
    used_at: str = ""
    join_request: int | None = None


class MemberInvites(Numbered[MemberInvite]):
    """Invitations by number; the token's hash finds one (the only thing a person holds)."""

    indexes = {"token": lambda doc: (doc.get("token_hash"),) if doc.get("token_hash") else ()}

    def by_token_hash(self, token_hash: str) -> MemberInvite | None:
        found = self.lookup("token", token_hash)
        return found[0] if found else None
