"""One TinyDB file per collection, holding records of one dataclass, with the indexes its
repository looks records up by."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tinydb import TinyDB

from storage.atomic import AtomicJSONStorage
from storage.records import Record
from storage.validate import check_file

if TYPE_CHECKING:
    from storage.engine import Engine

R = TypeVar("R", bound=Record)
Doc = dict[str, Any]
KeysOf = Callable[[Doc], Iterable[Any]]


class Index:
    """Record numbers by the keys ``keys_of`` gives a stored document (none, one or several):
    what a lookup reads instead of decoding the whole table."""

    def __init__(self, keys_of: KeysOf) -> None:
        self.keys_of = keys_of
        self.numbers: dict[Any, set[int]] = {}

    def add(self, number: int, doc: Doc) -> None:
        for key in self.keys_of(doc):
            self.numbers.setdefault(key, set()).add(number)

    def remove(self, number: int, doc: Doc) -> None:
        for key in self.keys_of(doc):
            found = self.numbers.get(key)
            if found is not None:
                found.discard(number)
                if not found:
                    del self.numbers[key]


def by_field(name: str) -> KeysOf:
    """An index on one field's value (documents without it are left out)."""
    def keys_of(doc: Doc) -> Iterable[Any]:
        return (doc[name],) if name in doc else ()
    return keys_of


