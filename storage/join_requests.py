"""The join requests of unknown users, waiting for the secretariat."""

from __future__ import annotations

from storage.models import JoinRequest
from storage.repository import Numbered


class JoinRequests(Numbered[JoinRequest]):
    """Numbered join requests; the number is what the secretariat types or clicks. The pending
    ones are indexed by identity (asked on every message from an unknown user)."""

    indexes = {"pending": lambda doc: (doc.get("identity"),)
               if doc.get("status") == "pending" else ()}

    def pending(self) -> list[JoinRequest]:
        return sorted((r for identity in self._c.keys("pending")
                       for r in self.lookup("pending", identity)), key=lambda r: r.id)

    def pending_for(self, identity: str) -> JoinRequest | None:
        found = self.lookup("pending", identity)
        return found[0] if found else None

    def add(self, identity: str, name: str, agency: str,  # type: ignore[override]
            language: str | None, created_at: str) -> JoinRequest:
        return super().add(lambda n: JoinRequest(
            id=n, identity=identity, name=name, agency=agency, language=language,
            created_at=created_at))
