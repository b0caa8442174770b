"""The last delivery failure of each member on each platform, for the secretariat.

One record per member and platform, overwritten when a delivery there fails again: the file
stays as small as the network (a few hundred records), never a log that grows with every
message. What failed and why is the outbox's business; this only says to whom and when last.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.collection import by_field
from storage.records import Record, Time
from storage.repository import Keyed


@dataclass
class DeliveryFailure(Record):
    """The last time a message to ``member_id`` could not go through ``platform``."""

    id: str  # "<member id>:<platform>"
    member_id: str
    platform: str
    reason: str  # blocked | not_started | deactivated | no_adapter | expired | rejected …
    at: Time


class DeliveryFailures(Keyed[DeliveryFailure]):
    """Looked up by member (``membres`` for the secretariat) and read whole by the digest."""

    indexes = {"member": by_field("member_id")}

    def of_member(self, member_id: str) -> list[DeliveryFailure]:
        return self.lookup("member", member_id)

    def last_of(self, member_id: str) -> DeliveryFailure | None:
        """The member's most recent failure, on whichever platform."""
        return max(self.of_member(member_id), key=lambda f: f.at, default=None)

    def note(self, member_id: str, platform: str, reason: str, at: str) -> bool:
        """Keep this failure as the member's last on ``platform``; ``False`` when that is
        already what is stored (the same pass reported twice: nothing written)."""
        key = f"{member_id}:{platform}"
        stored = self.get(key)
        if stored is not None and stored.reason == reason and stored.at >= at:
            return False
        self.save(DeliveryFailure(id=key, member_id=member_id, platform=platform,
                                  reason=reason, at=at))
        return True
