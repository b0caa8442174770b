"""Consultations, the positions given on them (every one kept), and joint statements."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection
from storage.models import Consultation, Position, Statement
from storage.sharded import ShardedCollection


class Consultations:
    record = Consultation

    def __init__(self, collection: Collection[Consultation]) -> None:
        self._c = collection

    def get(self, number: int) -> Consultation | None:
        return self._c.get_number(number)

    def all(self) -> list[Consultation]:
        return sorted(self._c.all(), key=lambda c: c.id)

    def open(self) -> list[Consultation]:
        return sorted(self._c.where(lambda doc: doc.get("status") == "open"), key=lambda c: c.id)

    def add(self, build: Callable[[int], Consultation]) -> Consultation:
        return self._c.add_numbered(build)

    def save(self, consultation: Consultation) -> None:
        self._c.save_numbered(consultation)


class Positions:
    """The history of positions; an agency's current one is its latest."""

    record = Position

    def __init__(self, collection: ShardedCollection[Position]) -> None:
        self._c = collection
        self._by_consultation: dict[int, list[Position]] = {}
        for position in collection:
            self._by_consultation.setdefault(position.consultation_id, []).append(position)

    def history(self, consultation_id: int) -> list[Position]:
        return sorted(self._by_consultation.get(consultation_id, []), key=lambda p: p.id)

    def current(self, consultation_id: int) -> dict[str, Position]:
        """Agency code → its latest position."""
        latest: dict[str, Position] = {}
        for position in self.history(consultation_id):
            latest[position.agency] = position
        return latest

    def add(self, build: Callable[[int], Position]) -> Position:
        position = self._c.add_numbered(build)
        self._by_consultation.setdefault(position.consultation_id, []).append(position)
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
