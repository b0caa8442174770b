"""The cost of one durable write on ten years of data, and on a busy month: a position (as a
click makes), an outbox row queued then marked sent in a month whose outbox weighs 4.5 MB, and
an event id recorded in a month of 200,000 ids; then many writers at once (group commit).
The baseline is TinyDB's default single-file ``JSONStorage`` holding the same data."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from bench.history import _bulk, generate
from storage.models import OutboxRow, Position
from storage.store import Store

WRITES = 30
MONTH = datetime.now(UTC).strftime("%Y-%m")  # the history's month, which holds the event ids
OUTBOX_MB = 4.5
EVENT_IDS = 200_000
CONCURRENT = 200


def durable(store: Store) -> None:
    """Make what was just changed durable (the store's own way of saying it)."""
    sync = getattr(store, "sync_now", None)
    if sync is not None:
        sync()


def timed(store: Store, write: Callable[[int], object]) -> list[float]:
    timings = []
    for n in range(WRITES):
        started = time.perf_counter()
        write(n)
        durable(store)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def busy_month(data: Path) -> None:
    """This month's outbox at 4.5 MB, as a busy network makes it (the history has this month's
    200,000 event ids already)."""
    store = Store.open(data)
    try:
        message = {"title": "Consultation n° 12", "paragraphs": ["Texte " * 180],
                   "buttons": [{"action": "position.agree", "value": "12", "label": "D'accord"}]}
        size = len(json.dumps(OutboxRow(id=1, key="k", recipient={}, message=message).to_doc()))
        count = int(OUTBOX_MB * 1e6 / size)
        rows = [OutboxRow(id=100_000 + n, key=f"bench:{n}", recipient={"kind": "member",
                                                                        "ref": f"m{n % 100}"},
                          message=message, status="sent", created_at=f"{MONTH}-02T10:00:00",
                          next_attempt_at=f"{MONTH}-02T10:00:00").to_doc()
                for n in range(count)]
        _bulk(store.outbox._c.shard(MONTH), rows)
    finally:
        store.close()


def ours(data: Path) -> dict[str, list[float]]:
    store = Store.open(data)
    try:
        figures = {
            "a position (its consultation's file)": timed(store, lambda n: store.positions.add(
                lambda i: Position(id=i, consultation_id=500, agency="UNICEF", member_id="m6",
                                   choice="agree", at=f"{MONTH}-28T10:00:{n:02d}"))),
            f"an outbox row queued ({OUTBOX_MB} MB month)": timed(store, lambda n: store.outbox.add(
                f"new:{n}", {"kind": "member", "ref": "m1"}, {"title": "T"},
                f"{MONTH}-28T10:00:{n:02d}")),
        }
        queued = [row for row in store.outbox.pending() if row.key.startswith("new:")]

        def mark_sent(n: int) -> None:
            row = queued[n]
            row.status, row.sent_at = "sent", f"{MONTH}-28T10:01:00"
            store.outbox.save(row)

        figures[f"an outbox row marked sent ({OUTBOX_MB} MB month)"] = timed(store, mark_sent)
        figures[f"an event id recorded ({EVENT_IDS:,} ids in the month)"] = timed(
            store, lambda n: store.events.first_time(f"slack:Bench{n}", f"{MONTH}-28T10:00:00"))
        return figures
    finally:
        store.close()


def concurrent(data: Path, spread: float) -> tuple[float, int] | None:
    """``CONCURRENT`` writers arriving within ``spread`` seconds, each waiting for its own change
    to be durable; how long all of them took and how many fsyncs the journal needed (``None``
    without a journal)."""
    store = Store.open(data)
    if not hasattr(store, "durable"):
        store.close()
        return None
    calls = 0
    engine = store.engine
    real = engine.journal.fsync

    def counting(fd: int) -> None:
        nonlocal calls
        calls += 1
        real(fd)

    engine.journal.fsync = counting

    async def writer(n: int) -> None:
        await asyncio.sleep(spread * n / CONCURRENT)
        with store.transaction():
            store.events.first_time(f"slack:Burst{spread}:{n}", f"{MONTH}-28T11:00:00")
        await store.durable()

    async def burst() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(writer(n) for n in range(CONCURRENT)))
        return time.perf_counter() - started

    try:
        return asyncio.run(burst()) * 1000, calls
    finally:
        store.close()


def single_file(data: Path) -> list[float]:
    """Every collection as a table of one TinyDB file, as TinyDB does by default."""
    merged: dict = {}
    for path in data.rglob("*.json"):
        for name, table in json.loads(path.read_text()).items():
            merged.setdefault(name, {}).update(table)  # ids are unique across shards
    target = data.parent / "single.json"
    target.write_text(json.dumps(merged))
    db = TinyDB(target, storage=JSONStorage)
    table = db.table("positions")
    timings = []
    for n in range(WRITES):
        started = time.perf_counter()
        table.insert({"consultation_id": 500, "agency": "UNICEF", "member_id": "m6",
                      "choice": "agree", "at": f"2026-11-28T10:00:{n:02d}"})
        timings.append((time.perf_counter() - started) * 1000)
    db.close()
    os.unlink(target)
    return timings


def main() -> None:
    data = Path(tempfile.mkdtemp()) / "data"
    generate(data)
    baseline = single_file(data)
    busy_month(data)
    mine = ours(data)
    print(f"One durable write on ten years of data, median and p95 of {WRITES}:")
    print(f"{'write':<64} {'median ms':>10} {'p95 ms':>8}")
    for name, timings in mine.items():
        print(f"{'reseau-bot: ' + name:<64} {statistics.median(timings):>10.2f} "
              f"{sorted(timings)[int(WRITES * .95)]:>8.2f}")
    b = statistics.median(baseline)
    print(f"{'TinyDB JSONStorage, one file (no fsync): a position':<64} {b:>10.2f} "
          f"{sorted(baseline)[int(WRITES * .95)]:>8.2f}")
    m = statistics.median(next(iter(mine.values())))
    print(f"ratio for a position: {b / m:.1f}x cheaper (target >= 10x)")
    for spread in (0, 0.04):
        burst = concurrent(data, spread)
        if burst is not None:
            elapsed, fsyncs = burst
            print(f"{CONCURRENT} writers arriving within {spread * 1000:.0f} ms, each waiting "
                  f"for its own durable write: {elapsed:.0f} ms in all, {fsyncs} fsyncs")


if __name__ == "__main__":
    main()
