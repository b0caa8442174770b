"""The annual workplan's actions."""

from __future__ import annotations

from storage.models import PlanAction
from storage.repository import Numbered

OPEN = ("planned", "in_progress", "postponed")  # followed up until due, and after


class Plan(Numbered[PlanAction]):
    """Numbered actions, the open ones indexed (followed up every day)."""

    indexes = {"open": lambda doc: (True,) if doc.get("status") in OPEN else ()}
    order_by = ("due", "id")

    def open(self) -> list[PlanAction]:
        """The actions still followed up (only they are decoded), by due date."""
        return sorted(self.lookup("open", True), key=lambda a: (a.due, a.id))

    def of_year(self, year: int) -> list[PlanAction]:
        return [a for a in self.all() if a.year == year]
