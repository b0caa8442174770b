"""A set of short keys that only grows, kept as a text file of one key per line: the processed
event ids of one month (``events/2026-11.txt``).

A platform's event ids are only ever added and asked about (``in``); hundreds of thousands of
them a month are normal. Held as TinyDB documents they cost several hundred bytes each in memory
and a JSON parse of every one at start-up; here they are a set of strings, read with one
``split``. Like every other file of the data dir it belongs to the engine
(``storage/engine.py``): an added key is a change in the journal (``{"f": …, "add": key}``),
part of its request's transaction; the file is rewritten whole, atomically, by compaction.

A month written by an older version as a TinyDB file (``events/2026-11.json``, one document per
event) is read as well; the next compaction writes the text file and deletes it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.files import CorruptFileError, dumps, read_json_file

if TYPE_CHECKING:
    from storage.engine import Engine

SUFFIX = ".txt"
LEGACY = ".json"


class KeySnapshot:
    """What compaction writes for a key log: its keys, taken on the loop's thread."""

    def __init__(self, keys: list[str], legacy: Path | None) -> None:
        self.keys = keys
        self.legacy = legacy  # the older TinyDB file to delete once this one is written

    def text(self) -> str:
        return "\n".join(self.keys) + "\n" if self.keys else ""


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
    """One key-log file of the data dir, its keys held in memory as a set."""

    def __init__(self, path: Path, engine: Engine | None = None, rel: str = "") -> None:
        self.path = path.with_suffix(SUFFIX)
        self.engine = engine
        self.rel = rel
        legacy = path.with_suffix(LEGACY)
        self.legacy: Path | None = legacy if legacy.exists() else None
        self.keys: set[str] = set(read_keys(self.path))
        if self.legacy is not None:
            self.keys.update(read_legacy(self.legacy))
        self.dropped = False

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str) -> bool:
        """Add ``key`` (through the journal); ``False`` if it was there already."""
        if key in self.keys:
            return False
        if not valid_key(key):
            raise ValueError(f"not a key for one line: {key!r}")
        if self.engine is not None:
            self.engine.record(self.rel, f'{{"f":{dumps(self.rel)},"add":{dumps(key)}}}')
            if self.engine.in_transaction:  # taken back if the transaction cannot be written
                self.engine.undo(lambda: self.keys.discard(key))
        self.keys.add(key)
        self.dropped = False
        return True

    def drop(self) -> None:
        """Delete the whole log (an old month): its keys now, the file at compaction."""
        if self.engine is not None:
            engine = self.engine
            engine.record(self.rel, f'{{"f":{dumps(self.rel)},"drop":true}}', drop=True)
            if engine.in_transaction:
                keys, dropped = self.keys, self.dropped

                def undo() -> None:
                    self.keys, self.dropped = keys, dropped
                    if not dropped:
                        engine.dropped.discard(self.rel)
                        engine.dirty.add(self.rel)

                engine.undo(undo)
        self.keys = set()
        self.dropped = True

    def apply(self, change: dict[str, Any]) -> None:
        """Replay one journal change (adding a key twice, or over a compacted file, is the
        same as adding it once)."""
        if change.get("drop"):
            self.keys, self.dropped = set(), True
            return
        key = change["add"]
        if not isinstance(key, str) or not valid_key(key):
            raise TypeError(f"not a key: {json.dumps(key)[:40]}")
        self.keys.add(key)
        self.dropped = False

    def snapshot(self) -> KeySnapshot:
        return KeySnapshot(list(self.keys), self.legacy)

    def written(self, snapshot: KeySnapshot) -> None:
        """Compaction wrote ``snapshot``: the older TinyDB file is gone."""
        if snapshot.legacy is not None and snapshot.legacy == self.legacy:
            self.legacy = None

    def release(self) -> None:
        self.keys = set()
