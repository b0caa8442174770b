"""Information items shared with the network, findable by link, objective, type or words."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection
from storage.models import InfoItem
from storage.repository import Numbered


class Items(Numbered[InfoItem]):
    """Numbered items, the number of each link (or text hash) kept in memory to find
    duplicates."""

    def __init__(self, collection: Collection[InfoItem]) -> None:
        super().__init__(collection)
        self._by_key = {item.key: item.id for item in collection}

    def by_key(self, key: str) -> InfoItem | None:
        number = self._by_key.get(key)
        return self._c.get_number(number) if number else None

    def newest_first(self) -> list[InfoItem]:
        return sorted(self._c.all(), key=lambda item: item.id, reverse=True)

    def add(self, build: Callable[[int], InfoItem]) -> InfoItem:
        item = super().add(build)
        self._by_key[item.key] = item.id
        return item
