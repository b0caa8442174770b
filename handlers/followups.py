"""Running the work requests left for after their ack (``storage/followups.py``): each
follow-up in one transaction with its ``done`` mark, so it is done once, and after a crash done
at the next start (the dispatcher runs them before delivering)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from handlers.consultations import told
from handlers.context import Context
from storage.followups import FAILED, Followup

log = logging.getLogger(__name__)

KINDS: dict[str, Callable[[Context, dict[str, Any]], None]] = {
    told.KIND: told.tell,
}


def waiting(ctx: Context) -> list[Followup]:
    """The follow-ups not done yet, oldest first."""
    return ctx.store.followups.waiting()


def run(ctx: Context, followup: Followup) -> None:
    """Do one follow-up and remove it, inside the caller's transaction. One that raises is
    logged and kept, marked failed (it would raise again), as is one of a kind this version
    does not know (written by a later one)."""
    work = KINDS.get(followup.kind)
    try:
        if work is None:
            raise LookupError(f"unknown kind {followup.kind!r}")
        work(ctx, followup.args)
    except Exception:
        log.exception("follow-up %s (%s) failed", followup.id, followup.kind)
        followup.status = FAILED
        ctx.store.followups.save(followup)
        return
    ctx.store.followups.remove(followup)
