"""Per-platform sending limits, enforced in one place (the dispatcher) for every adapter.

Telegram allows about 30 messages per second overall, one per second in a chat and 20 per minute
in a group; Slack about one per second per channel. An adapter declares its limits as its
``rate_limits`` (``RateLimits``, part of the ``Platform`` protocol); the dispatcher waits here
before each delivery. A 429 that still happens is the adapter's ``RetryLater``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """What a platform allows: messages per second overall, seconds between two messages in
    one chat, messages per minute in a group; ``None`` for no limit."""

    per_second: float | None = None
    per_chat_interval: float | None = None
    group_per_minute: int | None = None


class RateLimiter:
    """Waits just long enough before a send to stay within the platform's limits."""

    def __init__(self, rate_per_second: float | None = None,
                 per_chat_interval: float | None = None, group_per_minute: int | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self.per_chat_interval = per_chat_interval or 0.0
        self.group_per_minute = group_per_minute
        self.clock = clock
        self.sleep = sleep
        self._last_any = float("-inf")
        self._last_chat: dict[str, float] = {}
        self._group_sends: dict[str, deque[float]] = {}

    @classmethod
    def of(cls, limits: RateLimits) -> RateLimiter:
        return cls(limits.per_second, limits.per_chat_interval, limits.group_per_minute)

    def delay(self, address: str, group: bool) -> float:
        """Seconds to wait before sending to ``address`` now."""
        return max(self._last_any + self.interval - self.clock(),
                   self.chat_delay(address, group))

    def chat_delay(self, address: str, group: bool = False) -> float:
        """Seconds before the chat ``address`` may take another message, its own limits only
        (not the platform's overall rate): what the dispatcher must not wait for while other
        chats are free."""
        now = self.clock()
        wait = max(0.0, self._last_chat.get(address, float("-inf")) + self.per_chat_interval - now)
        if group and self.group_per_minute:
            sends = self._group_sends.get(address, deque())
            while sends and sends[0] <= now - 60:
                sends.popleft()
            if len(sends) >= self.group_per_minute:
                wait = max(wait, sends[0] + 60 - now)
        return wait

    async def wait(self, address: str, group: bool = False) -> None:
        delay = self.delay(address, group)
        if delay > 0:
            await self.sleep(delay)
        now = self.clock()
        self._last_any = now
        self._last_chat[address] = now
        if group and self.group_per_minute:
            self._group_sends.setdefault(address, deque()).append(now)
