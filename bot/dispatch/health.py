"""What /healthz says about delivery: kept apart from the dispatcher's passes, which it only
reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.dispatch.outages import Outage
from bot.dispatch.timing import WAITING_AFTER
from handlers.context import to_iso
from storage.store import Store


def health_of(store: Store, now: datetime, paused: str | None,
              outages: Mapping[str, Outage]) -> dict[str, Any]:
    """``ok``, or ``degraded`` with the reasons: ``disk`` (writes refused: paused),
    ``platform:<name>`` (down, probed), ``deliveries_waiting`` (rows queued a while ago and
    still not delivered); with the outbox's counts and the follow-ups acks left waiting (run by
    the dispatcher's next pass: many, or for long, means it is stuck)."""
    counts = store.outbox.counts()
    horizon = to_iso(now - WAITING_AFTER)
    waiting = store.outbox.pending_queued_before(horizon)
    reasons = (["disk"] if paused else []) + [
        f"platform:{platform}" for platform in sorted(outages)] + (
        ["deliveries_waiting"] if waiting else [])
    return {
        "status": "degraded" if reasons else "ok", "reasons": reasons,
        "disk": paused or "ok",
        "platforms_down": {platform: {"since": to_iso(outage.since), "error": outage.error,
                                      "waiting": len(outage.rows)}
                           for platform, outage in sorted(outages.items())},
        "outbox_pending": counts["pending"], "outbox_waiting": waiting,
        "outbox_held": counts["held"], "outbox_expired": counts["expired"],
        "outbox_dead": counts["dead"], "followups_waiting": store.followups.count_waiting()}
