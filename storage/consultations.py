"""Consultations and the positions given on them (every one kept)."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import by_field
from storage.models import Consultation, Position
from storage.repository import Numbered
from storage.sharded import ShardedCollection


class Consultations(Numbered[Consultation]):
    indexes = {"status": by_field("status")}

    def open(self) -> list[Consultation]:
        """The open ones (a handful among years of closed ones: only they are decoded)."""
        return self.lookup("status", "open")


class Positions(Numbered[Position]):
    """The history of positions; an agency's current one is its latest.

    Each consultation's positions are in its own shard; which position is each agency's latest,
    and the consultation's latest of all, are indexed by number (from the stored documents at
    open, then kept in step by ``add``), so answering a click decodes one position per agency,
    however many times the agencies changed their minds."""

    def __init__(self, collection: ShardedCollection[Position]) -> None:
        super().__init__(collection)
        self._latest: dict[int, dict[str, int]] = {}  # consultation → agency → number
        self._choices: dict[int, dict[str, str]] = {}  # consultation → agency → its choice
        for key in collection.shards:
            for doc in sorted(collection.shard(key).stored(), key=lambda d: d["id"]):
                self._note(doc["consultation_id"], doc["agency"], doc["id"], doc["choice"])

    def _note(self, consultation_id: int, agency: str, number: int, choice: str) -> None:
        latest = self._latest.setdefault(consultation_id, {})
        if number > latest.get(agency, 0):
            latest[agency] = number
            self._choices.setdefault(consultation_id, {})[agency] = choice

    def history(self, consultation_id: int) -> list[Position]:
        """Every position given on the consultation, oldest first (decodes them all)."""
        shard = self._c.shards.get(f"{consultation_id:06d}")
        found = [p for p in shard if p.consultation_id == consultation_id] if shard else []
        return sorted(found, key=lambda p: p.id)

    def last_number(self, consultation_id: int) -> int:
        """The number of the consultation's latest position, 0 before any."""
        return max(self._latest.get(consultation_id, {}).values(), default=0)

    def latest_of(self, consultation_id: int, agency: str) -> Position | None:
        """The agency's current position on the consultation (only it is decoded)."""
        number = self._latest.get(consultation_id, {}).get(agency)
        return self._c.get_number(number) if number is not None else None

    def current(self, consultation_id: int) -> dict[str, Position]:
        """Agency code → its latest position, in the order the agencies first answered."""
        found: dict[str, Position] = {}
        for agency, number in self._latest.get(consultation_id, {}).items():
            position = self._c.get_number(number)
            if position is not None:
                found[agency] = position
        return found

    def choices(self, consultation_id: int) -> dict[str, str]:
        """Agency code → the choice of its latest position, in the order the agencies first
        answered: what a decision is computed from, read from memory (a live card recomputes
        the decision after every click; decoding every agency's position each time was the
        larger part of a click under a burst)."""
        return dict(self._choices.get(consultation_id, {}))

    def add(self, build: Callable[[int], Position]) -> Position:
        position = super().add(build)
        self._note(position.consultation_id, position.agency, position.id, position.choice)
        return position
