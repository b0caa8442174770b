"""The TinyDB storage of one collection file, all-or-nothing on disk, its data held in memory.

TinyDB's own ``JSONStorage`` rewrites its file in place: a crash mid-write leaves broken JSON.
Here a file is only ever replaced whole (a temporary file beside it, fsync, ``os.replace``, fsync
of the folder), so a crash leaves the old file or the new one. The parsed data stays in memory
(one process owns the data dir), so a read never touches the disk; what it costs is the
documents it decodes: repositories look records up through the collection's indexes
(``storage/collection.py``), while ``Collection.all``/``find`` decode the whole table.

Inside the bot every storage belongs to the data dir's engine (``storage/engine.py``): a change
(``put``, ``delete``, ``drop``) is then recorded in the journal, not written to the file, and the
file is rewritten whole only by compaction, which encodes its documents in a worker thread (the
texts are not kept: years of documents would sit in memory twice). On its own (no engine) a
storage writes its file on each change, as TinyDB users expect, and keeps each document's text
so that the next write encodes only what changed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

from storage.files import (
    TableSnapshot,
    dumps,
    read_json_file,
    render,
    shared_keys,
    write_atomically,
)

if TYPE_CHECKING:
    from storage.engine import Engine

log = logging.getLogger(__name__)


class AtomicJSONStorage(Storage):
    """TinyDB storage: data in memory, the file replaced whole.

    The collections write with ``put``/``delete``, in constant time: TinyDB's own ``Table``
    writes rebuild the whole table dict on every insert (10 ms at 50,000 documents), so they
    read through TinyDB and write here. TinyDB's writes still work (``write``), at that cost.

    Documents given to ``put`` belong to the storage from then on: nobody changes them in place
    (compaction encodes them in another thread).

    Example::

        db = TinyDB("data/members.json", storage=AtomicJSONStorage)
    """

    def __init__(self, path: str | os.PathLike[str], engine: Engine | None = None,
                 rel: str = "", **_: Any) -> None:
        self.path = Path(path)
        self.engine = engine
        self.rel = rel  # the file's name in the journal: ``members``, ``outbox/2026-11``
        self._data: dict[str, Any] | None = read_json_file(self.path)
        self._texts: dict[str, dict[str, str]] = {}
        self._dirty: set[tuple[str, str]] = set()
        self.dropped = False  # a shard deleted; its file goes at the next compaction
        # Raised by every change that does not go through ``put`` (a delete, a drop, a replay,
        # a TinyDB write): a collection's indexes, kept in step by its own ``put``s, are then
        # rebuilt before their next use.
        self.generation = 0

    def read(self) -> dict[str, Any] | None:
        # A copy of the table index only: TinyDB replaces a table's dict in it before ``write``,
        # which then still sees the previous one.
        return None if self._data is None else dict(self._data)

    def doc(self, table: str, doc_id: int | str) -> dict[str, Any] | None:
        """The stored document ``doc_id`` of ``table`` (not a copy: never change it)."""
        return ((self._data or {}).get(table) or {}).get(str(doc_id))

    def touch(self, table: str, doc_id: int | str) -> None:
        """The document ``doc_id`` of ``table`` is about to change in place: encode it afresh."""
        self._dirty.add((table, str(doc_id)))

    def _table(self, table: str) -> dict[str, Any]:
        if self._data is None:
            self._data = {}
        return self._data.setdefault(table, {})

    # Changes, in constant time.

    def _remember(self, table: str, key: str) -> None:
        """Inside a transaction, before ``key`` changes: how to put it back as it is now, should
        the transaction's journal line fail to be written (documents are never changed in
        place, so the one held now is the one to restore)."""
        engine = self.engine
        if engine is None or not engine.in_transaction:
            return
        docs = self._table(table)
        had, old = key in docs, docs.get(key)
        text = self._texts.get(table, {}).get(key)
        dropped = self.dropped

        def undo() -> None:
            now = self._table(table)
            if had:
                now[key] = old
            else:
                now.pop(key, None)
            texts = self._texts.setdefault(table, {})
            if text is None:
                texts.pop(key, None)
            else:
                texts[key] = text
            self.dropped = dropped
            self.generation += 1  # the collection's indexes are rebuilt before their next use

        engine.undo(undo)

    def put(self, table: str, doc_id: int | str, doc: dict[str, Any]) -> None:
        """Insert or replace one document. With an engine, the journal gets the whole document,
        or only its changed fields when that is shorter (a row marked sent)."""
        key = str(doc_id)
        docs = self._table(table)
        text = dumps(doc)
        old = docs.get(key)
        if self.engine is not None:
            head = f'{{"f":{dumps(self.rel)},"t":{dumps(table)},"id":{dumps(key)}'
            change = f'{head},"doc":{text}}}'
            if old is not None:
                changed = {k: v for k, v in doc.items() if k not in old or old[k] != v}
                removed = [k for k in old if k not in doc]
                if not changed and not removed:
                    return  # the same document: nothing to record
                partial = f"{head},\"set\":{dumps(changed)}" + (
                    f',"unset":{dumps(removed)}' if removed else "") + "}"
                if len(partial) < len(change):
                    change = partial
            self.engine.record(self.rel, change)
            self._remember(table, key)
        docs[key] = doc
        if self.engine is None:
            self._texts.setdefault(table, {})[key] = text
        else:  # memory over compaction's CPU: years of documents twice over is too much
            self._texts.get(table, {}).pop(key, None)
        self._dirty.discard((table, key))
        self.dropped = False
        if self.engine is None:
            self._write_or_reload()

    def delete(self, table: str, doc_id: int | str) -> None:
        key = str(doc_id)
        docs = self._table(table)
        if key not in docs:
            return
        self.generation += 1
        if self.engine is not None:
            self.engine.record(self.rel, f'{{"f":{dumps(self.rel)},"t":{dumps(table)},'
                                         f'"id":{dumps(key)},"del":true}}')
            self._remember(table, key)
        del docs[key]
        self._texts.get(table, {}).pop(key, None)
        if self.engine is None:
            self._write_or_reload()

    def drop(self) -> None:
        """Delete the whole file (an old shard): its documents now, the file at compaction."""
        self.generation += 1
        if self.engine is not None:
            engine = self.engine
            engine.record(self.rel, f'{{"f":{dumps(self.rel)},"drop":true}}', drop=True)
            if engine.in_transaction:
                data, dropped, texts = self._data, self.dropped, dict(self._texts)

                def undo() -> None:
                    self._data, self.dropped, self._texts = data, dropped, texts
                    self.generation += 1
                    if not dropped:
                        engine.dropped.discard(self.rel)
                        engine.dirty.add(self.rel)

                engine.undo(undo)
            self._data, self.dropped = {}, True
            self._texts = {}
        else:
            self._data = None
            self.path.unlink(missing_ok=True)

    def apply(self, change: dict[str, Any]) -> None:
        """Replay one journal change (it was checked when written; applying it twice, or over a
        file compacted after it, gives the same result)."""
        self.generation += 1
        if change.get("drop"):
            self._data, self.dropped = {}, True
            self._texts.clear()
            return
        self.dropped = False
        table, key = change["t"], change["id"]
        docs = self._table(table)
        self._texts.get(table, {}).pop(key, None)
        if "doc" in change:
            docs[key] = shared_keys(change["doc"])
        elif "set" in change:
            old = docs.get(key)
            if old is None:  # deleted later in the journal, already so in the file
                return
            new = {**old, **shared_keys(change["set"])}
            for name in change.get("unset", ()):
                new.pop(name, None)
            docs[key] = new
        elif change.get("del"):
            docs.pop(key, None)

    # Whole-file forms.

    def snapshot(self) -> list[TableSnapshot]:
        """What compaction writes, taken on the loop's thread in a few milliseconds even for a
        big file; ``render`` turns it into text in a worker thread."""
        if self._data is None:
            return []
        return [(name, dict(docs), dict(self._texts.get(name, {})))
                for name, docs in self._data.items()]

    def cache(self, encoded: list[tuple[str, str, Any, str]]) -> None:
        """Keep the texts compaction encoded, for documents that have not changed since —
        only without an engine: a data dir's storages keep no texts (a second copy of every
        document in memory), compaction encodes the changed files afresh in its thread."""
        if self.engine is not None:
            return
        for table, key, doc, text in encoded:
            texts = self._texts.setdefault(table, {})
            if key not in texts and (self._data or {}).get(table, {}).get(key) is doc:
                texts[key] = text

    def _fresh_texts(self, data: dict[str, Any]) -> None:
        for table, key in self._dirty:
            self._texts.get(table, {}).pop(key, None)
        self._dirty.clear()
        for name in list(self._texts):
            if name not in data:
                del self._texts[name]
        for name, docs in data.items():
            texts = self._texts.get(name)
            if texts is not None and len(texts) > len(docs):
                for key in set(texts) - set(docs):
                    del texts[key]

    def _write_file(self) -> None:
        data = self._data or {}
        encoded: list[tuple[str, str, Any, str]] = []
        write_atomically(self.path, render([(name, docs, self._texts.get(name, {}))
                                            for name, docs in data.items()], encoded))
        for table, key, _, text in encoded:
            self._texts.setdefault(table, {})[key] = text

    def _write_or_reload(self) -> None:
        try:
            self._write_file()
        except BaseException:
            # Memory already holds the change (TinyDB even mutates documents before calling
            # write): trust the disk again.
            self._data = read_json_file(self.path)
            self._texts.clear()
            self.generation += 1
            raise

    def write(self, data: dict[str, Any]) -> None:
        """TinyDB's ``Table`` writes: the tables it changed, whole (see the class docstring)."""
        self.generation += 1
        if self.engine is not None:
            self._write_journaled(data)
            return
        self._fresh_texts(data)
        self._data = data
        self._write_or_reload()

    def _write_journaled(self, data: dict[str, Any]) -> None:
        """Record every document of a changed table whose text differs from the cached one (or
        has none): correct whatever TinyDB did in place, at the cost of encoding the table."""
        assert self.engine is not None
        old = self._data or {}
        for table, key in self._dirty:
            self._texts.get(table, {}).pop(key, None)
        self._dirty.clear()
        if self.engine.in_transaction:  # TinyDB changed documents in place: no way back
            self.engine.undo(lambda: log.critical(
                "journal: a transaction with TinyDB's own writes to %s was taken back in part; "
                "restart the bot to read the files again", self.rel))
        with self.engine.transaction():
            for name in set(old) | set(data):
                before, after = old.get(name, {}), data.get(name, {})
                if before is after:
                    continue
                texts = self._texts.setdefault(name, {})
                head = f'{{"f":{dumps(self.rel)},"t":{dumps(name)},"id":'
                for key, doc in after.items():
                    text = dumps(doc)
                    if texts.get(key) != text or key not in before:
                        self.engine.record(self.rel, f'{head}{dumps(key)},"doc":{text}}}')
                        texts[key] = text
                for key in before.keys() - after.keys():
                    self.engine.record(self.rel, f'{head}{dumps(key)},"del":true}}')
                    texts.pop(key, None)
                if name not in data:
                    del self._texts[name]
        self._data = data
        self.dropped = False

    def close(self) -> None:
        if self.engine is None:
            self.release()

    def release(self) -> None:
        self.generation += 1
        self._data = None
        self._texts.clear()
