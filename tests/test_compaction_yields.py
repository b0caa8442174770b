"""Compaction's worker encodes the changed files while holding the interpreter's lock it shares
with the event loop: while requests wait for their ack, it sleeps between documents — a bounded
time, so a compaction under constant traffic still ends — and the files it writes are the same."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from storage import compaction
from storage.atomic import AtomicJSONStorage
from storage.files import RENDER_STRIDE, render
from storage.store import Store

NOW = "2026-11-28T10:00:00.000000+00:00"


def test_render_calls_its_pause_every_stride_of_documents() -> None:
    pauses: list[int] = []
    docs = {str(n): {"id": n} for n in range(1, 3 * RENDER_STRIDE + 10)}
    text = render([("t", docs, {})], pause=lambda: pauses.append(1))
    assert len(pauses) == 3
    assert json.loads(text) == {"t": docs}


def test_a_snapshot_copies_the_table_not_one_object_per_document(tmp_path: Path) -> None:
    """Taken on the loop's thread: a month's outbox is 30,000 documents, and a pair made for
    each, kept alive while the worker encoded, set off a young collection walking them all."""
    storage = AtomicJSONStorage(tmp_path / "outbox.json")
    for n in range(1, 10_001):
        storage.put("_default", n, {"id": n, "status": "sent"})
    gc.collect()
    tracked = len(gc.get_objects())
    snapshot = storage.snapshot()
    assert len(gc.get_objects()) - tracked < 100
    storage.put("_default", 1, {"id": 1, "status": "pending"})  # a change after it
    assert json.loads(render(snapshot))["_default"]["1"] == {"id": 1, "status": "sent"}


@pytest.mark.parametrize("busy", [True, False])
def test_the_worker_sleeps_while_requests_are_in_flight_and_not_longer_than_its_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, busy: bool) -> None:
    slept: list[float] = []
    monkeypatch.setattr(compaction.time, "sleep", slept.append)
    store = Store.open(tmp_path / "data")
    store.engine.busy = lambda: busy
    store.engine.compactor.pause()
    expected = round(compaction.MAX_PAUSE / compaction.PAUSE_STEP) if busy else 0
    assert len(slept) == expected
    store.close()


def busy_with_changes(tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> tuple[Store, list[float]]:
    """A store whose requests are always in flight, with more than a stride of changes to
    compact, and the worker's sleeps noted instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(compaction.time, "sleep", slept.append)
    store = Store.open(tmp_path / "data")
    store.engine.busy = lambda: True
    with store.transaction():
        for n in range(RENDER_STRIDE + 1):
            store.jobs_done.mark(f"job:{n}", NOW, "sent")
    return store, slept


def test_a_compaction_while_busy_writes_the_same_files(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store, slept = busy_with_changes(tmp_path, monkeypatch)
    store.engine.checkpoint()  # in the worker thread
    store.engine.compactor.running.result()  # not ``wait``: the loop is not blocked on it
    assert slept  # it paused
    store.close()
    again = Store.open(tmp_path / "data")
    assert all(f"job:{n}" in again.jobs_done for n in range(RENDER_STRIDE + 1))
    again.close()


def test_no_pause_when_the_loop_itself_waits_for_the_compaction(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A compaction run on the loop's thread (``wait``), or one the loop blocks on (the journal
    at twice its size), would only hold the loop longer by pausing for its requests."""
    store, slept = busy_with_changes(tmp_path, monkeypatch)
    store.engine.checkpoint(wait=True)
    assert slept == []
    compactor = store.engine.compactor
    compactor._waited_for = True  # as while ``Compactor.wait`` blocks the loop's thread
    compactor.pause()
    assert slept == []
    store.close()
