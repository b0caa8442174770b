"""What the dispatcher does first in each pass, for tests that look at the outbox right after a
handler: the work a request left for after its ack (``handlers/followups.py``)."""

from __future__ import annotations

from handlers.context import Context
from handlers.followups import run, waiting


def followed(app_or_ctx: object) -> int:
    """Run every waiting follow-up, each in its own transaction; how many."""
    ctx: Context = getattr(app_or_ctx, "ctx", app_or_ctx)  # type: ignore[assignment]
    done = 0
    for followup in waiting(ctx):
        with ctx.store.transaction():
            run(ctx, followup)
        done += 1
    return done
