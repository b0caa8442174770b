"""What an adapter answers « not recorded, send it again » to: the bot's refusal of an event
whose change the data dir would not take (a full disk, a failed fsync). Named here so that the
adapters, which translate and nothing more, take nothing from storage: ``BotApp`` raises it
(it is storage's own ``StorageUnavailable``), Slack answers 503 and Telegram's webhook 503, and
the platform sends the event again."""

from __future__ import annotations

from storage.faults import StorageUnavailable

NotStored = StorageUnavailable

__all__ = ["NotStored"]
