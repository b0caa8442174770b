"""Start-up time and resident memory of the bot on ten years of data, next to the same on an
empty data dir (the baseline: what the libraries alone cost); then with a busy month more, once
cleanly stopped (all in the files) and once after a crash that left that month in a full journal
(what compaction allows at most) to replay over the files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.history import generate
from storage.store import Store

PROBE = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from bot.app import BotApp
from bot.config.network import load_network
from scheduler.when import warm_up
from storage.store import Store
store = Store.open(Path(sys.argv[1]))
app = BotApp(store, load_network())
app.job_specs()
warm_up()
elapsed = time.perf_counter() - started
# VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the parent's peak
status = open("/proc/self/status").read()
rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
store.close()
print(json.dumps({"seconds": elapsed, "rss_mb": rss}))
"""


def probe(data: Path, template: Path | None = None) -> dict[str, float]:
    """Median of three start-ups; each from a fresh copy of ``template`` when given (a clean
    stop compacts, so a journal is replayed only once)."""
    root = Path(__file__).resolve().parent.parent
    runs = []
    for _ in range(3):
        if template is not None:
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(template, data)
        runs.append(json.loads(subprocess.run(
            [sys.executable, "-c", PROBE, str(data)], cwd=root, capture_output=True, text=True,
            check=True).stdout))
    return {k: sorted(r[k] for r in runs)[1] for k in ("seconds", "rss_mb")}


def crashed_with_a_full_journal(data: Path, megabytes: int = 8) -> int:
    """A month of traffic left only in the journal, as a SIGKILL before any compaction leaves
    it: positions, queued messages marked sent, event ids. Returns the journal's bytes."""
    from storage.models import Position

    store = Store.open(data, compact_after=2**40)
    n = 0
    journal = store.engine.journal  # type: ignore[union-attr]
    message = {"title": "Consultation n° 500", "paragraphs": ["Texte " * 60]}
    while journal.size < megabytes * 2**20:
        n += 1
        at = f"2026-11-{1 + n % 28:02d}T10:00:00.000000+00:00"
        with store.transaction():
            store.events.first_time(f"slack:Crash{n}", at)
            store.positions.add(lambda i, n=n, at=at: Position(
                id=i, consultation_id=500, agency="UNICEF", member_id="m6",
                choice=("agree", "abstain")[n % 2], at=at))
            row = store.outbox.add(f"crash:{n}", {"kind": "member", "ref": f"m{n % 100}"},
                                   message, at)
        if row is not None:
            row.status = "sent"
            with store.transaction():
                store.outbox.save(row)
    size = journal.size
    store.close(compact=False)
    return size


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    generate(folder / "full")
    empty = probe(folder / "empty")
    full = probe(folder / "full")
    shutil.copytree(folder / "full", folder / "crashed")
    size = crashed_with_a_full_journal(folder / "crashed")
    crashed = probe(folder / "run", template=folder / "crashed")
    shutil.copytree(folder / "crashed", folder / "stopped")
    Store.open(folder / "stopped").close()  # a clean stop: the same data, all in the files
    stopped = probe(folder / "stopped")
    print("Start-up (imports, open every collection, schedule, dateparser warm-up), median of 3:")
    print(f"{'data':<44} {'seconds':>8} {'max RSS MB':>11}")
    print(f"{'empty data dir':<44} {empty['seconds']:>8.2f} {empty['rss_mb']:>11.1f}")
    print(f"{'ten years of history':<44} {full['seconds']:>8.2f} {full['rss_mb']:>11.1f}")
    print(f"{'the same + a busy month, cleanly stopped':<44} {stopped['seconds']:>8.2f} "
          f"{stopped['rss_mb']:>11.1f}")
    label = f"that month in {size / 2**20:.0f} MB of journal (a crash)"
    print(f"{label:<44} {crashed['seconds']:>8.2f} {crashed['rss_mb']:>11.1f}")
    print("targets: start-up <= 1 s, resident memory <= 150 MB")


if __name__ == "__main__":
    main()
