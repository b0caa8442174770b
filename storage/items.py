"""Information items shared with the network, findable by link, objective, type or words."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection
from storage.models import InfoItem


class Items:
    record = InfoItem

    def __init__(self, collection: Collection[InfoItem]) -> None:
        self._c = collection
        self._by_key = {item.key: item.id for item in collection}

    def get(self, number: int) -> InfoItem | None:
        return self._c.get_number(number)

    def by_key(self, key: str) -> InfoItem | None:
        number = self._by_key.get(key)
        return self._c.get_number(number) if number else None

    def newest_first(self) -> list[InfoItem]:
        return sorted(self._c.all(), key=lambda item: item.id, reverse=True)

    def add(self, build: Callable[[int], InfoItem]) -> InfoItem:
        item = self._c.add_numbered(build)
        self._by_key[item.key] = item.id
        return item
