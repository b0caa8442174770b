"""Acknowledgements first: the work that follows an ack waits while requests wait for theirs.

Slack gives a request three seconds to be acknowledged and sends it again (a duplicate for the
person) when it is late. Everything the bot does after an ack — the answer shown on the clicked
message (``chat.update``, ``response_url``), the messages the dispatcher delivers (a colleague
told of a changed position) — runs on the same event loop as the requests still waiting for
theirs. Under a burst of clicks that work would take the loop's turns from them.

So each platform counts the requests it is handling (``request``), and the work after an ack
takes its turn (``turn``) only when none is waiting, or after ``max_wait`` seconds at most, so
that it is never starved by a steady stream. At most ``slots`` pieces of it run at once; the
rest queue in order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterator

MAX_WAIT = 2.0  # seconds an answer may wait for the requests in flight
SLOTS = 8  # answers sent at once after a burst


class AcksFirst:
    """The requests in flight on this loop, and the turns of the work that waits for them."""

    def __init__(self, max_wait: float = MAX_WAIT, slots: int = SLOTS) -> None:
        self.max_wait = max_wait
        self.slots = slots
        self.in_flight = 0
        self._idle: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None

    def _event(self) -> asyncio.Event:
        if self._idle is None:  # made inside the running loop
            self._idle = asyncio.Event()
            if not self.in_flight:
                self._idle.set()
        return self._idle

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Around the handling of one request, up to its acknowledgement."""
        self.in_flight += 1
        self._event().clear()
        try:
            yield
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._event().set()

    async def turn(self) -> None:
        """Return once no request waits for its ack, or after ``max_wait`` seconds."""
        if self.in_flight:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event().wait(), self.max_wait)

    async def after_ack(self, work: Awaitable[None]) -> None:
        """Run ``work`` in its turn, with at most ``slots`` such works at once."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.slots)
        async with self._slots:
            await self.turn()
            await work
