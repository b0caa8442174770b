"""Working groups and the annual workplan's actions."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection
from storage.models import Group, PlanAction


class Groups:
    record = Group

    def __init__(self, collection: Collection[Group]) -> None:
        self._c = collection
        collection.add_index("chair", lambda doc: doc.get("chairs", ())
                             if doc.get("status", "active") == "active" else ())

    def is_chair(self, member_id: str) -> bool:
        """Whether ``member_id`` chairs an active group (asked on every request: indexed)."""
        return bool(self._c.numbers("chair", member_id))

    def get(self, slug: str) -> Group | None:
        return self._c.get_keyed(slug)

    def all(self) -> list[Group]:
        return sorted(self._c.all(), key=lambda g: g.name)

    def active(self) -> list[Group]:
        return [g for g in self.all() if g.status == "active"]

    def save(self, group: Group) -> None:
        self._c.save_keyed(group)

    def add_if_new(self, group: Group) -> bool:
        if self._c.get_keyed(group.id) is not None:
            return False
        self._c.save_keyed(group)
        return True


OPEN = ("planned", "in_progress", "postponed")  # followed up until due, and after


class Plan:
    record = PlanAction

    def __init__(self, collection: Collection[PlanAction]) -> None:
        self._c = collection
        collection.add_index("open", lambda doc: (True,) if doc.get("status") in OPEN else ())

    def open(self) -> list[PlanAction]:
        """The actions still followed up (only they are decoded), by due date."""
        return sorted(self._c.lookup("open", True), key=lambda a: (a.due, a.id))

    def get(self, number: int) -> PlanAction | None:
        return self._c.get_number(number)

    def all(self) -> list[PlanAction]:
        return sorted(self._c.all(), key=lambda a: (a.due, a.id))

    def of_year(self, year: int) -> list[PlanAction]:
        return [a for a in self.all() if a.year == year]

    def add(self, build: Callable[[int], PlanAction]) -> PlanAction:
        return self._c.add_numbered(build)

    def save(self, action: PlanAction) -> None:
        self._c.save_numbered(action)
