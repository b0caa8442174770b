"""Transactions over the TinyDB files of a data dir: the journal in front, compaction behind.

Every change a collection makes (``AtomicJSONStorage.put``/``delete``/``drop``) is recorded
here. Inside ``with engine.transaction():`` the changes wait and are written together as one
journal line when the outermost transaction ends: all of a request's changes, or none, survive
a crash. A change made outside any transaction is its own transaction (autocommit). Writing a
line does not wait for the disk; ``await engine.durable()`` (or ``sync_now()`` without an event
loop) returns once an fsync covers everything written so far, one fsync serving every change that
arrived while the previous one ran.

The TinyDB files stay the readable, compacted form. When the journal passes ``compact_after``
bytes (and at a clean stop) the engine rotates to a new segment, snapshots every changed file
(its documents) on the loop's thread, encodes and writes the files atomically in a worker
thread, then deletes the older segments. A crash at any point of this leaves segments
whose replay over whatever files are on disk gives the same data.

A transaction is synchronous: never ``await`` inside one, or another request's changes would
join it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.atomic import (
    AtomicJSONStorage,
    CorruptFileError,
    TableSnapshot,
    fsync_dir,
    render,
    write_atomically,
)
from storage.journal import Journal, Segment, default_fsync, read_transactions
from storage.keylog import KeyLog, KeySnapshot

log = logging.getLogger(__name__)

JOURNAL_DIR = "journal"
COMPACT_AFTER = 8 * 2**20  # bytes of journal: what a start-up after a crash replays at most
DIR_MODE = 0o700
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)?$")

# Tests set this to their folder: a change made outside any transaction by the bot's own code
# (no frame from that folder on the stack) is then listed in STRAGGLERS, and the test fails.
TRACE_STRAGGLERS: str | None = None
STRAGGLERS: list[str] = []


class ReadOnlyStore(RuntimeError):
    """A store opened without the data dir's lock (``reseau-bot check``) cannot change."""


Snapshot = list[TableSnapshot] | KeySnapshot


@dataclass
class Compaction:
    """One checkpoint: what to write (or delete) and which segments it makes useless."""

    files: list[tuple[str, Path, Snapshot | None]]  # None: delete the file
    segments: list[Segment]
    encoded: dict[str, list[tuple[str, str, Any, str]]] = field(default_factory=dict)


