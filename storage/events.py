"""Events already processed, so a platform's redelivery is handled once.

Every Slack event and Telegram update records its id, in the transaction of what it changed,
before it is acknowledged: hundreds of thousands a month in a busy network. They are kept as
key logs (``storage/keylog.py``), one per month (``events/2026-11.txt``): in memory a sorted
array of their hashes, so recording one and asking about one cost the same at the first id and
the 200,000th, a month of 200,000 takes 1.6 MB, and start-up reads a month with one ``split``."""

from __future__ import annotations

from storage.engine import Engine
from storage.keylog import KeyLog

FOLDER = "events"


class ProcessedEvents:
    """Keys like ``slack:Ev123`` or ``telegram:update:42``, by the month they were recorded."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._months: dict[str, KeyLog] = {
            month: engine.key_log(f"{FOLDER}/{month}") for month in engine.shard_keys(FOLDER)}

    def __len__(self) -> int:
        return sum(len(log) for log in self._months.values())

    def __contains__(self, key: str) -> bool:
        return any(key in log for log in self._months.values())

    def months(self) -> list[str]:
        return sorted(self._months)

    def keys(self) -> list[str]:
        """Every key recorded, sorted (for checks and tests: a month can hold 200,000)."""
        return sorted(key for log in self._months.values() for key in log.all_keys())

    def forget_before(self, month: str) -> int:
        """Drop the ids of months before ``month`` (``YYYY-MM``): platforms redeliver within
        minutes (Slack) or until acknowledged (Telegram), never months later. At once in
        memory, the files at the next compaction."""
        old = [m for m in self._months if m < month]
        for m in old:
            self._months.pop(m).drop()
        return len(old)

    def first_time(self, key: str, at: str) -> bool:
        """Record ``key`` under the month of ``at`` (UTC ISO 8601); ``False`` when it was
        already recorded (a redelivery)."""
        if key in self:
            return False
        month = at[:7]
        log = self._months.get(month)
        if log is None:
            log = self._months[month] = self._engine.key_log(f"{FOLDER}/{month}")
        return log.add(key)

    def forget(self, key: str) -> None:
        """Treat ``key`` as never processed in this process (its handling failed): its
        redelivery is handled. A refused transaction is taken back whole, its key included, so
        this only matters for a key written apart from what failed."""
        for log in self._months.values():
            log.discard(key)
