"""The cost of one durable write (a position, as a click makes) on ten years of data: the bot's
storage (one file per collection, atomic replace with fsync) next to TinyDB's default
single-file ``JSONStorage`` holding the same data."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from bench.history import generate  # noqa: E402
from storage.models import Position  # noqa: E402
from storage.store import Store  # noqa: E402

WRITES = 30


def ours(data: Path) -> list[float]:
    store = Store.open(data)
    timings = []
    try:
        for n in range(WRITES):
            started = time.perf_counter()
            store.positions.add(lambda i, n=n: Position(
                id=i, consultation_id=500, agency="UNICEF", member_id="m6", choice="agree",
                at=f"2026-11-28T10:00:{n:02d}"))
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
    return timings


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
    return timings


def main() -> None:
    data = Path(tempfile.mkdtemp()) / "data"
    generate(data)
    mine, baseline = ours(data), single_file(data)
    m, b = statistics.median(mine), statistics.median(baseline)
    print(f"One durable write (a position) on ten years of data, median of {WRITES}:")
    print(f"{'storage':<44} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'reseau-bot (its own shard, fsync)':<44} {m:>10.2f} "
          f"{sorted(mine)[int(WRITES * .95)]:>8.2f}")
    print(f"{'TinyDB JSONStorage, one file (no fsync)':<44} {b:>10.2f} "
          f"{sorted(baseline)[int(WRITES * .95)]:>8.2f}")
    print(f"ratio: {b / m:.1f}x cheaper (target >= 10x)")


if __name__ == "__main__":
    main()
