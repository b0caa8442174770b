"""Events already processed, so a platform's redelivery is handled once."""

from __future__ import annotations

from storage.collection import Collection
from storage.models import ProcessedEvent


class ProcessedEvents:
    """Keys like ``slack:Ev123`` or ``telegram:update:42``, kept in memory and on disk."""

    record = ProcessedEvent

    def __init__(self, collection: Collection[ProcessedEvent]) -> None:
        self._c = collection
        self._seen = {event.id for event in collection}

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, key: str, at: str) -> bool:
        """Record ``key``; ``False`` when it was already recorded (a redelivery)."""
        if key in self._seen:
            return False
        self._c.insert(ProcessedEvent(id=key, at=at))
        self._seen.add(key)
        return True
