"""A set of short keys that only grows, kept as a text file of one key per line: the processed
event ids of one month (``events/2026-11.txt``).

A platform's event ids are only ever added and asked about (``in``); hundreds of thousands of
them a month are normal. Held as TinyDB documents they cost several hundred bytes each in memory
and a JSON parse of every one at start-up; here they are read with one ``split`` and held as
a sorted array of their hashes (``KeyLog``). Like every other file of the data dir it belongs
to the engine (``storage/engine.py``): an added key is a change in the journal
(``{"f": …, "add": key}``), part of its request's transaction; the file is rewritten whole,
atomically, by compaction.

A month written by an older version as a TinyDB file (``events/2026-11.json``, one document per
event) is read as well; the next compaction writes the text file and deletes it.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.files import CorruptFileError, dumps, read_json_file

if TYPE_CHECKING:
    from storage.engine import Engine

SUFFIX = ".txt"
LEGACY = ".json"


class KeySnapshot:
    """What compaction writes for a key log: the keys already in its file (read again by the
    worker thread from ``base``, the file as last written; ``None`` when the log was dropped
    since) and the keys added since, taken on the loop's thread; and, made by the worker too
    (``merge``), the array of hashes the log holds once the file is written — on the loop, a
    month's 200,000 ids held every request back for as long as that took."""

    def __init__(self, base: Path | None, added: list[str], forgotten: frozenset[str],
                 legacy: Path | None, epoch: int = 0, hashes: array[int] | None = None) -> None:
        self.base = base
        self.epoch = epoch  # the log's drops so far: a drop after the snapshot voids it
        self.added = added
        self.forgotten = forgotten
        self.legacy = legacy  # the older TinyDB file to delete once this one is written
        self.hashes = hashes  # the log's array when the snapshot was taken (never changed)
        self.merged: array[int] | None = None

    def merge(self) -> None:
        """In the worker thread, once the file is written: the array the log will hold."""
        if self.hashes is not None:
            self.merged = merged(self.hashes, self.added, self.forgotten)

    def text(self) -> str:
        keys = [k for k in read_keys(self.base) if k not in self.forgotten] \
            if self.base is not None else []
        keys += self.added
        return "\n".join(keys) + "\n" if keys else ""


def valid_key(key: str) -> bool:
    """A key fits on its line: no line break, no surrounding space, not empty."""
    return bool(key) and key == key.strip() and "\n" not in key and "\r" not in key


