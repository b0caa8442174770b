"""One TinyDB file per collection, holding records of one dataclass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tinydb import TinyDB
from tinydb.table import Document

from storage.atomic import AtomicJSONStorage
from storage.records import Record
from storage.validate import check_file

if TYPE_CHECKING:
    from storage.engine import Engine

R = TypeVar("R", bound=Record)


class Collection(Generic[R]):
    """The records of one kind, in ``<data dir>/<name>.json``.

    Records with an integer ``id`` are numbered by the collection (1, 2, 3 … as people see them);
    others carry their own string ``id``. Every method reads from memory. With the data dir's
    engine (as the ``Store`` opens them), a change is recorded in the journal, in constant time:
    part of the open transaction, or written at once outside one; the file itself is rewritten
    by compaction. Without an engine, each change rewrites the file. Opening checks every record
    (as the file and the journal's replay left it) against ``record``'s fields
    (``InvalidRecordError`` names the first that does not fit), so a record is never found
    broken by a handler later.
    """

    def __init__(self, data_dir: Path, name: str, record: type[R],
                 table: str | None = None, engine: Engine | None = None) -> None:
        self.name = table or name  # the TinyDB table; a shard's file is named otherwise
        self.path = data_dir / f"{name}.json"
        self.record = record
        if engine is not None:
            rel = self.path.relative_to(engine.data_dir).with_suffix("").as_posix()
            storage = engine.storage(rel)
        else:
            storage = AtomicJSONStorage(self.path)
        self._storage = storage
        self._db = TinyDB(storage=lambda: storage)
        self._table = self._db.table(self.name, cache_size=0)
        data = storage.read()
        check_file(self.path, data, self.name, record)
        rows = (data or {}).get(self.name) or {}
        self._last_number = max(map(int, rows), default=0)

    def close(self) -> None:
        self._db.close()

    def _load(self, doc: Document) -> R:
        return self.record.from_doc(doc)

    def _put(self, number: int, doc: dict[str, Any]) -> None:
        self._storage.put(self.name, number, doc)
        self._last_number = max(self._last_number, number)
        self._table._next_id = None  # TinyDB's own numbering must look again if it is used

    def __iter__(self) -> Iterator[R]:
        return (self._load(doc) for doc in self._table.all())

    def __len__(self) -> int:
        return len(self._table)

    def all(self) -> list[R]:
        return list(self)

    def find(self, predicate: Callable[[R], bool]) -> list[R]:
        return [rec for rec in self if predicate(rec)]

    def where(self, test: Callable[[dict[str, Any]], bool]) -> list[R]:
        """Records whose stored document passes ``test``, decoding only those (hot paths)."""
        return [self._load(doc) for doc in self._table.all() if test(doc)]

    def first(self, predicate: Callable[[R], bool]) -> R | None:
        return next((rec for rec in self if predicate(rec)), None)

    def get_number(self, number: int) -> R | None:
        doc = self._table.get(doc_id=number)
        return self._load(doc) if isinstance(doc, Document) else None

    def next_number(self) -> int:
        return self._last_number + 1

    def add_numbered(self, build: Callable[[int], R]) -> R:
        """Insert the record ``build(n)`` under the next number n, in one write."""
        number = self._last_number + 1
        record = build(number)
        self._put(number, record.to_doc())
        return record

    def save_numbered(self, record: R) -> None:
        """Overwrite the numbered record with the same ``id``."""
        self._put(record.id, record.to_doc())  # type: ignore[attr-defined]

    def insert(self, record: R) -> None:
        """Append a record known to be new (the caller keeps the index of keys)."""
        self._put(self._last_number + 1, record.to_doc())

    def get_keyed(self, key: str, field: str = "id") -> R | None:
        for doc in self._table.all():
            if doc.get(field) == key:
                return self._load(doc)
        return None

    def save_keyed(self, record: R, field: str = "id") -> None:
        """Insert or replace the record whose ``field`` equals the record's own."""
        key: Any = getattr(record, field)
        for doc_id, doc in self._table._read_table().items():
            if doc.get(field) == key:
                self._put(int(doc_id), record.to_doc())
                return
        self.insert(record)
