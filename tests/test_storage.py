"""Storage loses nothing: atomic files, corrupt files refused, schema versions, one process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB

from storage.atomic import AtomicJSONStorage
from storage.files import CorruptFileError, write_atomically
from storage.lock import DataDirLocked
from storage.models import Member
from storage.records import SchemaError
from storage.store import Store
from tests.conftest import REPO


def test_a_change_is_in_the_journal_at_once_and_in_its_private_file_after_compaction(
        store: Store) -> None:
    store.members.save(Member(id="awa", name="Awa", agency="UNICEF", identities=["console:awa"]))
    path = store.data_dir / "members.json"
    journal = store.data_dir / "journal"
    (segment,) = journal.glob("*.jsonl")
    assert '"name":"Awa"' in segment.read_text()
    assert not path.exists()  # the file is compaction's work, off the hot path
    store.compact()
    data = json.loads(path.read_text())
    assert [d["name"] for d in data["members"].values()] == ["Awa"]
    assert path.stat().st_mode & 0o777 == 0o600
    assert store.data_dir.stat().st_mode & 0o777 == 0o700
    assert journal.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in journal.iterdir())
    assert not list(store.data_dir.glob(".*.tmp"))


def test_every_collection_has_its_own_file(store: Store) -> None:
    store.members.save(Member(id="a", name="A", agency="IOM"))
    store.join_requests.add("console:x", "X", "IOM", None, "t")
    store.compact()
    names = sorted(p.name for p in store.data_dir.glob("*.json"))
    assert names == ["join_requests.json", "members.json"]


def test_a_corrupt_file_stops_opening_and_is_left_as_it_was(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    broken = data / "members.json"
    broken.write_text('{"members": {"1": {"id": "a", "na')
    with pytest.raises(CorruptFileError) as caught:
        Store.open(data)
    assert caught.value.path == broken
    assert broken.read_text() == '{"members": {"1": {"id": "a", "na'
    # The lock was released: once the file is mended the store opens.
    broken.write_text("{}")
    Store.open(data).close()


def test_an_empty_or_non_object_file_is_corrupt_too(tmp_path: Path) -> None:
    for content in ("", "[1, 2]"):
        path = tmp_path / "x.json"
        path.write_text(content)
        with pytest.raises(CorruptFileError):
            AtomicJSONStorage(path)


def test_a_failed_write_leaves_the_old_file_and_memory_follows_the_disk(tmp_path: Path,
                                                                         monkeypatch) -> None:
    db = TinyDB(tmp_path / "t.json", storage=AtomicJSONStorage)
    db.insert({"n": 1})

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("storage.files.os.replace", boom)
    with pytest.raises(OSError):
        db.insert({"n": 2})
    monkeypatch.undo()
    assert [d["n"] for d in db.all()] == [1]
    assert [d["n"] for d in TinyDB(tmp_path / "t.json", storage=AtomicJSONStorage).all()] == [1]
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_atomically_replaces_whole_content(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    write_atomically(path, "old")
    write_atomically(path, "new")
    assert path.read_text() == "new"


def test_records_carry_their_schema_version_and_refuse_newer_ones() -> None:
    doc = Member(id="a", name="A", agency="IOM").to_doc()
    assert doc["v"] == Member.SCHEMA == 1
    assert Member.from_doc(doc) == Member(id="a", name="A", agency="IOM")
    with pytest.raises(SchemaError):
        Member.from_doc({**doc, "v": 99})


def test_a_second_process_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    first = Store.open(tmp_path / "data")
    with pytest.raises(DataDirLocked) as caught:
        Store.open(tmp_path / "data")
    assert caught.value.holder == str(os.getpid())
    first.close()
    Store.open(tmp_path / "data").close()


WRITER = """
import sys
from pathlib import Path
from storage.store import Store
store = Store.open(Path(sys.argv[1]))
for n in range(1, 100000):
    store.join_requests.add(f"console:u{n}", f"User {n}", "IOM", None, "t")
    print(n, flush=True)
