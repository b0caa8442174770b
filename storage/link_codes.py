"""The one-time codes that join a second platform identity to a member, and the wrong codes
each identity typed."""

from __future__ import annotations

from storage.models import LinkAttempts, LinkCode
from storage.repository import Keyed


class LinkCodes(Keyed[LinkCode]):
    """Codes waiting to be typed on the other platform, by hash."""

    indexes = {"live": lambda doc: () if doc.get("used") else (doc.get("member_id"),)}

    def live_of(self, member_id: str) -> list[LinkCode]:
        """The member's codes not used yet (expired ones included: the caller checks time)."""
        return self.lookup("live", member_id)


class LinkAttemptsLog(Keyed[LinkAttempts]):
    """Wrong codes per identity, on disk so that a restart does not reset the count."""

    def get(self, identity: str) -> LinkAttempts:
        return super().get(identity) or LinkAttempts(id=identity)
