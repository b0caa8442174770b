"""One TinyDB file per collection, holding records of one dataclass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from tinydb import TinyDB
from tinydb.table import Document

from storage.atomic import AtomicJSONStorage
from storage.records import Record
from storage.validate import check_file

R = TypeVar("R", bound=Record)


class Collection(Generic[R]):
    """The records of one kind, in ``<data dir>/<name>.json``.

    Records with an integer ``id`` are numbered by the collection (1, 2, 3 … as people see them);
    others carry their own string ``id``. Every method reads from memory and writes through, so
    a method that returned has its change on disk. Opening checks every record against
    ``record``'s fields (``InvalidRecordError`` names the first that does not fit), so a record
    is never found broken by a handler later.
    """

    def __init__(self, data_dir: Path, name: str, record: type[R],
                 table: str | None = None) -> None:
        self.name = table or name  # the TinyDB table; a shard's file is named otherwise
        self.path = data_dir / f"{name}.json"
        self.record = record
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._table = self._db.table(self.name, cache_size=0)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        try:
            data = self._storage.read()
            check_file(self.path, data, self.name, record)
        except BaseException:
            self._db.close()
            raise
        rows = (data or {}).get(self.name) or {}
        self._last_number = max(map(int, rows), default=0)

    def close(self) -> None:
        self._db.close()

    def _load(self, doc: Document) -> R:
        return self.record.from_doc(doc)

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
        self._storage.touch(self.name, number)
        self._table.insert(Document(record.to_doc(), doc_id=number))
        self._last_number = number
        return record

    def save_numbered(self, record: R) -> None:
        """Overwrite the numbered record with the same ``id``."""
        number = record.id  # type: ignore[attr-defined]
        self._storage.touch(self.name, number)
        self._table.upsert(Document(record.to_doc(), doc_id=number))

    def insert(self, record: R) -> None:
        """Append a record known to be new (the caller keeps the index of keys)."""
        self._table.insert(record.to_doc())  # a new id: encoded as it is not cached yet

    def get_keyed(self, key: str, field: str = "id") -> R | None:
        for doc in self._table.all():
            if doc.get(field) == key:
                return self._load(doc)
        return None

    def save_keyed(self, record: R, field: str = "id") -> None:
        """Insert or replace the record whose ``field`` equals the record's own."""
        key: Any = getattr(record, field)
        for doc in self._table.all():
            if doc.get(field) == key:
                self._storage.touch(self.name, doc.doc_id)
                self._table.update(record.to_doc(), doc_ids=[doc.doc_id])
                return
        self._table.insert(record.to_doc())
