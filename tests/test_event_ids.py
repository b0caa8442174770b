"""Processed event ids are a set of keys per month, one per line on disk: hundreds of thousands
cost eight bytes each in memory (their hashes, sorted) and one ``split`` at start-up, not a
TinyDB document or even a string each."""

from __future__ import annotations

import json
import threading
import tracemalloc
from pathlib import Path

import pytest

from storage import keylog
from storage.files import CorruptFileError
from storage.keylog import KeyLog
from storage.store import Store

NOW = "2026-11-28T10:00:00.000000+00:00"


def test_a_month_written_as_tinydb_documents_is_read_then_rewritten_as_keys(
        tmp_path: Path) -> None:
    """The format older versions wrote: its ids still stop redeliveries after an upgrade."""
    data = tmp_path / "data"
    (data / "events").mkdir(parents=True)
    old = data / "events" / "2026-11.json"
    old.write_text(json.dumps({"events": {"1": {"id": "slack:Ev1", "at": NOW, "v": 1},
                                          "2": {"id": "telegram:update:7", "at": NOW}}}))
    store = Store.open(data)
    assert not store.events.first_time("slack:Ev1", NOW)
    assert store.events.first_time("slack:Ev2", NOW)
    store.close()
    assert not old.exists()
    assert sorted((data / "events" / "2026-11.txt").read_text().split()) == [
        "slack:Ev1", "slack:Ev2", "telegram:update:7"]
    again = Store.open(data)
    assert len(again.events) == 3 and not again.events.first_time("telegram:update:7", NOW)
    again.close()


def test_the_ids_are_held_as_keys_not_documents(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    with store.transaction():
        for n in range(1000):
            store.events.first_time(f"slack:Ev{n}", NOW)
    [log] = [s for rel, s in store.engine.storages.items() if rel.startswith("events/")]
    assert isinstance(log, KeyLog) and len(log) == 1000
    store.close()
    assert len((tmp_path / "data" / "events" / "2026-11.txt").read_text().splitlines()) == 1000


@pytest.mark.parametrize("text", ["slack:Ev1\n\nslack:Ev2\n", "slack:Ev1\nslack:Ev2",
                                  "slack:Ev1\n slack:Ev2\n"])
def test_a_damaged_key_file_stops_start_up_and_is_left_as_it_was(tmp_path: Path,
                                                                 text: str) -> None:
    data = tmp_path / "data"
    (data / "events").mkdir(parents=True)
    path = data / "events" / "2026-11.txt"
    path.write_text(text)
    with pytest.raises(CorruptFileError) as caught:
        Store.open(data)
    assert caught.value.path == path and path.read_text() == text


def test_a_key_that_would_not_fit_on_its_line_is_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    with pytest.raises(ValueError):
        store.events.first_time("slack:Ev1\nslack:Ev2", NOW)
    assert len(store.events) == 0
    store.close()


def test_a_month_of_200000_ids_is_held_in_a_few_megabytes_not_a_set_of_strings(
        tmp_path: Path) -> None:
    """As strings in a set they took 21 MB of the bot's memory: 8 bytes each now."""
    data = tmp_path / "data"
    (data / "events").mkdir(parents=True)
    keys = [f"slack:Ev{n:09d}ABCDEFG" for n in range(200_000)]
    (data / "events" / "2026-11.txt").write_text("\n".join(keys) + "\n")
    tracemalloc.start()
    try:
        store = Store.open(data)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 4_000_000
    assert not store.events.first_time(keys[123_456], NOW)
    assert store.events.first_time("slack:EvNEW", NOW)
    assert len(store.events) == 200_001
    store.close()


def test_ids_stay_known_across_compactions_restarts_and_a_dropped_month(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    with store.transaction():
        for n in range(50):
            store.events.first_time(f"slack:Ev{n}", NOW)
    store.engine.checkpoint(wait=True)  # the ids are the file's now, held as hashes
    with store.transaction():
        store.events.first_time("slack:EvLate", NOW)
    assert not store.events.first_time("slack:Ev7", NOW)
    store.events.forget("slack:Ev8")  # its handling failed in this process: handled again
    assert "slack:Ev8" not in store.events
    assert len(store.events.keys()) == 50  # the 51 less the one forgotten
    with store.transaction():
        assert store.events.first_time("slack:Ev8", NOW)
    store.close()
    again = Store.open(data)
    assert len(again.events) == 51
    assert not again.events.first_time("slack:EvLate", NOW)
    assert not again.events.first_time("slack:Ev8", NOW)
    with again.transaction():
        assert again.events.forget_before("2026-12") == 1  # the month is dropped
        again.events.first_time("slack:EvDec", "2026-12-01T10:00:00+00:00")
    assert again.events.first_time("slack:Ev3", "2026-12-01T10:00:00+00:00")
    again.close()
    third = Store.open(data)
    assert third.events.keys() == ["slack:Ev3", "slack:EvDec"]
    third.close()


def test_a_compaction_merges_the_month_s_hashes_in_its_worker_not_on_the_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Merging a month's 200,000 hashes with the ids added since took tens of milliseconds on
    the loop's thread, where every request waited for it, at each compaction."""
    threads: list[int] = []
    real = keylog.merged

    def noting(*args: object) -> object:
        threads.append(threading.get_ident())
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(keylog, "merged", noting)
    store = Store.open(tmp_path / "data")
    with store.transaction():
        for n in range(50):
            store.events.first_time(f"slack:Ev{n}", NOW)
    store.engine.checkpoint()  # in the worker thread
    store.engine.compactor.wait()  # collected here, on this (the loop's) thread
    assert threads and threading.get_ident() not in threads
    assert not store.events.first_time("slack:Ev7", NOW)
    assert store.events.first_time("slack:Ev50", NOW)
    store.close()
