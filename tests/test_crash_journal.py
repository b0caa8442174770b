"""The journal under SIGKILL, with real processes: bursts of concurrent acknowledged changes
killed at random (also in the middle of compactions), a kill at each stage of a compaction, a
torn last line. Every change whose acknowledgement was printed is there after a restart, with
everything its transaction held, and nothing is there twice."""

from __future__ import annotations

import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from storage.store import Store
from tests.conftest import REPO

NOW = "2026-11-28T10:00:00+00:00"
TIMEOUT = 30.0
ACK = re.compile(r"(ack|sent) (\w+:w\d+:\d+)")


class Trial:
    """One harness process in ``burst`` mode, read line by line until the test kills it."""

    def __init__(self, data: Path, trial: str, **env: str) -> None:
        environment = {**os.environ, "RESEAU_TEST_COMPACT_AFTER": str(24 * 1024), **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash_harness", str(data), trial, NOW, "burst"],
            cwd=REPO, stdout=subprocess.PIPE, text=True, env=environment)
        self.acked: list[str] = []
        self.sent: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            if text.endswith("\n"):  # not a line cut by the kill
                self._lines.put(text.strip())
        self._lines.put(None)

    def _next(self, timeout: float = TIMEOUT) -> str | None:
        try:
            text = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.process.kill()
            raise AssertionError("the harness went silent") from None
        # The compaction thread's "paused" can land in the middle of a writer's line: such a
        # line counts as no acknowledgement (the check only gets stricter).
        found = ACK.fullmatch(text or "")
        if found:
            (self.acked if found[1] == "ack" else self.sent).append(found[2])
        return text

    def read_until(self, acks: int | None = None, line: str | None = None) -> None:
        """Read acknowledgements until ``acks`` more of them, or until ``line`` appears."""
        wanted = len(self.acked) + acks if acks is not None else None
        deadline = time.monotonic() + TIMEOUT
        while True:
            text = self._next(max(deadline - time.monotonic(), 0.01))
            if text is None:
                raise AssertionError(f"the harness stopped (exit {self.process.wait()})")
            if (line is not None and line in text) or (
                    wanted is not None and len(self.acked) >= wanted):
                return

    def kill(self) -> None:
        """SIGKILL; acknowledgements already in the pipe were given too: read them."""
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=TIMEOUT) == -signal.SIGKILL
        while self._next() is not None:
            pass


def check(data: Path, acked: list[str], sent: list[str]) -> int:
    """Every acknowledged row with its event id (same transaction), every acknowledged "sent"
    mark, nothing twice. Opened read-only, as ``reseau-bot check`` does. Returns the rows."""
    store = Store.open(data, lock=False)
    try:
        rows = store.outbox.all()
        keys = Counter(row.key for row in rows)
        assert not [k for k, n in keys.items() if n > 1], "a row stored twice"
        events = Counter(store.events.keys())
        assert not [k for k, n in events.items() if n > 1], "an event id stored twice"
        missing = [key for key in acked if key not in keys]
        assert not missing, f"{len(missing)} acknowledged rows lost, e.g. {missing[:3]}"
        assert all(f"ev:{key}" in events for key in acked), "a row without its event id"
        # Atomicity: no row without its event id, no event id without its row.
        assert {f"ev:{key}" for key in keys} == {k for k in events if k.startswith("ev:")}
        status = {row.key: row.status for row in rows}
        assert all(status[key] == "sent" for key in sent), "an acknowledged mark lost"
        assert all(row.message["title"] == "Consultation" for row in rows)
        return len(rows)
    finally:
        store.close()


def test_sigkill_during_group_commits_loses_nothing_acknowledged_and_stores_nothing_twice(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    rng = random.Random(16)
    acked: list[str] = []
    sent: list[str] = []
    compactions = 0
    for number in range(20):
        trial = Trial(data, f"t{number}")
        trial.read_until(line="ready")
        trial.read_until(acks=rng.randint(1, 300))
        trial.kill()
        acked += trial.acked
        sent += trial.sent
        rows = check(data, acked, sent)
        assert rows >= len(acked)  # the unacknowledged may be there too, but whole
        segments = sorted(p.name for p in (data / "journal").glob("*.jsonl"))
        compactions = max(compactions, int(segments[-1][:6]))
    assert len(acked) > 500
    assert compactions > 5  # kills landed while the journal was being compacted too
    assert (data / "outbox" / "2026-11.json").exists()


@pytest.mark.parametrize("stage", ["file", "files", "segments"])
def test_a_kill_at_any_stage_of_a_compaction_loses_nothing(tmp_path: Path, stage: str) -> None:
    """``file``: one file rewritten, the others not; ``files``: all rewritten, no segment
    deleted; ``segments``: the old segments deleted. Writers go on meanwhile."""
    data = tmp_path / "data"
    first = Trial(data, "before")
    first.read_until(line="ready")
    first.read_until(acks=150)
    first.kill()
    # Room for the writers to go on while the compaction is stuck: at twice the threshold they
    # would wait for it. Wide (hundreds of acks), since on a loaded machine the compaction
    # thread can take a while to reach its stage while the writers go on: were they already
    # waiting when it pauses there, no ack would ever come.
    trial = Trial(data, "during", RESEAU_TEST_COMPACTION_STOP=stage,
                  RESEAU_TEST_COMPACT_AFTER=str(256 * 1024))
    trial.read_until(line=f"paused {stage}")
    trial.read_until(acks=20)  # acknowledged while the compaction is stuck
    trial.kill()
    check(data, first.acked + trial.acked, first.sent + trial.sent)
    after = Trial(data, "after")  # the next process replays and compacts again
    after.read_until(line="ready")
    after.read_until(acks=50)
    after.kill()
    check(data, first.acked + trial.acked + after.acked, first.sent + trial.sent + after.sent)


def test_a_torn_last_line_is_dropped_at_start_up_and_the_rest_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Trial(data, "before", RESEAU_TEST_COMPACT_AFTER=str(2**30))
    first.read_until(line="ready")
    first.read_until(acks=100)
    first.kill()
    segment = sorted((data / "journal").glob("*.jsonl"))[-1]
    whole = segment.read_bytes()
    with segment.open("ab") as out:  # a crash in the middle of writing a line
        out.write(b'{"crc":"1234abcd","tx":{"seq":999999,"changes":[{"f":"outb')
    second = Trial(data, "after", RESEAU_TEST_COMPACT_AFTER=str(2**30))
    second.read_until(line="ready")  # it starts
    kept = segment.read_bytes()  # cut back to the last whole line, then appended to
    assert kept.startswith(whole) and b'"seq":999999' not in kept
    second.read_until(acks=50)
    second.kill()
    check(data, first.acked + second.acked, first.sent + second.sent)
