"""Working groups."""

from __future__ import annotations

from storage.models import Group
from storage.repository import Keyed


class Groups(Keyed[Group]):
    """Groups by slug; the chairs of active groups indexed, since every request asks."""

    indexes = {"chair": lambda doc: doc.get("chairs", ())
               if doc.get("status", "active") == "active" else ()}
    order_by = ("name",)

    def is_chair(self, member_id: str) -> bool:
        """Whether ``member_id`` chairs an active group (asked on every request: indexed)."""
        return bool(self._c.numbers("chair", member_id))

    def active(self) -> list[Group]:
        return [g for g in self.all() if g.status == "active"]
