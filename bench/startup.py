"""Start-up time and resident memory of the bot on ten years of data, next to the same on an
empty data dir (the baseline: what the libraries alone cost)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.history import generate  # noqa: E402

PROBE = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from bot.app import BotApp
from bot.config import load_network
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


def probe(data: Path) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    runs = [json.loads(subprocess.run([sys.executable, "-c", PROBE, str(data)], cwd=root,
                                      capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return {k: sorted(r[k] for r in runs)[1] for k in ("seconds", "rss_mb")}


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    generate(folder / "full")
    empty = probe(folder / "empty")
    full = probe(folder / "full")
    print("Start-up (imports, open every collection, schedule, dateparser warm-up), median of 3:")
    print(f"{'data':<28} {'seconds':>8} {'max RSS MB':>11}")
    print(f"{'empty data dir':<28} {empty['seconds']:>8.2f} {empty['rss_mb']:>11.1f}")
    print(f"{'ten years of history':<28} {full['seconds']:>8.2f} {full['rss_mb']:>11.1f}")
    print("targets: start-up <= 2 s, resident memory <= 150 MB")


if __name__ == "__main__":
    main()
