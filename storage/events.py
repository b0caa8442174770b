"""Events already processed, so a platform's redelivery is handled once.

Kept one file per month: every Slack event and Telegram update records its id before it is
handled, and ten years of ids in one file would make each of those writes cost tens of
milliseconds."""

from __future__ import annotations

from storage.models import ProcessedEvent
from storage.sharded import ShardedCollection


class ProcessedEvents:
    """Keys like ``slack:Ev123`` or ``telegram:update:42``, kept in memory and on disk."""

    record = ProcessedEvent

    def __init__(self, collection: ShardedCollection[ProcessedEvent]) -> None:
        self._c = collection
        self._seen = {event.id for event in collection}

    def __len__(self) -> int:
        return len(self._seen)

    def forget_before(self, month: str) -> int:
        """Drop the ids of months before ``month`` (``YYYY-MM``): platforms redeliver within
        minutes (Slack) or until acknowledged (Telegram), never months later."""
        dropped = self._c.drop_before(month)
        if dropped:
            self._seen = {event.id for event in self._c}
        return len(dropped)

    def first_time(self, key: str, at: str) -> bool:
        """Record ``key``; ``False`` when it was already recorded (a redelivery)."""
        if key in self._seen:
            return False
        self._c.insert(ProcessedEvent(id=key, at=at))
        self._seen.add(key)
        return True

    def forget(self, key: str) -> None:
        """Treat ``key`` as never processed in this process (its handling failed): its
        redelivery is handled. The id stays on disk, where removing it could fail as well."""
        self._seen.discard(key)
