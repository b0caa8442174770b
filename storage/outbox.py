"""The outbox: every message the bot owes someone, kept until delivered or given up on."""

from __future__ import annotations

from typing import Any

from storage.collection import Collection
from storage.models import OutboxRow


class Outbox:
    """Rows keyed by an idempotency key: adding the same key twice stores one row."""

    record = OutboxRow

    def __init__(self, collection: Collection[OutboxRow]) -> None:
        self._c = collection
        self._keys = {row.key for row in collection}

    def add(self, key: str, recipient: dict[str, Any], message: dict[str, Any],
            now_iso: str) -> OutboxRow | None:
        """Queue a message; ``None`` when that key was already queued (the work ran twice)."""
        if key in self._keys:
            return None
        row = self._c.add_numbered(lambda n: OutboxRow(
            id=n, key=key, recipient=recipient, message=message, created_at=now_iso,
            next_attempt_at=now_iso))
        self._keys.add(key)
        return row

    def has_key(self, key: str) -> bool:
        return key in self._keys

    def due(self, now_iso: str) -> list[OutboxRow]:
        """Pending rows whose next attempt time has come, oldest first."""
        rows = self._c.find(lambda r: r.status == "pending" and r.next_attempt_at <= now_iso)
        return sorted(rows, key=lambda r: r.id)

    def all(self) -> list[OutboxRow]:
        return sorted(self._c.all(), key=lambda r: r.id)

    def with_status(self, status: str) -> list[OutboxRow]:
        return self._c.find(lambda r: r.status == status)

    def get(self, number: int) -> OutboxRow | None:
        return self._c.get_number(number)

    def save(self, row: OutboxRow) -> None:
        self._c.save_numbered(row)
