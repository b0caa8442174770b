"""Consultations, the positions given on them (every one kept), and joint statements."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection, by_field
from storage.models import Consultation, Position, Statement
from storage.sharded import ShardedCollection


class Consultations:
    record = Consultation

    def __init__(self, collection: Collection[Consultation]) -> None:
        self._c = collection
        collection.add_index("status", by_field("status"))

    def get(self, number: int) -> Consultation | None:
        return self._c.get_number(number)

    def all(self) -> list[Consultation]:
        return sorted(self._c.all(), key=lambda c: c.id)

    def open(self) -> list[Consultation]:
        """The open ones (a handful among years of closed ones: only they are decoded)."""
        return self._c.lookup("status", "open")

    def add(self, build: Callable[[int], Consultation]) -> Consultation:
        return self._c.add_numbered(build)

    def save(self, consultation: Consultation) -> None:
        self._c.save_numbered(consultation)


class Positions:
    """The history of positions; an agency's current one is its latest.

    Each consultation's positions are in its own shard; which position is each agency's latest,
    and the consultation's latest of all, are indexed by number (from the stored documents at
    open, then kept in step by ``add``), so answering a click decodes one position per agency,
    however many times the agencies changed their minds."""

    record = Position

    def __init__(self, collection: ShardedCollection[Position]) -> None:
        self._c = collection
        self._latest: dict[int, dict[str, int]] = {}  # consultation → agency → number
        for key in collection.shards:
            for doc in sorted(collection.shard(key).stored(), key=lambda d: d["id"]):
                self._note(doc["consultation_id"], doc["agency"], doc["id"])

    def _note(self, consultation_id: int, agency: str, number: int) -> None:
        latest = self._latest.setdefault(consultation_id, {})
        if number > latest.get(agency, 0):
            latest[agency] = number

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

    def add(self, build: Callable[[int], Position]) -> Position:
        position = self._c.add_numbered(build)
        self._note(position.consultation_id, position.agency, position.id)
        return position


class Statements:
    record = Statement

    def __init__(self, collection: Collection[Statement]) -> None:
        self._c = collection

    def get(self, number: int) -> Statement | None:
        return self._c.get_number(number)

    def all(self) -> list[Statement]:
        return sorted(self._c.all(), key=lambda s: s.id)

    def add(self, build: Callable[[int], Statement]) -> Statement:
        return self._c.add_numbered(build)

    def save(self, statement: Statement) -> None:
        self._c.save_numbered(statement)
