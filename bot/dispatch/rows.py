"""The due rows as the dispatcher read them, kept while storage holds them unchanged.

A pass looks for due rows again after every answer queued meanwhile (someone is waiting for
it), and a fan-out leaves many rows due for a while: reading — decoding — every one of them
each time was a large part of the bot's work under load. A row read earlier is used again when
its version in the outbox (``Outbox.version``, changed by any write of it) is still the one it
was read at; any other is read afresh. Rows written since, or no longer pending, are forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import OutboxRow
from storage.outbox import Outbox


class ReadRows:
    """Row number → (the version it was read at, the row)."""

    def __init__(self) -> None:
        self._read: dict[int, tuple[int, OutboxRow]] = {}

    def rows(self, outbox: Outbox, numbers: Iterable[int]) -> list[OutboxRow]:
        """The rows ``numbers`` as storage holds them now, decoding only those written since
        they were last read here (or never read)."""
        wanted: list[OutboxRow] = []
        for number in numbers:
            version = outbox.version(number)
            kept = self._read.get(number)
            if kept is None or kept[0] != version or not version:
                row = outbox.get(number)
                if row is None:
                    continue
                kept = self._read[number] = (version, row)
            wanted.append(kept[1])
        # Those written since, or no longer pending, are forgotten (a parked row is kept).
        self._read = {number: kept for number, kept in self._read.items()
                      if outbox.version(number) == kept[0]}
        return wanted

    def forget(self) -> None:
        """Read everything afresh next time (a write was refused: memory may be ahead)."""
        self._read.clear()