def read_keys(path: Path) -> list[str]:
    """The keys of a key-log file (none if it does not exist); ``CorruptFileError`` for a file
    that is not one key per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptFileError(path, "unreadable", str(exc)) from exc
    if text and not text.endswith("\n"):
        raise CorruptFileError(path, "invalid_keys", "the last line has no line break")
    keys = text.split("\n")[:-1]
    for number, key in enumerate(keys, start=1):
        if not valid_key(key):
            raise CorruptFileError(path, "invalid_keys", f"line {number} is not a key",
                                   line=number)
    return keys


def read_legacy(path: Path) -> list[str]:
    """The ids of a month written as a TinyDB file (``{"events": {"1": {"id": …}}}``)."""
    data = read_json_file(path)
    if data is None:
        return []
    keys = []
    for table in data.values():
        for number, doc in table.items():
            key = doc.get("id") if isinstance(doc, dict) else None
            if not isinstance(key, str) or not valid_key(key):
                raise CorruptFileError(path, "invalid_record", f"record no. {number}: no id")
            keys.append(key)
    return keys


class KeyLog:
    """One key-log file of the data dir, its keys held in memory compactly.

    The keys in the file are held only as their hashes, in a sorted array of 8-byte integers
    (200,000 event ids: 1.6 MB, where a set of the strings took 21 MB); the keys added since
    the file was last written are held as strings, for compaction to append. ``in`` is a set
    look-up and a binary search. Two different keys sharing a 64-bit hash (about one chance in
    10^9 with 200,000 keys) would make the second look already processed: an acceptable cost
    for a redelivery filter. ``hash`` is the interpreter's, salted per process: the array is
    rebuilt from the file at each start."""

    def __init__(self, path: Path, engine: Engine | None = None, rel: str = "") -> None:
        self.path = path.with_suffix(SUFFIX)
        self.engine = engine
        self.rel = rel
        legacy = path.with_suffix(LEGACY)
        self.legacy: Path | None = legacy if legacy.exists() else None
        self._base = hashes(read_keys(self.path))
        self._file_is_base = True  # the file holds exactly what ``_base`` stands for
        self._added: dict[str, None] = {}  # since the file was written, in order
        self._forgotten: set[str] = set()
        self._epoch = 0
        if self.legacy is not None:
            for key in read_legacy(self.legacy):
                if key not in self:
                    self._added[key] = None
        self.dropped = False

    def __contains__(self, key: str) -> bool:
        if key in self._added:
            return True
        base = self._base
        at = bisect_left(base, hash(key))
        return at < len(base) and base[at] == hash(key) and key not in self._forgotten

    def __len__(self) -> int:
        return len(self._base) + len(self._added)

    def all_keys(self) -> list[str]:
        """Every key, read back from the file (for checks and tests, not the hot path)."""
        base = [k for k in read_keys(self.path) if k not in self._forgotten] \
            if self._file_is_base else []
        known = set(base)
        return base + [k for k in self._added if k not in known]

    def add(self, key: str) -> bool:
        """Add ``key`` (through the journal); ``False`` if it was there already."""
        if key in self:
            return False
        if not valid_key(key):
            raise ValueError(f"not a key for one line: {key!r}")
        if self.engine is not None:
            self.engine.record(self.rel, f'{{"f":{dumps(self.rel)},"add":{dumps(key)}}}')
            if self.engine.in_transaction:  # taken back if the transaction cannot be written
                self.engine.undo(lambda: self.discard(key))
        self._added[key] = None
        self._forgotten.discard(key)
        self.dropped = False
        return True

    def discard(self, key: str) -> None:
        """Treat ``key`` as absent in this process (its handling failed or was taken back)."""
        if key in self._added:
            del self._added[key]
        elif key in self:
            self._forgotten.add(key)

    def drop(self) -> None:
        """Delete the whole log (an old month): its keys now, the file at compaction."""
        if self.engine is not None:
            engine = self.engine
            engine.record(self.rel, f'{{"f":{dumps(self.rel)},"drop":true}}', drop=True)
            if engine.in_transaction:
                state = (self._base, self._file_is_base, self._added, self._forgotten,
                         self._epoch, self.dropped)

                def undo() -> None:
                    (self._base, self._file_is_base, self._added, self._forgotten,
                     self._epoch, self.dropped) = state
                    if not state[-1]:
                        engine.dropped.discard(self.rel)
                        engine.dirty.add(self.rel)

                engine.undo(undo)
        self._clear()
        self.dropped = True

    def _clear(self) -> None:
        self._epoch += 1
        self._base, self._file_is_base = array("q"), False
        self._added, self._forgotten = {}, set()

    def apply(self, change: dict[str, Any]) -> None:
        """Replay one journal change (adding a key twice, or over a compacted file, is the
        same as adding it once)."""
        if change.get("drop"):
            self._clear()
            self.dropped = True
            return
        key = change["add"]
        if not isinstance(key, str) or not valid_key(key):
            raise TypeError(f"not a key: {json.dumps(key)[:40]}")
        if key not in self:
            self._added[key] = None
        self._forgotten.discard(key)
        self.dropped = False

    def snapshot(self) -> KeySnapshot:
        return KeySnapshot(self.path if self._file_is_base else None, list(self._added),
                           frozenset(self._forgotten), self.legacy, self._epoch, self._base)

    def written(self, snapshot: KeySnapshot) -> None:
        """Compaction wrote ``snapshot``: its keys are the file's now (held as hashes), and the
        older TinyDB file is gone."""
        if snapshot.legacy is not None and snapshot.legacy == self.legacy:
            self.legacy = None
        if snapshot.epoch != self._epoch:  # dropped since: the file holds what no longer counts
            return
        kept = self._base if snapshot.base is not None else array("q")
        moved = [k for k in snapshot.added if k in self._added]
        if snapshot.merged is not None and snapshot.hashes is kept \
                and len(moved) == len(snapshot.added):
            self._base = snapshot.merged  # the worker's (the usual case: nothing taken back)
        else:
            self._base = merged(kept, moved, snapshot.forgotten)
        self._file_is_base = True
        for key in moved:
            del self._added[key]
        self._forgotten -= snapshot.forgotten

    def release(self) -> None:
        self._clear()


def hashes(keys: list[str]) -> array[int]:
    """The sorted, distinct hashes of ``keys``."""
    return array("q", sorted({hash(k) for k in keys}))


def merged(base: array[int], keys: list[str], forgotten: frozenset[str]) -> array[int]:
    """``base`` with the hashes of ``keys`` and without those of ``forgotten``: the sorted array
    extended and sorted again (two sorted runs: Python's sort merges them in one pass), without
    a set of every hash (a month's 200,000 ids and 500 new: 95 ms that way, 12 ms so)."""
    gone = {hash(k) for k in forgotten}
    values = [v for v in base if v not in gone] if gone else base.tolist()
    values.extend(sorted(h for h in {hash(k) for k in keys}.difference(gone)
                         if not _holds(base, h)))
    values.sort()
    return array("q", values)


def _holds(base: array[int], value: int) -> bool:
    at = bisect_left(base, value)
    return at < len(base) and base[at] == value
