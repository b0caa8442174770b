"""Transactions over the TinyDB files of a data dir: the journal in front, compaction behind.

Every change a collection makes (``AtomicJSONStorage.put``/``delete``/``drop``) is recorded
here. Inside ``with engine.transaction():`` the changes wait and are written together as one
journal line when the outermost transaction ends: all of a request's changes, or none, survive
a crash. A change made outside any transaction is its own transaction (autocommit). Writing a
line does not wait for the disk; ``await engine.durable()`` (or ``sync_now()`` without an event
loop) returns once an fsync covers everything written so far, one fsync serving every change that
arrived while the previous one ran.

The TinyDB files stay the readable, compacted form. When the journal passes ``compact_after``
bytes (and at a clean stop) the engine rotates to a new segment and has the changed files
written again from snapshots (``storage/compaction.py``), then the older segments deleted.
A transaction that cannot be written is taken back (``storage/undo.py``).

A transaction is synchronous: never ``await`` inside one, or another request's changes would
join it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.atomic import AtomicJSONStorage
from storage.compaction import Compactor
from storage.files import CorruptFileError
from storage.journal import Journal, default_fsync, read_transactions
from storage.keylog import KeyLog
from storage.undo import UndoLog

log = logging.getLogger(__name__)

JOURNAL_DIR = "journal"
COMPACT_AFTER = 8 * 2**20  # bytes of journal: what a start-up after a crash replays at most
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)?$")

# Tests set this to their folder: a change made outside any transaction by the bot's own code
# (no frame from that folder on the stack) is then listed in STRAGGLERS, and the test fails.
TRACE_STRAGGLERS: str | None = None
STRAGGLERS: list[str] = []


class ReadOnlyStore(RuntimeError):
    """A store opened without the data dir's lock (``reseau-bot check``) cannot change."""


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
        self.compactor = Compactor(self)
        # Whether requests are waiting for their ack right now: compaction's worker then lets
        # them have the interpreter (``storage/compaction.py``); set by the running bot.
        self.busy: Callable[[], bool] | None = None
        self._changes: list[str] = []
        # Changes recorded so far by collection (a sharded one by its folder): what a caller
        # compares before and after some work to learn whether that work wrote there.
        self.writes: Counter[str] = Counter()
        self._undo = UndoLog()  # how to take back the open transaction
        self._depth = 0
        last = self._replay()
        self.journal: Journal | None = None if read_only else Journal(
            data_dir / JOURNAL_DIR, fsync=fsync, last_seq=last)

    @property
    def on_compaction(self) -> Callable[[str], None] | None:
        """A test's way to stop or kill the process at a chosen point of compaction."""
        return self.compactor.on_stage

    @on_compaction.setter
    def on_compaction(self, hook: Callable[[str], None] | None) -> None:
        self.compactor.on_stage = hook

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

    def file_holds_all(self, rel: str) -> bool:
        """Whether file ``rel`` on disk holds all of it and no journal line left would be
        replayed over it: not changed since it was last written, no compaction still running
        or uncollected, no transaction open."""
        return not (self._depth or self._changes or rel in self.dirty or rel in self.dropped
                    or self.compactor.running is not None)

    def let_go(self, rel: str) -> None:
        """File ``rel`` leaves memory (``file_holds_all`` must be true): not this engine's to
        write any more."""
        if not self.file_holds_all(rel):
            raise RuntimeError(f"{rel} still has changes its file does not hold")
        storage = self.storages.pop(rel, None)
        if storage is not None:
            storage.release()

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
        self.writes[rel.partition("/")[0]] += 1
        self._mark(rel, drop)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def undo(self, step: Callable[[], None]) -> None:
        """How to take back one change of the open transaction (its storage gives it just
        before changing its memory), should the transaction's line fail to be written."""
        self._undo.add(step)

    def on_rollback(self, listener: Callable[[], None]) -> None:
        """Called after a transaction was taken back: whatever was derived from memory (the
        repositories' indexes) must be derived again."""
        self._undo.on_rollback(listener)

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
                    self._changes = []
                    self._undo.rollback()
                    raise
                self._undo.clear()

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
        self.compactor.collect()
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
        if self.compactor.running is not None:
            if journal.size < 2 * self.compact_after:
                return
            log.warning("journal: %s bytes and the compaction still running; waiting for it",
                        journal.size)
            self.compactor.wait()
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
        if self.compactor.running is not None:
            if not wait:
                return
            self.compactor.wait()
        self._write(journal)
        if final:
            journal.sync_now()
            segments = list(journal.segments)
        else:
            segments = journal.rotate()
        self.compactor.start(segments, wait=wait)

    def close(self, *, compact: bool = True) -> None:
        """A clean stop: every change into its file and the journal emptied (``compact``);
        without it (opening failed half-way) nothing is written."""
        try:
            if self.journal is not None and compact:
                try:
                    self.checkpoint(wait=True, final=True)
                except Exception:
                    log.exception("compaction at close failed; the journal keeps every change")
            elif self.compactor.running is not None:
                self.compactor.running.exception()
        finally:
            self.compactor.shutdown()
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