"""


def test_sigkill_in_a_burst_of_writes_loses_nothing_that_returned(tmp_path: Path) -> None:
    data = tmp_path / "data"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    confirmed = 0
    for line in writer.stdout:
        confirmed = int(line)
        if confirmed >= 150:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    store = Store.open(data)  # opens: the file is valid JSON
    try:
        numbers = {r.id for r in store.join_requests.pending()}
        assert set(range(1, confirmed + 1)) <= numbers
        assert all(store.join_requests.get(n).name == f"User {n}" for n in range(1, confirmed + 1))
    finally:
        store.close()


def test_the_file_always_holds_what_memory_holds_after_updates(tmp_path: Path) -> None:
    """Cached document texts are re-encoded exactly when a document changes."""
    import random

    from storage.models import JoinRequest

    rng = random.Random(3)
    store = Store.open(tmp_path / "data")
    for n in range(60):
        choice = rng.random()
        if choice < 0.4 or not store.join_requests.pending():
            store.join_requests.add(f"console:u{n}", f"User {n}", "IOM", None, "t")
        elif choice < 0.8:
            request: JoinRequest = rng.choice(store.join_requests.pending())
            request.status, request.decided_by = "approved", f"by{n}"
            store.join_requests.save(request)
        else:
            member = store.members.get("m") or Member(id="m", name="M", agency="IOM")
            member.name = f"Name {n}"
            store.members.save(member)
    in_memory = {r.id: r for r in store.join_requests._c.all()}
    name = store.members.get("m").name if store.members.get("m") else None
    store.close()
    again = Store.open(tmp_path / "data")
    assert {r.id: r for r in again.join_requests._c.all()} == in_memory
    assert (again.members.get("m").name if again.members.get("m") else None) == name
    on_disk = json.loads((tmp_path / "data" / "join_requests.json").read_text())
    assert len(on_disk["join_requests"]) == len(in_memory)
    again.close()


def test_positions_live_in_one_file_per_consultation_numbered_as_one(tmp_path: Path) -> None:
    from storage.models import Position

    store = Store.open(tmp_path / "data")
    for consultation in (1, 2, 1, 3):
        store.positions.add(lambda n, c=consultation: Position(
            id=n, consultation_id=c, agency="IOM", member_id="m", choice="agree"))
    store.close()
    files = sorted(p.name for p in (tmp_path / "data" / "positions").glob("*.json"))
    assert files == ["000001.json", "000002.json", "000003.json"]
    again = Store.open(tmp_path / "data")
    assert [p.id for p in again.positions.history(1)] == [1, 3]
    again.positions.add(lambda n: Position(id=n, consultation_id=2, agency="IOM", member_id="m",
                                           choice="objection", reason="r"))
    assert [p.id for p in again.positions.history(2)] == [2, 5]
    assert (tmp_path / "data" / "positions").stat().st_mode & 0o777 == 0o700
    again.close()


def test_processed_events_one_file_per_month_remembered_across_restart(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    assert store.events.first_time("slack:Ev1", "2026-10-31T23:59:00+00:00")
    assert store.events.first_time("telegram:update:7", "2026-11-28T10:00:00+00:00")
    assert not store.events.first_time("slack:Ev1", "2026-11-28T10:00:00+00:00")
    store.close()
    months = sorted(p.name for p in (tmp_path / "data" / "events").glob("*.txt"))
    assert months == ["2026-10.txt", "2026-11.txt"]
    again = Store.open(tmp_path / "data")
    assert not again.events.first_time("slack:Ev1", "2026-12-01T00:00:00+00:00")
    assert not again.events.first_time("telegram:update:7", "2026-12-01T00:00:00+00:00")
    again.close()


def test_outbox_one_file_per_month_pending_rows_found_after_restart(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    store.outbox.add("a", {"kind": "member", "ref": "x"}, {"title": "A"},
                     "2026-10-31T10:00:00.000000+00:00")
    store.outbox.add("b", {"kind": "member", "ref": "x"}, {"title": "B"},
                     "2026-11-28T10:00:00.000000+00:00")
    first = store.outbox.get(1)
    first.status = "sent"
    store.outbox.save(first)
    store.close()
    months = sorted(p.name for p in (tmp_path / "data" / "outbox").glob("*.json"))
    assert months == ["2026-10.json", "2026-11.json"]
    again = Store.open(tmp_path / "data")
    assert [r.key for r in again.outbox.due("2026-12-01")] == ["b"]
    assert again.outbox.get(1).status == "sent"
    assert again.outbox.add("a", {}, {}, "2026-12-01") is None  # the key is remembered
    again.close()


def test_event_ids_of_old_months_are_forgotten_at_start_up(tmp_path: Path, network) -> None:
    from datetime import UTC, datetime

    from bot.app import BotApp

    store = Store.open(tmp_path / "data")
    store.events.first_time("slack:Old", "2026-08-10T10:00:00+00:00")
    store.events.first_time("slack:Last", "2026-10-31T10:00:00+00:00")
    store.events.first_time("slack:Now", "2026-11-28T10:00:00+00:00")
    BotApp(store, network, clock=lambda: datetime(2026, 11, 28, 17, tzinfo=UTC))
    store.compact()  # an old month's file goes with the next compaction
    months = sorted(p.name for p in (tmp_path / "data" / "events").glob("*.txt"))
    assert months == ["2026-10.txt", "2026-11.txt"]
    assert store.events.first_time("slack:Old", "2026-11-28T11:00:00+00:00")
    assert not store.events.first_time("slack:Last", "2026-11-28T11:00:00+00:00")
    store.close()
