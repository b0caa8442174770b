"""The journal: every committed transaction as one checksummed line appended to a segment file,
and one ``fsync`` shared by every transaction written while the previous one ran (group commit).

A line is ``{"crc":"<crc32 of the payload, 8 hex>","tx":<payload>}`` and the payload is
``{"seq":<n>,"changes":[…]}``: valid JSON a person can read with ``jq``, checked by its CRC so
that a line torn by a crash is recognised. One transaction is one ``write()`` of one line, so at
replay it is all there or not at all. Segments are ``<data dir>/journal/000001.jsonl``, …; the
newest is the one appended to; older ones are deleted once compaction has put their changes into
the TinyDB files (``storage/compaction.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.files import FILE_MODE, CorruptFileError, fsync_dir

log = logging.getLogger(__name__)

DIR_MODE = 0o700
PREFIX = b'{"crc":"'
MIDDLE = b'","tx":'
HEAD = len(PREFIX) + 8 + len(MIDDLE)
SUFFIX = ".jsonl"

# fdatasync is enough for an append-only file (the size it depends on is flushed with the data)
# and spares the inode's times.
default_fsync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


class JournalError(RuntimeError):
    """The journal cannot promise durability any more (a failed fsync): stop acknowledging."""


def encode_line(payload: bytes) -> bytes:
    return PREFIX + b"%08x" % zlib.crc32(payload) + MIDDLE + payload + b"}\n"


def decode_line(line: bytes) -> dict[str, Any] | None:
    """The transaction of a whole, intact line (with its ``\\n``); ``None`` for anything else."""
    if (not line.endswith(b"}\n") or not line.startswith(PREFIX)
            or line[HEAD - len(MIDDLE):HEAD] != MIDDLE):
        return None
    payload = line[HEAD:-2]
    try:
        if int(line[len(PREFIX):HEAD - len(MIDDLE)], 16) != zlib.crc32(payload):
            return None
        tx = json.loads(payload)
    except ValueError:  # not hex, not JSON, not UTF-8
        return None
    if (not isinstance(tx, dict) or not isinstance(tx.get("seq"), int)
            or not isinstance(tx.get("changes"), list)):
        return None
    return tx


@dataclass
class Segment:
    number: int
    path: Path
    size: int = 0


def segment_path(folder: Path, number: int) -> Path:
    return folder / f"{number:06d}{SUFFIX}"


def list_segments(folder: Path) -> list[Segment]:
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        if path.stem.isdigit():
            found.append(Segment(int(path.stem), path, path.stat().st_size))
    return sorted(found, key=lambda s: s.number)


def read_transactions(folder: Path, *,
                      repair: bool) -> Iterator[tuple[Path, int, dict[str, Any]]]:
    """Every transaction of the journal in order, each checked, with its segment and line.

    A bad *last* line is what a crash in the middle of a write leaves: it was never acknowledged,
    so it is dropped (and, with ``repair``, cut off the segment). A bad line with anything after
    it, or a whole line out of sequence, is corruption: ``CorruptFileError`` with the segment and
    the line number, and nothing is changed."""
    segments = list_segments(folder) if folder.is_dir() else []
    previous: int | None = None
    for index, segment in enumerate(segments):
        good_end = 0
        with segment.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                tx = decode_line(line)
                if tx is not None and previous is not None and tx["seq"] != previous + 1:
                    # Whole and checked, yet a line is missing or repeated before it.
                    raise CorruptFileError(segment.path, "journal_line", line=number)
                if tx is None:
                    rest = handle.read().strip(b"\0 \n")  # a crash can leave zeros behind
                    later = any(s.path.stat().st_size for s in segments[index + 1:])
                    if rest or later:
                        raise CorruptFileError(segment.path, "journal_line", line=number)
                    log.warning("journal: dropped the unfinished last line %s of %s "
                                "(%s bytes, never acknowledged)", number, segment.path,
                                segment.size - good_end)
                    if repair:
                        os.truncate(segment.path, good_end)
                        segment.size = good_end
                    break
                previous = tx["seq"]
                good_end += len(line)
                yield segment.path, number, tx


class Journal:
    """The segments of one data dir, appended to by one process (the data dir's lock holder).

    ``append`` writes a line without waiting (a killed process loses nothing written: the kernel
    has it); ``await durable(seq)`` returns once an fsync has covered line ``seq``. While an fsync
    runs in a worker thread, later lines wait for the next one, which then covers all of them.
    """

    def __init__(self, folder: Path, *, fsync: Callable[[int], None] = default_fsync,
                 last_seq: int = 0) -> None:
        self.folder = folder
        self.fsync = fsync
        self.written = last_seq  # the highest sequence number written
        self.synced = last_seq  # the highest one an fsync has covered
        self.failed: BaseException | None = None
        self._syncing: asyncio.Future[None] | None = None
        self._retired: list[int] = []  # descriptors of rotated segments, closed when idle
        if not folder.is_dir():
            folder.mkdir(mode=DIR_MODE, parents=True)
            fsync_dir(folder.parent)  # the folder's name must survive a power cut too
        self.segments = list_segments(folder)
        if not self.segments:
            self._create(1)
        self._fd = self._open(self.segments[-1])

    # Segments.

    def _open(self, segment: Segment) -> int:
        return os.open(segment.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)

    def _create(self, number: int) -> Segment:
        segment = Segment(number, segment_path(self.folder, number))
        os.close(os.open(segment.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        fsync_dir(self.folder)  # the new name must survive a power cut before lines rely on it
        self.segments.append(segment)
        return segment

    @property
    def size(self) -> int:
        """Bytes in every segment: what a start-up would replay."""
        return sum(segment.size for segment in self.segments)

    def rotate(self) -> list[Segment]:
        """Make what is written durable, start a new segment, and return the older ones (their
        changes are all at or below ``written``)."""
        self.sync_now()
        older = list(self.segments)
        if older[-1].size == 0:  # nothing in the active one yet: keep appending there
            return older[:-1]
        new = self._create(older[-1].number + 1)
        self._retired.append(self._fd)
        self._fd = self._open(new)
        self._close_retired()
        return older

    def forget(self, segments: list[Segment]) -> None:
        """Delete segments whose changes are in the TinyDB files (any thread)."""
        for segment in segments:
            segment.path.unlink(missing_ok=True)
        fsync_dir(self.folder)

    def drop_listed(self, segments: list[Segment]) -> None:
        """Take deleted segments off the list (on the loop's thread)."""
        gone = {s.number for s in segments}
        self.segments = [s for s in self.segments if s.number not in gone]

    # Writing.

    def append(self, changes: list[str]) -> int:
        """Write one transaction (its changes, each a JSON object's text) as one line and return
        its sequence number. A failed write is cut back off the file, so that no half line is
        left before later ones."""
        seq = self.written + 1
        line = encode_line(f'{{"seq":{seq},"changes":[{",".join(changes)}]}}'.encode())
        segment = self.segments[-1]
        done = 0
        try:
            while done < len(line):
                done += os.write(self._fd, line[done:])
        except BaseException:
            if done:
                os.ftruncate(self._fd, segment.size)
            raise
        segment.size += len(line)
        self.written = seq
        return seq

    def sync_now(self) -> int:
        """Block until everything written is durable (for callers without an event loop)."""
        target = self.written
        if self.synced < target:
            self._fsync(self._fd)
            self.synced = max(self.synced, target)
        return target

    async def durable(self, seq: int, *, inline: bool = False) -> None:
        """Return once an fsync has covered line ``seq``; concurrent callers share fsyncs.

        ``inline``: the caller knows nobody else is waiting (a lone request), so the fsync is
        made here, blocking the loop for its fraction of a millisecond, rather than in a worker
        thread whose round trip costs more than the fsync itself."""
        while self.synced < seq:
            if self.failed is not None:
                raise JournalError("an fsync of the journal failed") from self.failed
            if inline and self._syncing is None:
                self.sync_now()
                continue
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync_in_thread())
            await asyncio.shield(self._syncing)

    async def _sync_in_thread(self) -> None:
        target, fd = self.written, self._fd
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._fsync, fd)
        finally:
            self._syncing = None
            self._close_retired()
        self.synced = max(self.synced, target)

    def _fsync(self, fd: int) -> None:
        if self.failed is not None:
            raise JournalError("an fsync of the journal failed") from self.failed
        try:
            self.fsync(fd)
        except OSError as error:
            # After a failed fsync the kernel may have dropped the pages it could not write:
            # a later fsync would succeed without them. Refuse to promise anything from now on.
            self.failed = error
            log.critical("journal: fsync failed (%s): no more acknowledgements; restart the "
                         "bot once the disk is fixed", error)
            raise

    def _close_retired(self) -> None:
        if self._syncing is None:
            for fd in self._retired:
                os.close(fd)
            self._retired.clear()

    def close(self) -> None:
        self._retired.append(self._fd)
        self._syncing = None
        self._close_retired()
        self._fd = -1
