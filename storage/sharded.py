"""A collection split over several files by a key, for records that are only ever read together
by that key (the positions of one consultation): a file then weighs its shard, not ten years of
history, so start-up and compaction read and write only what changed."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Generic

from storage.collection import Collection, Doc, R

if TYPE_CHECKING:
    from storage.engine import Engine


class ShardedCollection(Generic[R]):
    """``<data dir>/<name>/<shard>.json``, one TinyDB file per shard, numbered as one collection.

    Example::

        positions = ShardedCollection(data_dir, "positions", Position,
                                      lambda p: f"{p.consultation_id:06d}")
    """

    def __init__(self, data_dir: Path, name: str, record: type[R],
                 shard_of: Callable[[R], str], engine: Engine | None = None) -> None:
        self.name = name
        self.folder = data_dir / name
        self.folder.mkdir(mode=0o700, exist_ok=True)
        self.record = record
        self.shard_of = shard_of
        self.engine = engine
        self.shards: dict[str, Collection[R]] = {}
        self._shard_of_number: dict[int, str] = {}
        keys = engine.shard_keys(name) if engine is not None else sorted(
            path.stem for path in self.folder.glob("*.json"))
        for key in keys:
            shard = self.shard(key)
            for number in shard.stored_numbers():
                self._shard_of_number[number] = key
        self._last_number = max((c.last_number for c in self.shards.values()), default=0)

    @property
    def paths(self) -> list[Path]:
        return [c.path for c in self.shards.values()]

    def close(self) -> None:
        for shard in self.shards.values():
            shard.close()

    def __iter__(self) -> Iterator[R]:
        return itertools.chain.from_iterable(self.shards.values())

    def shard_key_of(self, number: int) -> str | None:
        """The shard record ``number`` is stored in, if loaded."""
        return self._shard_of_number.get(number)

    def forget(self, key: str) -> dict[int, Doc]:
        """Shard ``key`` leaves memory (its file stays as it is): its documents by number,
        for the owner to drop from its indexes. Its storage is the engine's to let go."""
        shard = self.shards.pop(key)
        numbers = shard.stored_numbers()
        docs = dict(zip(numbers, shard.stored(), strict=True))
        for number in numbers:
            if self._shard_of_number.get(number) == key:
                del self._shard_of_number[number]
        shard.close()
        return docs

    def shard(self, key: str) -> Collection[R]:
        if key not in self.shards:
            self.shards[key] = Collection(self.folder, key, self.record, table=self.name,
                                          engine=self.engine)
        return self.shards[key]

    def add_numbered(self, build: Callable[[int], R]) -> R:
        """Insert ``build(n)`` under the next number of the whole collection, in its shard."""
        number = self._last_number + 1
        record = build(number)
        self.shard(self.shard_of(record)).save_numbered(record)
        self._last_number = number
        self._shard_of_number[number] = self.shard_of(record)
        return record

    def get_number(self, number: int) -> R | None:
        key = self._shard_of_number.get(number)
        return self.shards[key].get_number(number) if key is not None else None

    def save_numbered(self, record: R) -> None:
        """Overwrite a numbered record in the shard it was added to."""
        number = record.id  # type: ignore[attr-defined]
        key = self._shard_of_number.get(number) or self.shard_of(record)
        self.shard(key).save_numbered(record)
        self._shard_of_number[number] = key

    def all(self) -> list[R]:
        return list(self)

    def find(self, predicate: Callable[[R], bool]) -> list[R]:
        return [record for record in self if predicate(record)]
