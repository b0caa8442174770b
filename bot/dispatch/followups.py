"""The work requests left for after their ack (``handlers/followups.py``), run by the dispatcher
at the start of each pass, each in a transaction of its own, after any request still waiting
for its ack (``pace``): what it queues is delivered in the same pass. The loop is given back
after each one: the follow-ups left by a run of clicks ran back to back in one turn of the loop
(ten of them, 25 ms), and a request arriving then waited for them all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.dispatch.ledger import Ledger
from handlers.context import Context
from handlers.followups import run, waiting


async def follow_up(ctx: Context, ledger: Ledger,
                    pace: Callable[[], Awaitable[None]] | None) -> int:
    """Run every waiting follow-up; how many. A write the data dir refuses raises
    ``StorageUnavailable`` (the dispatcher pauses; the follow-up still waits)."""
    done = 0
    for followup in waiting(ctx):
        if done:
            await asyncio.sleep(0)  # a request that arrived meanwhile is read, then goes first
        if pace is not None:
            await pace()
        ledger.write(lambda followup=followup: run(ctx, followup))
        done += 1
    return done
