"""The journal in front of the TinyDB files: one checksummed line per transaction, group commit,
replay at start-up, compaction behind."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from pathlib import Path

import pytest
from tinydb import TinyDB
from tinydb.storages import JSONStorage

from bot.app import BotApp
from handlers.types import Inbound
from storage import files as storage_files
from storage.engine import ReadOnlyStore
from storage.files import CorruptFileError
from storage.journal import JournalError, decode_line, encode_line
from storage.models import JoinRequest, Member, Position
from storage.store import Store
from tests.conftest import Clock
from tests.support.previews import say_and_send


def segments(data: Path) -> list[Path]:
    return sorted((data / "journal").glob("*.jsonl"))


def lines(data: Path) -> list[bytes]:
    return [line for path in segments(data) for line in path.read_bytes().splitlines(True)]


def crash(store: Store) -> None:
    """Stop as a killed process would: nothing compacted, the journal as it is."""
    store.close(compact=False)


def members(n: int) -> list[Member]:
    return [Member(id=f"m{i}", name=f"Membre {i}", agency="IOM") for i in range(n)]


def test_a_line_is_its_payload_with_a_crc_and_a_changed_byte_is_seen() -> None:
    line = encode_line(b'{"seq":1,"changes":[]}')
    assert json.loads(line) == {"crc": line[8:16].decode(), "tx": {"seq": 1, "changes": []}}
    assert decode_line(line) == {"seq": 1, "changes": []}
    assert decode_line(line.replace(b'"seq":1', b'"seq":2')) is None
    assert decode_line(line[:-1]) is None  # no newline: never finished


def test_a_torn_last_line_is_dropped_cut_off_and_the_journal_goes_on(tmp_path: Path,
                                                                    caplog) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    for member in members(3):
        store.members.save(member)
    crash(store)
    (segment,) = segments(data)
    whole = segment.read_bytes()
    with segment.open("ab") as out:
        out.write(whole.splitlines(True)[-1][:40])  # a crash in the middle of a fourth line
    with caplog.at_level(logging.WARNING, logger="storage.journal"):
        store = Store.open(data)
    assert [m.id for m in store.members.all()] == ["m0", "m1", "m2"]
    assert segment.read_bytes() == whole
    assert "dropped the unfinished last line 4" in caplog.text
    store.members.save(Member(id="m3", name="Membre 3", agency="IOM"))
    crash(store)
    again = Store.open(data)
    assert [m.id for m in again.members.all()] == ["m0", "m1", "m2", "m3"]
    again.close()


def test_a_damaged_line_followed_by_good_ones_refuses_to_start_and_changes_nothing(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    for member in members(3):
        store.members.save(member)
    crash(store)
    (segment,) = segments(data)
    damaged = segment.read_bytes().replace(b"Membre 1", b"Membre X")
    segment.write_bytes(damaged)
    with pytest.raises(CorruptFileError) as caught:
        Store.open(data)
    assert caught.value.path == segment and caught.value.line == 2
    assert caught.value.reason == "journal_line"
    assert segment.read_bytes() == damaged
    with pytest.raises(CorruptFileError):  # the lock was released: a second look says the same
        Store.open(data, lock=False)


def test_a_missing_line_in_the_middle_is_corruption_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    for member in members(3):
        store.members.save(member)
    crash(store)
    (segment,) = segments(data)
    first, _, third = segment.read_bytes().splitlines(True)
    segment.write_bytes(first + third)  # every line's CRC is right; line 2 is gone
    with pytest.raises(CorruptFileError) as caught:
        Store.open(data)
    assert caught.value.line == 2


def everything(store: Store) -> dict[str, object]:
    return {"members": store.members.all(), "outbox": store.outbox.all(),
            "events": store.events.keys(),
            "positions": [p for c in (1, 2) for p in store.positions.history(c)],
            "requests": store.join_requests._c.all()}


def busy(store: Store) -> None:
    """Inserts, whole and partial updates, a dropped shard, in several transactions."""
    for member in members(4):
        store.members.save(member)
    with store.transaction():
        store.outbox.add("a", {"kind": "member", "ref": "m1"}, {"title": "A" * 500},
                         "2026-10-31T10:00:00.000000+00:00")
        store.events.first_time("slack:Old", "2026-08-01T10:00:00+00:00")
        store.events.first_time("slack:Ev1", "2026-11-28T10:00:00+00:00")
    row = store.outbox.get(1)
    row.status, row.done = "sent", ["telegram:1"]
    store.outbox.save(row)
    store.events.forget_before("2026-10")
    for consultation in (1, 2, 1):
        store.positions.add(lambda n, c=consultation: Position(
            id=n, consultation_id=c, agency="IOM", member_id="m1", choice="agree"))
    request = store.join_requests.add("console:x", "X", "IOM", None, "t")
    request.status = "approved"
    store.join_requests.save(request)


def test_replaying_over_files_that_already_hold_the_changes_gives_the_same_data(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    busy(store)
    expected = everything(store)
    crash(store)

    def files_written_then_crash(stage: str) -> None:
        if stage == "files":
            raise KeyboardInterrupt  # the files are whole, no segment deleted yet

    store = Store.open(data)
    assert everything(store) == expected
    store.engine.on_compaction = files_written_then_crash
    with pytest.raises(KeyboardInterrupt):
        store.compact()
    crash(store)
    assert json.loads((data / "members.json").read_text())["members"]["4"]["id"] == "m3"
    assert not (data / "events" / "2026-08.txt").exists()
    for _ in range(2):  # the same segments replayed over the new files, twice
        store = Store.open(data)
        assert everything(store) == expected
        crash(store)
    store = Store.open(data)
    store.close()
    assert segments(data) == []  # a clean stop empties the journal
    again = Store.open(data)
    assert everything(again) == expected
    again.close()


def test_after_a_clean_stop_the_files_are_plain_tinydb_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    busy(store)
    store.close()
    assert not lines(data)
    members_db = TinyDB(data / "members.json", storage=JSONStorage)
    assert [d["id"] for d in members_db.table("members").all()] == ["m0", "m1", "m2", "m3"]
    outbox = TinyDB(data / "outbox" / "2026-10.json", storage=JSONStorage)
    assert outbox.table("outbox").get(doc_id=1)["status"] == "sent"
    # Processed event ids are one key per line (storage/keylog.py).
    assert sorted(p.name for p in (data / "events").iterdir()) == ["2026-11.txt"]
    assert (data / "events" / "2026-11.txt").read_text() == "slack:Ev1\n"


def test_marking_a_row_sent_appends_what_changed_not_the_row(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    store.outbox.add("a", {"kind": "member", "ref": "m1"}, {"title": "T" * 2000},
                     "2026-11-28T10:00:00.000000+00:00")
    row = store.outbox.get(1)
    row.status = "sent"
    store.outbox.save(row)
    store.outbox.save(row)  # saved again unchanged: nothing to write
    added, marked = lines(data)
    assert len(added) > 2000 and len(marked) < 200
    assert decode_line(marked)["changes"] == [
        {"f": "outbox/2026-11", "t": "outbox", "id": "1", "set": {"status": "sent"}}]
    crash(store)
    again = Store.open(data)
    assert again.outbox.get(1).status == "sent"
    assert again.outbox.get(1).message == {"title": "T" * 2000}
    again.close()


async def test_concurrent_commits_share_fsyncs_and_none_returns_before_its_own(
        tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    journal = store.engine.journal
    synced_upto: list[int] = []

    release = threading.Event()
    committed: list[int] = []

    def slow_fsync(fd: int) -> None:
        target = journal.written
        # A disk taking its time: the first fsync is held until every request has written its
        # change and waits for its own (no clock involved).
        assert release.wait(timeout=30)
        synced_upto.append(target)

    journal.fsync = slow_fsync
    acknowledged: list[tuple[int, int]] = []

    async def request(n: int) -> None:
        with store.transaction():
            store.events.first_time(f"slack:Ev{n}", "2026-11-28T10:00:00+00:00")
        seq = store.commit()
        committed.append(seq)
        if len(committed) == 50:
            release.set()
        await store.durable(seq)
        acknowledged.append((seq, len(synced_upto)))

    await asyncio.gather(*(request(n) for n in range(50)))
    assert len(acknowledged) == 50
    assert 1 <= len(synced_upto) <= 10  # 50 durable changes, a handful of fsyncs
    for seq, fsyncs_done in acknowledged:  # an fsync that covered it had ended
        assert any(target >= seq for target in synced_upto[:fsyncs_done])
    store.close()


async def test_a_failed_fsync_stops_every_acknowledgement(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")

    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    store.engine.journal.fsync = broken
    store.members.save(Member(id="a", name="A", agency="IOM"))
    with pytest.raises(OSError):
        await store.durable()
    store.members.save(Member(id="b", name="B", agency="IOM"))
    with pytest.raises(JournalError):
        await store.durable()
    with pytest.raises(JournalError):
        store.sync_now()
    store.close(compact=False)


def test_a_change_the_journal_could_not_write_is_not_in_memory_either(tmp_path: Path,
                                                                      monkeypatch) -> None:
    store = Store.open(tmp_path / "data")
    store.members.save(Member(id="a", name="A", agency="IOM"))
    size = segments(store.data_dir)[0].stat().st_size

    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("storage.journal.os.write", disk_full)
    with pytest.raises(OSError):
        store.members.save(Member(id="b", name="B", agency="IOM"))
    monkeypatch.undo()
    assert store.members.get("b") is None
    assert segments(store.data_dir)[0].stat().st_size == size
    store.members.save(Member(id="c", name="C", agency="IOM"))
    crash(store)
    again = Store.open(tmp_path / "data")
    assert [m.id for m in again.members.all()] == ["a", "c"]
    again.close()


def test_compaction_writes_the_files_in_a_worker_thread_once_the_journal_is_big(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data, compact_after=8 * 1024)
    threads: set[str] = set()
    done = threading.Event()

    def watch(stage: str) -> None:
        threads.add(threading.current_thread().name)
        if stage == "segments":
            done.set()

    store.engine.on_compaction = watch
    for n in range(60):
        store.join_requests.add(f"console:u{n}", f"User {n} " + "x" * 200, "IOM", None, "t")
    assert done.wait(10)
    assert threads == {"compaction_0"}
    assert not (data / "journal" / "000001.jsonl").exists()
    on_disk = json.loads((data / "join_requests.json").read_text())["join_requests"]
    assert len(on_disk) >= 20
    crash(store)
    again = Store.open(data)
    assert len(again.join_requests.pending()) == 60
    again.close()


def test_an_event_id_is_in_the_same_journal_line_as_what_the_event_changed(
        app: BotApp) -> None:
    inbound = Inbound(platform="slack", user_id="U0DEMOMK", text="réunion mardi 1 décembre 10h")
    reply = asyncio.run(app.handle_once_durably("slack:Ev42", inbound))
    assert reply is not None and app.store.drafts.get(1) is not None  # the meeting, previewed
    line = decode_line(lines(app.store.data_dir)[-1])
    files = {change["f"] for change in line["changes"]}
    assert {"events/2026-11", "drafts"} <= files
    before = len(lines(app.store.data_dir))
    assert asyncio.run(app.handle_once_durably("slack:Ev42", inbound)) is None  # redelivered
    assert len(lines(app.store.data_dir)) == before
    assert len(app.store.drafts.all()) == 1
    send = Inbound(platform="slack", user_id="U0DEMOMK", text="aperçu 1 envoyer")
    assert asyncio.run(app.handle_once_durably("slack:Ev43", send)) is not None
    line = decode_line(lines(app.store.data_dir)[-1])
    files = {change["f"] for change in line["changes"]}
    assert {"events/2026-11", "meetings", "outbox/2026-11", "drafts"} <= files
    assert asyncio.run(app.handle_once_durably("slack:Ev43", send)) is None  # redelivered
    assert len(app.store.meetings.all()) == 1


def test_tinydbs_own_table_writes_are_journaled_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    table = store.join_requests._c._table
    table.insert_multiple(JoinRequest(id=n, identity=f"console:{n}", name=f"N{n}",
                                      agency="IOM").to_doc() for n in range(1, 4))
    table.update({"name": "Renamed"}, doc_ids=[2])
    table.remove(doc_ids=[3])
    crash(store)
    again = Store.open(data)
    assert [(r.id, r.name) for r in again.join_requests._c.all()] == [(1, "N1"), (2, "Renamed")]
    again.close()


def test_a_store_opened_without_the_lock_reads_and_never_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    store.members.save(Member(id="a", name="A", agency="IOM"))
    crash(store)
    (segment,) = segments(data)
    with segment.open("ab") as out:
        out.write(b'{"crc":"00')  # torn: a running bot would cut it off, a reader must not
    torn = segment.read_bytes()
    reader = Store.open(data, lock=False)
    assert reader.members.get("a") is not None
    with pytest.raises(ReadOnlyStore):
        reader.members.save(Member(id="b", name="B", agency="IOM"))
    reader.close()
    assert segment.read_bytes() == torn and not (data / "members.json").exists()


def test_what_a_command_changed_survives_a_restart_without_a_clean_stop(
        tmp_path: Path, network, clock: Clock) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    app = BotApp(store, network, clock=clock)
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    crash(store)
    again = Store.open(data)
    assert [m.id for m in again.meetings.all()] == [1]
    again.close()



def test_replayed_documents_share_their_field_names(tmp_path: Path) -> None:
    """Each line is parsed alone: without interning, every replayed document would carry its
    own copy of each field name (a third of its memory)."""
    data = tmp_path / "data"
    store = Store.open(data)
    for member in members(2):
        store.members.save(member)
    crash(store)
    again = Store.open(data)
    first, second = again.members._c._table._read_table().values()
    assert all(a is b for a, b in zip(first, second, strict=True))
    again.close()


def test_every_new_name_is_made_durable_before_anything_relies_on_it(tmp_path: Path,
                                                                    monkeypatch) -> None:
    """A power cut must not take away the journal folder, a segment, a shard folder or a
    compacted file whose changes the deleted segments held."""
    synced: list[Path] = []
    real = storage_files.fsync_dir

    def recording(folder: Path) -> None:
        synced.append(folder)
        real(folder)

    monkeypatch.setattr("storage.journal.fsync_dir", recording)
    monkeypatch.setattr("storage.compaction.fsync_dir", recording)
    data = tmp_path / "data"
    store = Store.open(data)
    assert synced[:2] == [data, data / "journal"]  # the folder, then its first segment
    store.positions.add(lambda n: Position(id=n, consultation_id=7, agency="IOM",
                                           member_id="m", choice="agree"))
    synced.clear()
    store.compact()
    assert {data, data / "positions"} <= set(synced)
    assert synced[-1] == data / "journal"  # segments deleted only after the files
    store.close()


def test_a_failed_compaction_is_done_again_by_the_next_one(tmp_path: Path, caplog) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    busy(store)
    expected = everything(store)

    def disk_full(stage: str) -> None:
        if stage == "file":
            raise OSError(28, "No space left on device")

    store.engine.on_compaction = disk_full
    with pytest.raises(OSError):
        store.compact()
    assert "compaction failed" in caplog.text
    assert not (data / "members.json").exists() and len(lines(data)) > 5
    store.engine.on_compaction = None
    store.compact()
    assert (data / "members.json").exists() and not (data / "events" / "2026-08.txt").exists()
    assert lines(data) == []
    crash(store)
    again = Store.open(data)
    assert everything(again) == expected
    again.close()


# A transaction whose line the disk refuses is taken back whole.

def test_a_transaction_the_disk_refuses_is_taken_back_memory_and_indexes_alike(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.faults import FullDisk

    store = app.store
    say_and_send(app, "aminata", "consultation ouvrir Plan | vendredi 4 décembre 17h")
    before = everything(store)
    queued = len(store.outbox.all())
    disk = FullDisk(monkeypatch)
    disk.fill()
    event = Inbound(platform="console", user_id="awa", text="position 1 accord")
    with pytest.raises(OSError), store.transaction():
        assert store.events.first_time("slack:Ev1", "2026-11-28T17:00:00+00:00")
        app.handle(event)  # a position, and a colleague told (an outbox row)
    assert everything(store) == before  # memory as it was before the transaction
    assert len(store.outbox.all()) == queued and store.positions.history(1) == []
    disk.free()
    # What the refused transaction made (its event id, its outbox keys) is not "seen": the same
    # event handled again keeps everything, once.
    with store.transaction():
        assert store.events.first_time("slack:Ev1", "2026-11-28T17:00:00+00:00")
        app.handle(event)
    assert [p.choice for p in store.positions.history(1)] == ["agree"]
    store.sync_now()
    crash(store)
    again = Store.open(store.data_dir)
    try:
        assert [p.choice for p in again.positions.history(1)] == ["agree"]
        assert not again.events.first_time("slack:Ev1", "2026-11-28T17:00:00+00:00")
    finally:
        again.close()
