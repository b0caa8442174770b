"""Compaction: the TinyDB files (and key logs) rewritten whole from snapshots of the changed
ones, in a worker thread, then the journal segments they make useless deleted
(``storage/engine.py`` decides when). A crash at any point of this leaves segments whose replay
over whatever files are on disk gives the same data.

The worker encodes megabytes of JSON while holding the interpreter's lock, which it shares with
the event loop: a request arriving then ran at half speed, and the clicks during a compaction
were the benchmark's slowest. So while the engine says requests are in flight (``Engine.busy``,
set by the running bot), the worker sleeps between documents — the lock released — up to
``MAX_PAUSE`` at a time, so a compaction under constant traffic still ends. Never while the
loop itself waits for the compaction (``wait``, or one run on its own thread): that would only
hold the loop longer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.atomic import AtomicJSONStorage
from storage.files import TableSnapshot, fsync_dir, render, write_atomically
from storage.journal import Segment
from storage.keylog import KeyLog, KeySnapshot

if TYPE_CHECKING:
    from storage.engine import Engine

log = logging.getLogger("storage.engine")  # the engine's log, as before this module

DIR_MODE = 0o700
PAUSE_STEP = 0.0005  # seconds the worker sleeps before looking at the requests again
MAX_PAUSE = 0.005  # seconds at most per pause, whatever the traffic

Snapshot = list[TableSnapshot] | KeySnapshot


@dataclass
class Compaction:
    """One checkpoint: what to write (or delete) and which segments it makes useless."""

    files: list[tuple[str, Path, Snapshot | None]]  # None: delete the file
    segments: list[Segment]
    encoded: dict[str, list[tuple[str, str, Any, str]]] = field(default_factory=dict)


class Compactor:
    """The compactions of one engine's files, one at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # A test's way to stop or kill the process at a chosen point of compaction.
        self.on_stage: Callable[[str], None] | None = None
        self.running: Future[None] | None = None  # the last one started, until collected
        self._work: Compaction | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._waited_for = False  # the loop's thread blocks on the running one: no pauses

    def start(self, segments: list[Segment], *, wait: bool) -> None:
        """Snapshot every changed file (on the loop's thread) and write them with ``segments``
        to delete after: in the worker thread, or here with ``wait``."""
        engine = self.engine
        files: list[tuple[str, Path, Snapshot | None]] = []
        for rel in sorted(engine.dirty | engine.dropped):
            storage = engine.storages.get(rel)
            gone = storage is None or storage.dropped
            path = storage.path if storage is not None else engine.data_dir / f"{rel}.json"
            files.append((rel, path, None if gone or storage is None else storage.snapshot()))
            if gone and isinstance(storage, KeyLog) and storage.legacy is not None:
                files.append((rel, storage.legacy, None))
        engine.dirty.clear()
        engine.dropped.clear()
        work = self._work = Compaction(files, segments)
        if not wait:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="compaction")
            self.running = self._executor.submit(self._compact, work, self.pause)
            return
        done: Future[None] = Future()
        try:
            self._compact(work, None)
            done.set_result(None)
        except BaseException as error:
            done.set_exception(error)
            raise
        finally:
            self.running = done
            self.collect()

    def _compact(self, work: Compaction, pause: Callable[[], None] | None) -> None:
        """In the worker thread (or the loop's, with ``wait``): every file whole and synced,
        then the old segments deleted; ``pause`` between documents, in the worker only."""
        folders = {self.engine.data_dir}  # also makes the shard folders' own names durable
        for rel, path, snapshot in work.files:
            if snapshot is None:
                path.unlink(missing_ok=True)
            elif isinstance(snapshot, KeySnapshot):
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
                write_atomically(path, snapshot.text(), sync_dir=False)
                snapshot.merge()  # here, not on the loop (``KeySnapshot``)
                if snapshot.legacy is not None:
                    snapshot.legacy.unlink(missing_ok=True)
            else:
                path.parent.mkdir(mode=DIR_MODE, exist_ok=True)
                encoded = work.encoded.setdefault(rel, [])
                write_atomically(path, render(snapshot, encoded, pause), sync_dir=False)
            folders.add(path.parent)
            self._stage("file")
        for folder in sorted(folders):
            fsync_dir(folder)
        self._stage("files")
        journal = self.engine.journal
        assert journal is not None
        journal.forget(work.segments)
        self._stage("segments")

    def pause(self) -> None:
        """In the worker thread: wait while the loop has requests in flight (bounded)."""
        busy = self.engine.busy
        waited = 0.0
        while busy is not None and not self._waited_for and waited < MAX_PAUSE and busy():
            time.sleep(PAUSE_STEP)
            waited += PAUSE_STEP

    def _stage(self, name: str) -> None:
        if self.on_stage is not None:
            self.on_stage(name)

    def wait(self) -> None:
        """Block until the running compaction ended (a failure is handled by ``collect``)."""
        if self.running is not None:
            self._waited_for = True
            try:
                self.running.exception()
            finally:
                self._waited_for = False
            self.collect()

    def collect(self) -> None:
        """On the loop's thread, once a compaction ended: keep the texts it encoded, or put its
        files back to be written next time if it failed."""
        running, work = self.running, self._work
        if running is None or not running.done() or work is None:
            return
        self.running = self._work = None
        engine = self.engine
        error = running.exception()
        if error is None:
            assert engine.journal is not None
            engine.journal.drop_listed(work.segments)
            for rel, encoded in work.encoded.items():
                storage = engine.storages.get(rel)
                if isinstance(storage, AtomicJSONStorage):
                    storage.cache(encoded)
            for rel, _, snapshot in work.files:
                storage = engine.storages.get(rel)
                if isinstance(snapshot, KeySnapshot) and isinstance(storage, KeyLog):
                    storage.written(snapshot)
            return
        log.error("compaction failed, the journal keeps every change: %s", error)
        # Next time, each file is written or deleted as its storage is then.
        engine.dirty.update(rel for rel, _, _ in work.files)

    def shutdown(self) -> None:
        """Stop the worker thread (after the running compaction, if any)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