class Engine:
    """The journal and the TinyDB files of one data dir, for one process."""

    def __init__(self, data_dir: Path, *, read_only: bool = False,
                 compact_after: int = COMPACT_AFTER,
                 fsync: Callable[[int], None] = default_fsync,
                 key_logs: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.read_only = read_only
        self.compact_after = compact_after
        self.key_logs = frozenset(key_logs)  # folders of key-log files (storage/keylog.py)
        self.storages: dict[str, AtomicJSONStorage | KeyLog] = {}
        self.dirty: set[str] = set()  # changed since their file was last written
        self.dropped: set[str] = set()  # dropped shards whose file is still on disk
        self.replayed = 0  # transactions replayed at start-up
        # A test's way to stop or kill the process at a chosen point of compaction.
        self.on_compaction: Callable[[str], None] | None = None
        self._changes: list[str] = []
        self._undo: list[Callable[[], None]] = []  # how to take back the open transaction
        self._rollback_listeners: list[Callable[[], None]] = []
        self._depth = 0
        self._compaction: Compaction | None = None
        self._running: Future[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        last = self._replay()
        self.journal: Journal | None = None if read_only else Journal(
            data_dir / JOURNAL_DIR, fsync=fsync, last_seq=last)

    # Files.

    def storage(self, rel: str) -> AtomicJSONStorage | KeyLog:
        """The storage of ``<data dir>/<rel>.json`` (``.txt`` in a key-log folder), loaded once
        (and kept through a drop)."""
        found = self.storages.get(rel)
        if found is None:
            if "/" in rel and rel.split("/", 1)[0] in self.key_logs:
                found = KeyLog(self.data_dir / rel, engine=self, rel=rel)
            else:
                found = AtomicJSONStorage(self.data_dir / f"{rel}.json", engine=self, rel=rel)
            self.storages[rel] = found
        return found

    def json_storage(self, rel: str) -> AtomicJSONStorage:
        found = self.storage(rel)
        if not isinstance(found, AtomicJSONStorage):
            raise TypeError(f"{rel} is a key log, not a TinyDB file")
        return found

    def key_log(self, rel: str) -> KeyLog:
        found = self.storage(rel)
        if not isinstance(found, KeyLog):
            raise TypeError(f"{rel} is a TinyDB file, not a key log")
        return found

    def shard_keys(self, folder: str) -> list[str]:
        """The shards of ``folder``: files on disk and shards the journal created, less the
        dropped ones."""
        suffixes = ("*.json", "*.txt") if folder in self.key_logs else ("*.json",)
        keys = {path.stem for suffix in suffixes
                for path in (self.data_dir / folder).glob(suffix)}
        prefix = folder + "/"
        keys |= {rel[len(prefix):] for rel in self.storages if rel.startswith(prefix)}
        return sorted(k for k in keys if not self.storage(f"{folder}/{k}").dropped)

    def _replay(self) -> int:
        last = 0
        for path, line, tx in read_transactions(self.data_dir / JOURNAL_DIR,
                                                repair=not self.read_only):
            for change in tx["changes"]:
                rel = change.get("f") if isinstance(change, dict) else None
                if not isinstance(rel, str) or not FILE_NAME.match(rel):
                    raise CorruptFileError(path, "journal_line", line=line)
                try:
                    self.storage(rel).apply(change)
                except (KeyError, TypeError, AttributeError) as error:
                    raise CorruptFileError(path, "journal_line", line=line) from error
                self._mark(rel, drop=bool(change.get("drop")))
            last = tx["seq"]
            self.replayed += 1
        if self.replayed:
            log.info("journal: replayed %s transactions (up to %s) over the data files",
                     self.replayed, last)
        return last

    def _mark(self, rel: str, drop: bool) -> None:
        if drop:
            self.dirty.discard(rel)
            self.dropped.add(rel)
        else:
            self.dirty.add(rel)
            self.dropped.discard(rel)

    # Transactions.

    def record(self, rel: str, change: str, drop: bool = False) -> None:
        """A storage's change, as a JSON object's text: buffered in the open transaction, or
        written at once as its own (autocommit). Called before the storage changes its memory,
        and raises if the change cannot be written, so memory never holds what the journal
        does not."""
        journal = self._writable()
        if self._depth == 0:
            if TRACE_STRAGGLERS:
                _trace_straggler(TRACE_STRAGGLERS)
            self._maybe_checkpoint()  # before: memory holds exactly what is written
            self._changes.append(change)
            try:
                self._write(journal)
            except BaseException:
                self._changes.pop()
                raise
        else:
            self._changes.append(change)
        self._mark(rel, drop)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def undo(self, step: Callable[[], None]) -> None:
        """How to take back one change of the open transaction (its storage gives it just
        before changing its memory), should the transaction's line fail to be written."""
        self._undo.append(step)

    def on_rollback(self, listener: Callable[[], None]) -> None:
        """Called after a transaction was taken back: whatever was derived from memory (the
        repositories' indexes) must be derived again."""
        self._rollback_listeners.append(listener)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Changes made inside are written as one journal line when the outermost block ends
        (also when it raised: memory already holds them, and memory is what was answered).

        If that line cannot be written (a full disk), the transaction is taken back: memory
        returns to what it was before the block, so it never holds what the journal does not,
        and the error goes to the caller, who must not answer the request as done."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self.journal is not None:
                try:
                    self.commit()
                except BaseException:
                    self._rollback()
                    raise
                self._undo.clear()

    def _rollback(self) -> None:
        """Take back every change of the transaction that could not be written."""
        steps, self._undo = self._undo, []
        self._changes = []
        for step in reversed(steps):
            step()
        log.error("journal: a transaction of %s changes could not be written and was taken back",
                  len(steps))
        for listener in self._rollback_listeners:
            listener()

    @property
    def pending(self) -> int:
        """Changes recorded and not yet written (an open transaction's)."""
        return len(self._changes)

    def commit(self) -> int:
        """Write the pending changes as one line (no fsync) and return the sequence number that
        covers everything written so far. Starts a compaction when the journal is big enough."""
        journal = self._writable()
        self._write(journal)
        self._maybe_checkpoint()
        return journal.written

    def _write(self, journal: Journal) -> None:
        self._collect()
        if self._changes:
            journal.append(self._changes)
            self._changes = []

    def _maybe_checkpoint(self) -> None:
        """Compact once the journal passes its size. If it passes twice that while the last
        compaction still runs (a saturated loop can starve the worker thread of the GIL for
        as long as it stays busy), wait for that one here: the journal, and so the time a
        restart spends replaying it, stays bounded."""
        journal = self._writable()
        if journal.size < self.compact_after or self._depth or self._changes:
            return
        if self._running is not None:
            if journal.size < 2 * self.compact_after:
                return
            log.warning("journal: %s bytes and the compaction still running; waiting for it",
                        journal.size)
            self._running.exception()
            self._collect()
            if journal.size < self.compact_after:
                return
        self.checkpoint()

    async def durable(self, seq: int | None = None, *, inline: bool = False) -> None:
        """Once this returns, line ``seq`` (default: everything written) survives a power cut
        (``inline``: see ``Journal.durable``)."""
        journal = self._writable()
        await journal.durable(journal.written if seq is None else seq, inline=inline)

    def sync_now(self) -> int:
        """Commit and fsync now, blocking (the console, the CLI, start-up)."""
        self.commit()
        return self._writable().sync_now()

    def _writable(self) -> Journal:
        if self.journal is None:
            raise ReadOnlyStore(f"{self.data_dir} is open read-only")
        return self.journal

    # Compaction.

    def checkpoint(self, *, wait: bool = False, final: bool = False) -> None:
        """Write every changed file from a snapshot and delete the segments it covers: in a
        worker thread, or here with ``wait`` (then also any compaction still running first).
        ``final`` (a clean stop) deletes every segment: nothing will be appended any more.
        Never inside a transaction: the files must hold exactly what the journal holds."""
        journal = self._writable()
        if self._depth:
            raise RuntimeError("checkpoint inside a transaction")
        if self._running is not None:
            if not wait:
                return
            self._running.exception()  # wait; a failure is handled by _collect
            self._collect()
        self._write(journal)
        if final:
            journal.sync_now()
            segments = list(journal.segments)
        else:
            segments = journal.rotate()
        files: list[tuple[str, Path, Snapshot | None]] = []
        for rel in sorted(self.dirty | self.dropped):
            storage = self.storages.get(rel)
            gone = storage is None or storage.dropped
            path = storage.path if storage is not None else self.data_dir / f"{rel}.json"
            files.append((rel, path, None if gone or storage is None else storage.snapshot()))
            if gone and isinstance(storage, KeyLog) and storage.legacy is not None:
                files.append((rel, storage.legacy, None))
        self.dirty.clear()
        self.dropped.clear()
        work = self._compaction = Compaction(files, segments)
        if not wait:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="compaction")
            self._running = self._executor.submit(self._compact, work)
            return
        done: Future[None] = Future()
        try:
            self._compact(work)
            done.set_result(None)
        except BaseException as error:
            done.set_exception(error)
            raise
        finally:
            self._running = done
            self._collect()

    def _compact(self, work: Compaction) -> None:
        """In the worker thread: every file whole and synced, then the old segments deleted."""
        folders = {self.data_dir}  # also makes the shard folders' own names durable
        for rel, path, snapshot in work.files:
            if snapshot is None:
                path.unlink(missing_ok=True)
            elif isinstance(snapshot, KeySnapshot):
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
                write_atomically(path, snapshot.text(), sync_dir=False)
                if snapshot.legacy is not None:
                    snapshot.legacy.unlink(missing_ok=True)
            else:
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
                encoded = work.encoded.setdefault(rel, [])
                write_atomically(path, render(snapshot, encoded), sync_dir=False)
            folders.add(path.parent)
            self._stage("file")
        for folder in sorted(folders):
            fsync_dir(folder)
        self._stage("files")
        assert self.journal is not None
        self.journal.forget(work.segments)
        self._stage("segments")

    def _stage(self, name: str) -> None:
        if self.on_compaction is not None:
            self.on_compaction(name)

    def _collect(self) -> None:
        """On the loop's thread, once a compaction ended: keep the texts it encoded, or put its
        files back to be written next time if it failed."""
        running, work = self._running, self._compaction
        if running is None or not running.done() or work is None:
            return
        self._running = self._compaction = None
        error = running.exception()
        if error is None:
            assert self.journal is not None
            self.journal.drop_listed(work.segments)
            for rel, encoded in work.encoded.items():
                storage = self.storages.get(rel)
                if isinstance(storage, AtomicJSONStorage):
                    storage.cache(encoded)
            for rel, _, snapshot in work.files:
                storage = self.storages.get(rel)
                if isinstance(snapshot, KeySnapshot) and isinstance(storage, KeyLog):
                    storage.written(snapshot)
            return
        log.error("compaction failed, the journal keeps every change: %s", error)
        # Next time, each file is written or deleted as its storage is then.
        self.dirty.update(rel for rel, _, _ in work.files)

    def close(self, *, compact: bool = True) -> None:
        """A clean stop: every change into its file and the journal emptied (``compact``);
        without it (opening failed half-way) nothing is written."""
        try:
            if self.journal is not None and compact:
                try:
                    self.checkpoint(wait=True, final=True)
                except Exception:
                    log.exception("compaction at close failed; the journal keeps every change")
            elif self._running is not None:
                self._running.exception()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            if self.journal is not None:
                self.journal.close()
                self.journal = None
            for storage in self.storages.values():
                storage.release()


def _trace_straggler(tests: str) -> None:
    """Note where a change outside any transaction came from, unless a test made it."""
    frame = sys._getframe(2)
    where = None
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(tests):
            return
        if where is None and "/storage/" not in name:
            where = f"{name}:{frame.f_lineno}"
        frame = frame.f_back
    STRAGGLERS.append(where or "?")
