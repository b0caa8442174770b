"""Chats that may not take a message yet, so the dispatcher goes on with the others.

Each chat has its own limit (Slack about one message per second per channel, Telegram one per
second in a chat and twenty a minute in a group). A pass that waited for one chat's turn before
every delivery made everything behind it wait too: under a burst, the answer to one person sat
behind another person's third notice (head-of-line blocking). So a row whose chat is not free is
deferred and the pass moves on; once a row for a chat is deferred, every later row for that chat
is deferred as well, so each chat still receives its messages in the order they were queued.
When only deferred rows are left, the pass waits for the first chat to be free — or for a new
answer to deliver, which needs no one else's turn.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from bot.dispatch.contract import Adapter, Target
from bot.ratelimit import RateLimiter
from storage.models import OutboxRow


@dataclass
class Lanes:
    """The chats deferred in the current round of a pass, and in how long each is free."""

    busy: dict[str, float] = field(default_factory=dict)  # chat → seconds until it is free
    soonest: float | None = None

    def hold(self, chats: Iterable[str], wait: float) -> float | None:
        """``None`` when a row going to ``chats`` may go now; else the seconds it must wait:
        one of its chats needs ``wait`` seconds more, or an earlier row for one of them was
        deferred (and this one goes after it). A deferred row's chats stay busy for the rest
        of the round."""
        chats = list(chats)
        behind = [self.busy[chat] for chat in chats if chat in self.busy]
        if wait <= 0 and not behind:
            return None
        wait = max([wait, *behind])
        for chat in chats:
            self.busy[chat] = wait
        if wait > 0:
            self.soonest = wait if self.soonest is None else min(self.soonest, wait)
        return wait


async def until_free(seconds: float, nudge: asyncio.Event,
                     sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Wait ``seconds`` for a chat to be free, or less when ``nudge`` is set (a new answer)."""
    if nudge.is_set():
        return
    napping = asyncio.ensure_future(sleep(seconds))
    nudged = asyncio.ensure_future(nudge.wait())
    try:
        await asyncio.wait({napping, nudged}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (napping, nudged):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def waiting_chats(targets: Iterable[Target], row: OutboxRow,
                  adapter_for: Callable[[Target], Adapter | None],
                  limiter_for: Callable[[Adapter], RateLimiter]) -> tuple[list[str], float]:
    """The chats ``row`` still goes to, and how long until all of them may take it."""
    chats, wait = [], 0.0
    for target in targets:
        adapter = adapter_for(target)
        if adapter is None or target.key in row.done or target.key in row.failed:
            continue
        chats.append(target.key)
        wait = max(wait, limiter_for(adapter).chat_delay(target.address, target.channel))
    return chats, wait
