"""A TinyDB storage whose writes are all-or-nothing.

TinyDB's own ``JSONStorage`` rewrites its file in place: a crash mid-write leaves broken JSON.
This storage writes a temporary file beside the real one, fsyncs it, swaps it in with
``os.replace`` and fsyncs the folder, so a crash leaves the old file or the new one. It keeps the
parsed data in memory (one process owns the data dir), so reads cost nothing and a write costs what
its own collection weighs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

FILE_MODE = 0o600


class CorruptFileError(RuntimeError):
    """A collection file exists but cannot be read; it is left untouched for a human to look at."""

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        self.path = path
        self.reason = reason  # unreadable | empty | invalid_json | not_a_database
        self.detail = detail
        super().__init__(f"{path}: {reason} {detail}".strip())


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX needs the directory itself synced)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: temp file in the same folder, fsync, rename, fsync folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def read_json_file(path: Path) -> dict[str, Any] | None:
    """Parse a collection file; ``None`` when it does not exist yet; ``CorruptFileError`` if bad."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptFileError(path, "unreadable", exc.strerror or "") from exc
    if not raw.strip():
        raise CorruptFileError(path, "empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(path, "invalid_json", str(exc)) from exc
    if not isinstance(data, dict):
        raise CorruptFileError(path, "not_a_database")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file atomic replace on each write, parsed data cached in memory.

    Each document's JSON text is cached too, so a write re-encodes only the documents the
    collection marked as changed (``touch``) and joins the rest: the cost of a write is the
    file's size on disk, not the encoding of ten years of documents.

    Example::

        db = TinyDB("data/members.json", storage=AtomicJSONStorage)
    """

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)
        self._data: dict[str, Any] | None = read_json_file(self.path)
        self._texts: dict[str, dict[str, str]] = {}
        self._dirty: set[tuple[str, str]] = set()

    def read(self) -> dict[str, Any] | None:
        return self._data

    def touch(self, table: str, doc_id: int | str) -> None:
        """The document ``doc_id`` of ``table`` is about to change: encode it afresh."""
        self._dirty.add((table, str(doc_id)))

    def _encode(self, data: dict[str, Any]) -> str:
        tables = []
        for name, table in data.items():
            texts = self._texts.setdefault(name, {})
            docs = []
            for doc_id, doc in table.items():
                key = str(doc_id)
                text = texts.get(key)
                if text is None or (name, key) in self._dirty:
                    text = texts[key] = json.dumps(doc, ensure_ascii=False,
                                                   separators=(",", ":"))
                docs.append(f"{json.dumps(key)}:{text}")
            if len(texts) > len(table):  # documents were removed
                for key in set(texts) - {str(k) for k in table}:
                    del texts[key]
            tables.append(f"{json.dumps(name)}:{{{','.join(docs)}}}")
        return "{" + ",".join(tables) + "}"

    def write(self, data: dict[str, Any]) -> None:
        try:
            text = self._encode(data)
            write_atomically(self.path, text)
        except BaseException:
            # TinyDB mutated our cached dicts before calling write: trust the disk again.
            self._data = read_json_file(self.path)
            self._texts.clear()
            raise
        finally:
            self._dirty.clear()
        self._data = data

    def close(self) -> None:
        self._data = None
        self._texts.clear()
