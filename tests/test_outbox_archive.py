"""Closed months of the outbox stay on disk, out of memory: a month older than the newest two
whose rows are all final is moved whole into ``outbox/archive/`` before the outbox is loaded,
so the bot's memory and start-up do not grow with its age. A month with a row still owed, or
one the journal still changes, stays loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.runtime import Runtime
from storage import outbox_archive
from storage.models import OutboxRow
from storage.outbox_archive import ARCHIVE
from storage.store import Store

MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")


def queue_months(store: Store, statuses: dict[str, list[str]]) -> dict[str, list[int]]:
    """Rows queued in each month with the given statuses; their numbers by month."""
    numbers: dict[str, list[int]] = {}
    for month, wanted in statuses.items():
        for n, status in enumerate(wanted):
            with store.transaction():
                row = store.outbox.add(f"{month}:{n}", {"kind": "member", "id": "awa"},
                                       {"title": "Réunion"}, f"{month}-15T10:00:00+00:00")
                assert row is not None
                row.status = status
                store.outbox.save(row)
            numbers.setdefault(month, []).append(row.id)
    return numbers


def fill(data: Path, statuses: dict[str, list[str]]) -> dict[str, list[int]]:
    """``queue_months`` in a data dir, then a clean stop (the files written)."""
    store = Store.open(data)
    try:
        return queue_months(store, statuses)
    finally:
        store.close()


def loaded_months(store: Store) -> set[str]:
    return {row.created_at[:7] for row in store.outbox.all()}


def test_closed_months_are_moved_whole_and_no_longer_loaded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    numbers = fill(data, {month: ["sent", "skipped", "expired"] for month in MONTHS})
    before = (data / "outbox" / "2026-07.json").read_bytes()
    store = Store.open(data)
    try:
        assert loaded_months(store) == {"2026-10", "2026-11"}
        assert store.outbox.number_of("2026-07:0") is None
        with store.transaction():
            row = store.outbox.add("new", {"kind": "member", "id": "awa"}, {"title": "x"},
                                   "2026-11-20T10:00:00+00:00")
        assert row is not None and row.id > max(n for ns in numbers.values() for n in ns)
    finally:
        store.close()
    archive = data / "outbox" / ARCHIVE
    assert sorted(p.stem for p in archive.glob("*.json")) == ["2026-07", "2026-08", "2026-09"]
    assert (archive / "2026-07.json").read_bytes() == before  # the same bytes, moved
    assert not (data / "outbox" / "2026-07.json").exists()


def test_a_month_with_a_row_still_owed_stays_loaded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, {"2026-07": ["sent"], "2026-08": ["sent", "held"], "2026-09": ["pending"],
                "2026-10": ["sent"], "2026-11": ["sent"]})
    store = Store.open(data)
    try:
        assert loaded_months(store) == {"2026-08", "2026-09", "2026-10", "2026-11"}
        assert [row.key for row in store.outbox.held()] == ["2026-08:1"]
        assert [row.key for row in store.outbox.pending()] == ["2026-09:0"]
    finally:
        store.close()


def test_a_month_the_journal_still_changes_is_archived_only_once_compacted(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    numbers = fill(data, {"2026-07": ["sent", "pending"], "2026-10": ["sent"],
                          "2026-11": ["sent"]})
    store = Store.open(data)
    with store.transaction():
        row = store.outbox.get(numbers["2026-07"][1])
        assert row is not None
        row.status = "sent"
        store.outbox.save(row)
    store.sync_now()
    store.close(compact=False)  # a crash: the change is in the journal only

    store = Store.open(data)
    try:  # replayed over the file: left loaded, the change kept
        assert loaded_months(store) == {"2026-07", "2026-10", "2026-11"}
        assert {row.status for row in store.outbox.all()} == {"sent"}
    finally:
        store.close()  # a clean stop writes the month's file
    store = Store.open(data)
    try:
        assert loaded_months(store) == {"2026-10", "2026-11"}
    finally:
        store.close()
    assert (data / "outbox" / ARCHIVE / "2026-07.json").exists()


def test_a_read_only_look_moves_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data, {month: ["sent"] for month in MONTHS})
    store = Store.open(data, lock=False)
    try:
        assert loaded_months(store) == set(MONTHS)
    finally:
        store.close()
    assert not (data / "outbox" / ARCHIVE).exists()


# While the bot runs.

def test_a_running_bot_lets_go_of_a_month_once_its_file_holds_it_all(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    try:
        queue_months(store, {month: ["sent", "expired"] for month in MONTHS})
        assert store.archive_done_months() == []  # only in the journal so far
        store.engine.checkpoint(wait=True)  # the files written
        assert store.archive_done_months() == ["2026-07", "2026-08", "2026-09"]
        assert loaded_months(store) == {"2026-10", "2026-11"}
        assert store.outbox.number_of("2026-07:0") is None
        assert [row.key for row in store.outbox.given_up()] == ["2026-10:1", "2026-11:1"]
        with store.transaction():
            row = store.outbox.add("new", {"kind": "member", "id": "awa"}, {"title": "x"},
                                   "2026-11-20T10:00:00+00:00")
        assert row is not None and row.id == 2 * len(MONTHS) + 1
        store.sync_now()
        store.close(compact=False)  # a crash: the new row in the journal only
        store = Store.open(data)
        assert loaded_months(store) == {"2026-10", "2026-11"}
        assert store.outbox.number_of("new") == row.id
    finally:
        store.close()
    rows = {path.stem: len(json.loads(path.read_text())["outbox"])
            for path in (data / "outbox" / ARCHIVE).glob("*.json")}
    assert rows == {"2026-07": 2, "2026-08": 2, "2026-09": 2}


def test_a_running_bot_keeps_a_month_while_a_row_is_owed_or_changed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    try:
        queue_months(store, {"2026-08": ["sent", "held"], "2026-10": ["sent"],
                             "2026-11": ["sent"]})
        store.engine.checkpoint(wait=True)
        assert store.archive_done_months() == []  # a row held
        [held] = store.outbox.held()
        with store.transaction():
            held.status = "expired"
            store.outbox.save(held)
        assert store.archive_done_months() == []  # the change is not in its file yet
        store.engine.checkpoint(wait=True)
        assert store.archive_done_months() == ["2026-08"]
    finally:
        store.close()
    assert (data / "outbox" / ARCHIVE / "2026-08.json").exists()


async def test_the_serving_bot_looks_now_and_then_and_a_refused_move_loses_nothing(
        app: BotApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.jobs, "start", lambda: None)  # nothing fires on the real clock
    runtime = Runtime(app, Environment(host="127.0.0.1", port=0), platforms=[])
    await runtime.start()
    try:
        assert runtime._archiving is not None and not runtime._archiving.done()
        queue_months(app.store, {month: ["sent"] for month in MONTHS})
        app.store.engine.checkpoint(wait=True)

        def refused(*_: object) -> None:
            raise OSError(30, "Read-only file system")

        with monkeypatch.context() as patched:
            patched.setattr(outbox_archive.os, "replace", refused)
            assert runtime.archive_months() == []
        assert runtime.archive_months() == []  # left memory; the files stay where they were
        assert loaded_months(app.store) == {"2026-10", "2026-11"}
    finally:
        await runtime.stop()
    assert runtime._archiving.cancelled()
    app.store.close()
    store = Store.open(tmp_path / "data")  # the next start finds the months and archives them
    try:
        assert loaded_months(store) == {"2026-10", "2026-11"}
    finally:
        store.close()
    assert sorted(p.stem for p in (tmp_path / "data" / "outbox" / ARCHIVE).glob("*.json")) == [
        "2026-07", "2026-08", "2026-09"]


def test_a_month_archived_twice_never_replaces_the_first_file(tmp_path: Path) -> None:
    """A row of an archived month saved again (a copy someone held) is filed back under its
    month, in a new file; that file, archived in turn, sits beside the first."""
    data = tmp_path / "data"
    numbers = fill(data, {month: ["sent", "sent"] for month in MONTHS})
    store = Store.open(data)  # 2026-07 to 09 archived
    try:
        with store.transaction():
            store.outbox.save(OutboxRow(id=numbers["2026-07"][0], key="2026-07:0",
                                        recipient={"kind": "member", "id": "awa"},
                                        message={"title": "Réunion"}, status="sent",
                                        created_at="2026-07-15T10:00:00+00:00"))
    finally:
        store.close()
    Store.open(data).close()
    archive = data / "outbox" / ARCHIVE
    assert sorted(p.name for p in archive.glob("2026-07*")) == ["2026-07-2.json", "2026-07.json"]
    assert len(json.loads((archive / "2026-07.json").read_text())["outbox"]) == 2
