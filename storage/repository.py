"""What every repository does the same way, so that each one keeps only what is its own.

A repository is typed by its record class (``class Meetings(Numbered[Meeting])`` sets
``Meetings.record``), declares the indexes it looks records up by and the order ``all`` gives,
and adds the questions only it asks (``upcoming``, ``open``, ``pending_for`` …)."""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, ClassVar, Generic

from storage.collection import Collection, Doc, KeysOf, R
from storage.sharded import ShardedCollection


class Repository(Generic[R]):
    """The records of one collection, with the indexes ``indexes`` declares (name → the keys
    of a stored document), ``all`` in the order of the fields ``order_by`` names (the
    collection's own order without them)."""

    record: ClassVar[type]
    indexes: ClassVar[Mapping[str, KeysOf]] = {}
    order_by: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            args = typing.get_args(base)
            if args and isinstance(args[0], type):
                cls.record = args[0]

    def __init__(self, collection: Collection[R]) -> None:
        self._c = collection
        for name, keys_of in self.indexes.items():
            collection.add_index(name, keys_of)

    def all(self) -> list[R]:
        found = self._c.all()
        return sorted(found, key=attrgetter(*self.order_by)) if self.order_by else found

    def lookup(self, index: str, key: Any, test: Callable[[Doc], bool] | None = None) -> list[R]:
        """The records one of ``indexes`` holds under ``key`` (see ``Collection.lookup``)."""
        return self._c.lookup(index, key, test)


class Numbered(Repository[R]):
    """Records numbered by the collection (1, 2, 3 … as people see and type them)."""

    order_by = ("id",)

    def __init__(self, collection: Collection[R] | ShardedCollection[R]) -> None:
        super().__init__(collection)  # type: ignore[arg-type]

    def get(self, number: int) -> R | None:
        return self._c.get_number(number)

    def add(self, build: Callable[[int], R]) -> R:
        """Store ``build(n)`` under the next number n."""
        return self._c.add_numbered(build)

    def save(self, record: R) -> None:
        """Overwrite the record with the same number."""
        self._c.save_numbered(record)


class Keyed(Repository[R]):
    """Records that carry their own string ``id`` (a slug, a hash, a member id)."""

    def get(self, key: str) -> R | None:
        return self._c.get_keyed(key)

    def save(self, record: R) -> None:
        """Insert the record, or replace the one with the same ``id``."""
        self._c.save_keyed(record)

    def add_if_new(self, record: R) -> bool:
        """Store ``record`` unless its id was ever stored; whether it was."""
        if self._c.get_keyed(record.id) is not None:  # type: ignore[attr-defined]
            return False
        self._c.save_keyed(record)
        return True
