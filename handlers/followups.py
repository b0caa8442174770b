"""Running the work requests left for after their ack (``storage/followups.py``): each
follow-up removed in the transaction of what it did, so it is done once, and after a crash done
at the next start (the dispatcher runs them before delivering). One that fails is kept, marked,
and the secretariat told: what a position should have told others did not reach them."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from handlers.consultations import told
from handlers.context import Context
from handlers.scheduled import told as secretariat
from handlers.types import Message
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
        reference = secrets.token_hex(3)
        log.exception("follow-up %s (%s) failed (ref %s)", followup.id, followup.kind,
                      reference)
        followup.status = FAILED
        ctx.store.followups.save(followup)
        tell_failed(ctx, followup, reference)
        return
    ctx.store.followups.remove(followup)


def tell_failed(ctx: Context, followup: Followup, reference: str) -> None:
    """One direct message to the secretariat: what was not told, and the log's reference."""
    number = followup.args.get("consultation")

    def build(lang: str) -> Message:
        what = (ctx.t(lang, "followup.what.position", number=number,
                      agency=ctx.agency_label(str(followup.args.get("agency", "")), lang))
                if followup.kind == told.KIND and number is not None
                else ctx.t(lang, "followup.what.other", kind=followup.kind))
        return Message(title=ctx.t(lang, "followup.failed_title"), paragraphs=[
            ctx.t(lang, "followup.failed_body", what=what, ref=reference)])

    ctx.send_to_members(secretariat(ctx), f"followup-failed:{followup.id}", build)
