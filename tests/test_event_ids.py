"""Processed event ids are a set of keys per month, one per line on disk: hundreds of thousands
cost a string each in memory and one ``split`` at start-up, not a TinyDB document each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