class Collection(Generic[R]):
    """The records of one kind, in ``<data dir>/<name>.json``.

    Records with an integer ``id`` are numbered by the collection (1, 2, 3 … as people see them);
    others carry their own string ``id``. Every method reads from memory. A repository declares
    the indexes it looks records up by (``add_index``); ``get_keyed``/``save_keyed`` use one on
    the key field. The collection keeps them in step with its own writes, and rebuilds them
    from the documents when anything else changed the table (a replay, a TinyDB write), so a
    lookup costs what it finds, not the size of the history.

    With the data dir's engine (as the ``Store`` opens them), a change is recorded in the
    journal, in constant time: part of the open transaction, or written at once outside one;
    the file itself is rewritten by compaction. Without an engine, each change rewrites the
    file. Opening checks every record (as the file and the journal's replay left it) against
    ``record``'s fields (``InvalidRecordError`` names the first that does not fit), so a record
    is never found broken by a handler later.
    """

    def __init__(self, data_dir: Path, name: str, record: type[R],
                 table: str | None = None, engine: Engine | None = None,
                 watch: Callable[[str, Any], None] | None = None) -> None:
        self.name = table or name  # the TinyDB table; a shard's file is named otherwise
        self.path = data_dir / f"{name}.json"
        self.record = record
        if engine is not None:
            rel = self.path.relative_to(engine.data_dir).with_suffix("").as_posix()
            storage = engine.json_storage(rel)
        else:
            storage = AtomicJSONStorage(self.path)
        self._storage = storage
        self._db = TinyDB(storage=lambda: storage)
        self._table = self._db.table(self.name, cache_size=0)
        data = storage.read()
        check_file(self.path, data, self.name, record)
        rows = (data or {}).get(self.name) or {}
        self._last_number = max(map(int, rows), default=0)
        self._indexes: dict[str, Index] = {}
        self._generation = -1  # the storage's generation the indexes were built at
        self._watch = watch  # told (collection, record id) of every record this one writes

    # Indexes.

    def add_index(self, name: str, keys_of: KeysOf) -> None:
        """Keep the record numbers of each key ``keys_of(doc)`` gives (see ``lookup``)."""
        self._indexes[name] = Index(keys_of)
        self._generation = -1

    def _fresh(self) -> dict[str, Index]:
        if self._generation != self._storage.generation:
            for index in self._indexes.values():
                index.numbers.clear()
            for number, doc in self._docs().items():
                for index in self._indexes.values():
                    index.add(int(number), doc)
            self._generation = self._storage.generation
        return self._indexes

    def _docs(self) -> dict[str, Doc]:
        """The stored documents by number (not copies: never change them)."""
        return self._table._read_table()

    @property
    def last_number(self) -> int:
        """The highest record number ever stored here (0 before any)."""
        return self._last_number

    def stored_numbers(self) -> list[int]:
        """The numbers of the records stored here, in storage order."""
        return [int(number) for number in self._docs()]

    def numbers(self, index: str, key: Any) -> list[int]:
        """The record numbers ``index`` holds under ``key``, in order."""
        return sorted(self._fresh()[index].numbers.get(key, ()))

    def keys(self, index: str) -> list[Any]:
        """The keys ``index`` holds (each with at least one record)."""
        return list(self._fresh()[index].numbers)

    def stored(self, index: str | None = None, key: Any = None) -> list[Doc]:
        """The stored documents ``index`` holds under ``key`` (all of them without ``index``),
        undecoded, in number order: for a repository's questions about them (never change
        them)."""
        docs = self._docs()
        if index is None:
            return list(docs.values())
        return [docs[str(n)] for n in self.numbers(index, key) if str(n) in docs]

    def lookup(self, index: str, key: Any,
               test: Callable[[Doc], bool] | None = None) -> list[R]:
        """The records ``index`` holds under ``key`` (whose stored document passes ``test``,
        if given), in number order; only those are decoded."""
        docs = self._docs()
        found = []
        for number in self.numbers(index, key):
            doc = docs.get(str(number))
            if doc is not None and (test is None or test(doc)):
                found.append(self._load(doc))
        return found

    def close(self) -> None:
        self._db.close()

    def _load(self, doc: Doc) -> R:
        return self.record.from_doc(doc)

    def _put(self, number: int, doc: dict[str, Any]) -> None:
        indexes = self._fresh() if self._indexes else None
        old = self._storage.doc(self.name, number)
        self._storage.put(self.name, number, doc)
        self._last_number = max(self._last_number, number)
        self._table._next_id = None  # TinyDB's own numbering must look again if it is used
        self._changed(indexes, number, old, doc)

    def _changed(self, indexes: dict[str, Index] | None, number: int, old: Doc | None,
                 new: Doc | None) -> None:
        """Record ``number`` went from ``old`` to ``new`` (``None``: absent) in storage: the
        indexes taken at the change follow it, and the watcher is told."""
        if indexes:
            for index in indexes.values():
                if old is not None:
                    index.remove(number, old)
                if new is not None:
                    index.add(number, new)
            self._generation = self._storage.generation
        if self._watch is not None:
            self._watch(self.name, (new or old or {}).get("id", number))

    def __iter__(self) -> Iterator[R]:
        return (self._load(doc) for doc in list(self._docs().values()))

    def __len__(self) -> int:
        return len(self._table)

    def all(self) -> list[R]:
        return list(self)

    def find(self, predicate: Callable[[R], bool]) -> list[R]:
        return [rec for rec in self if predicate(rec)]

    def get_number(self, number: int) -> R | None:
        doc = self._docs().get(str(number))
        return self._load(doc) if doc is not None else None

    def add_numbered(self, build: Callable[[int], R]) -> R:
        """Insert the record ``build(n)`` under the next number n, in one write."""
        number = self._last_number + 1
        record = build(number)
        self._put(number, record.to_doc())
        return record

    def save_numbered(self, record: R) -> None:
        """Store the record under its own number (its ``id``), replacing the one there."""
        self._put(record.id, record.to_doc())  # type: ignore[attr-defined]

    def delete_number(self, number: int) -> None:
        """Remove record ``number``, its indexes kept in step (not built again from every
        document, as any other change outside ``_put`` makes them)."""
        indexes = self._fresh() if self._indexes else None
        old = self._storage.doc(self.name, number)
        if old is not None:
            self._storage.delete(self.name, number)
            self._changed(indexes, number, old, None)

    def insert(self, record: R) -> None:
        """Append a record known to be new (the caller keeps the index of keys)."""
        self._put(self._last_number + 1, record.to_doc())

    def _keyed(self, key: Any, field: str) -> int | None:
        name = f"key:{field}"
        if name not in self._indexes:
            self.add_index(name, by_field(field))
        found = self._fresh()[name].numbers.get(key)
        return min(found) if found else None

    def get_keyed(self, key: str, field: str = "id") -> R | None:
        number = self._keyed(key, field)
        return self.get_number(number) if number is not None else None

    def save_keyed(self, record: R, field: str = "id") -> None:
        """Insert or replace the record whose ``field`` equals the record's own."""
        number = self._keyed(getattr(record, field), field)
        if number is not None:
            self._put(number, record.to_doc())
        else:
            self.insert(record)
