"""Closed months of the outbox stay on disk, out of memory: a month older than the newest two
whose rows are all final is moved whole into ``outbox/archive/`` before the outbox is loaded,
so the bot's memory and start-up do not grow with its age. A month with a row still owed, or
one the journal still changes, stays loaded."""

from __future__ import annotations

from pathlib import Path

from storage.outbox_archive import ARCHIVE
from storage.store import Store

MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")


def fill(data: Path, statuses: dict[str, list[str]]) -> dict[str, list[int]]:
    """Rows queued in each month with the given statuses; their numbers by month."""
    numbers: dict[str, list[int]] = {}
    store = Store.open(data)
    try:
        for month, wanted in statuses.items():
            for n, status in enumerate(wanted):
                with store.transaction():
                    row = store.outbox.add(f"{month}:{n}", {"kind": "member", "id": "awa"},
                                           {"title": "Réunion"}, f"{month}-15T10:00:00+00:00")
                    assert row is not None
                    row.status = status
                    store.outbox.save(row)
                numbers.setdefault(month, []).append(row.id)
    finally:
        store.close()
    return numbers


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
