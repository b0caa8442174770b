"""Recording what the dispatcher did, when the data dir may refuse writes.

Nothing goes out that could not be recorded: the targets about to be tried are written down
before the platform is called, and the result after. When the data dir refuses a write (a full
disk), the dispatcher pauses — no sends at all — keeps what it learnt in memory (rows delivered,
outcomes not yet told), and resumes once a write succeeds again. Apart from the delivery pass so
that the pass reads as "send, then record", and this module alone knows what is owed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from storage.faults import StorageUnavailable
from storage.journal import JournalError
from storage.models import OutboxRow
from storage.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


def writing(work: Callable[[], T]) -> T:
    """Run ``work``, a storage write: an ``OSError`` means the data dir refused it."""
    try:
        return work()
    except StorageUnavailable:
        raise
    except OSError as error:
        raise StorageUnavailable(error) from error


class Ledger:
    """The dispatcher's writes: each its own transaction; what a refused write leaves owed is
    kept here and written first once the data dir accepts writes again."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.paused: str | None = None  # why the data dir refuses writes, while it does
        self._owed_rows: dict[int, OutboxRow] = {}  # delivered, not yet recorded
        self._owed_reports: list[Callable[[], None]] = []  # outcomes not yet told

    def write(self, work: Callable[[], T]) -> T:
        """``work`` as one transaction of its own; a write the data dir refuses (a full disk)
        raises ``StorageUnavailable``."""
        def transaction() -> T:
            with self.store.transaction():
                return work()

        return writing(transaction)

    async def durable(self) -> None:
        try:
            await self.store.durable()
        except (OSError, JournalError) as error:
            raise StorageUnavailable(error) from error

    def save(self, row: OutboxRow) -> None:
        self.write(lambda: self.store.outbox.save(row))
        self._resume()

    def save_sent(self, row: OutboxRow) -> None:
        """``save`` for a row that went: if it cannot be recorded now, it is owed (never sent
        again)."""
        try:
            self.save(row)
        except StorageUnavailable:
            self._owed_rows[row.id] = row
            raise

    def finish(self, row: OutboxRow, reports: list[Callable[[], None]]) -> None:
        """Record ``row``, then tell what happened; what cannot be written now is owed."""
        try:
            self.save(row)
        except StorageUnavailable:
            self._owed_rows[row.id] = row
            self._owed_reports += reports
            raise
        for report in reports:
            self.report(report)

    def report(self, report: Callable[[], None]) -> None:
        try:
            self.write(report)
        except StorageUnavailable:
            self._owed_reports.append(report)
            raise
        except Exception:
            log.exception("reporting a delivery outcome failed")

    def catch_up(self) -> bool:
        """Write what a refused write left owed (rows delivered, outcomes); ``False`` while the
        data dir still refuses: nothing is sent meanwhile."""
        if not self._owed_rows and not self._owed_reports:
            return True  # if paused, the next write (a "sending" mark) is the probe
        try:
            for number, row in list(self._owed_rows.items()):
                self.save(row)
                del self._owed_rows[number]
            while self._owed_reports:
                self.report(self._owed_reports.pop(0))
        except StorageUnavailable as error:
            self.pause(error)
            return False
        self._resume()
        return True

    def pause(self, error: StorageUnavailable) -> None:
        if self.paused is None:
            log.error("deliveries paused: %s; nothing is sent until a write succeeds", error)
        self.paused = error.reason

    def _resume(self) -> None:
        if self.paused is not None and not self._owed_rows and not self._owed_reports:
            log.warning("deliveries resume: the data dir accepts writes again")
            self.paused = None
