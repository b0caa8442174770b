"""Acknowledgements first: the work that follows an ack waits while requests wait for theirs.

Slack gives a request three seconds to be acknowledged and sends it again (a duplicate for the
person) when it is late. Everything the bot does after an ack — the answer shown on the clicked
message (``chat.update``, ``response_url``), the messages the dispatcher delivers (a colleague
told of a changed position) — runs on the same event loop as the requests still waiting for
theirs, and would take the loop's turns from them.

So each platform counts the requests it is handling (``request``), and the work after an ack
takes its turn (``turn``) once the requests have calmed down: none in flight for ``quiet``
seconds (another one is often on its way during a burst). Traffic that never calms down does not
starve that work: after ``max_wait`` seconds of it, turns are given at once until the next calm.
At most ``slots`` answers run at once; the rest queue in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator

MAX_WAIT = 2.0  # seconds of uninterrupted requests after which answers no longer wait
QUIET = 0.01  # seconds without a request in flight that make the requests calm
SLOTS = 8  # answers sent at once after a burst


class AcksFirst:
    """The requests in flight on this loop, and the turns of the work that waits for them."""

    def __init__(self, max_wait: float = MAX_WAIT, quiet: float = QUIET, slots: int = SLOTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_wait = max_wait
        self.quiet = quiet
        self.slots = slots
        self.clock = clock
        self.in_flight = 0
        self.busy_since: float | None = None  # when the current stretch of requests began
        self.last_done = float("-inf")  # when the last request in flight ended
        self.in_stretch = 0  # requests since the requests were last calm
        self._idle: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None
        self._order: asyncio.Lock | None = None

    def _event(self) -> asyncio.Event:
        if self._idle is None:  # made inside the running loop
            self._idle = asyncio.Event()
            if not self.in_flight:
                self._idle.set()
        return self._idle

    def _calm(self, now: float) -> bool:
        return self.in_flight == 0 and now - self.last_done >= self.quiet

    def is_open(self) -> bool:
        """Whether the work after acks may go now."""
        now = self.clock()
        return (self.busy_since is None or self._calm(now)
                or now - self.busy_since >= self.max_wait)

    def alone(self) -> bool:
        """One request in flight, come after calm: no other is likely to follow at once (in a
        burst, the next ones are already arriving)."""
        return self.in_flight <= 1 and self.in_stretch <= 1

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Around the handling of one request, up to its acknowledgement."""
        now = self.clock()
        if self.busy_since is None or self._calm(now):
            self.busy_since, self.in_stretch = now, 0
        self.in_flight += 1
        self.in_stretch += 1
        self._event().clear()
        try:
            yield
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.last_done = self.clock()
                self._event().set()

    async def turn(self) -> None:
        """Return once the requests are calm, or they have run on for ``max_wait``; those who
        wait get their turns in the order they asked."""
        if self.is_open() and (self._order is None or not self._order.locked()):
            return
        if self._order is None:
            self._order = asyncio.Lock()
        async with self._order:
            await self._until_open()

    async def _until_open(self) -> None:
        while not self.is_open():
            now = self.clock()
            assert self.busy_since is not None
            left = self.busy_since + self.max_wait - now
            if self.in_flight:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event().wait(), left)
            else:
                await asyncio.sleep(min(left, self.last_done + self.quiet - now))

    async def after_ack(self, work: Awaitable[None]) -> None:
        """Run ``work`` in its turn, with at most ``slots`` such works at once."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.slots)
        async with self._slots:
            await self.turn()
            await work
