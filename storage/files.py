"""The file plumbing of the data dir: how a file is replaced whole and durably, read back and
checked, and how TinyDB documents are turned into text (``dumps``, ``render``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE_MODE = 0o600

# One table of a snapshot: its name, a copy of its doc id → document mapping, the cached texts
# of some. A dict's copy is one object: a list of (id, document) pairs was one tuple per
# document, made on the loop's thread (a month's outbox: 30,000) and kept alive while the worker
# encoded, which set off a young collection that walked them all, requests waiting.
TableSnapshot = tuple[str, dict[str, Any], dict[str, str]]


class CorruptFileError(RuntimeError):
    """A data file exists but cannot be read; it is left untouched for a human to look at."""

    def __init__(self, path: Path, reason: str, detail: str = "", line: int | None = None) -> None:
        self.path = path
        self.reason = reason  # unreadable | empty | invalid_json | not_a_database | journal_line
        self.detail = detail
        self.line = line  # for the journal: the first bad line (1-based)
        where = f" line {line}" if line is not None else ""
        super().__init__(f"{path}:{where} {reason} {detail}".strip())


def dumps(value: Any) -> str:
    """How documents are written: compact, UTF-8 as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX needs the directory itself synced)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, text: str, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``text``: temp file in the same folder, fsync, rename, fsync folder
    (left to the caller with ``sync_dir=False``, who then syncs each folder once)."""
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
    if sync_dir:
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
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptFileError(path, "not_a_database")
    return data


def shared_keys(value: Any) -> Any:
    """``value`` with every dict key interned. Each journal line is parsed on its own, so
    without this the documents replayed would each hold their own copy of every field name
    (a file parsed in one go shares them): about a third of their memory."""
    if isinstance(value, dict):
        return {sys.intern(k): shared_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shared_keys(v) for v in value]
    return value


RENDER_STRIDE = 256  # documents encoded between two calls of ``render``'s ``pause``


def render(snapshot: list[TableSnapshot],
           encoded: list[tuple[str, str, Any, str]] | None = None,
           pause: Callable[[], None] | None = None) -> str:
    """A TinyDB file's text from a snapshot; documents without a cached text are encoded, and
    listed in ``encoded`` (table, id, document, text) so the owner can cache them. ``pause`` is
    called every ``RENDER_STRIDE`` documents encoded (compaction's way to let requests run)."""
    tables = []
    count = 0
    for name, items, texts in snapshot:
        docs = []
        for key, doc in items.items():
            text = texts.get(key)
            if text is None:
                text = dumps(doc)
                count += 1
                if pause is not None and count % RENDER_STRIDE == 0:
                    pause()
                if encoded is not None:
                    encoded.append((name, key, doc, text))
            docs.append(f'"{key}":{text}' if key.isdigit() else f"{dumps(key)}:{text}")
        tables.append(f"{dumps(name)}:{{{','.join(docs)}}}")
    return "{" + ",".join(tables) + "}"
