"""Platforms found failing: while one is down nothing is sent to it, it is probed (Slack
``auth.test``, Telegram ``getMe``) with its own backoff, and as soon as a probe succeeds
everything that waited for it is released at once, without waiting for each row's own timer.

Apart from the delivery pass because it is about a platform's health, not about any one row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.dispatch.contract import Adapter

log = logging.getLogger(__name__)

PROBE_BACKOFF = timedelta(seconds=30)  # between two probes of a platform that is down, at most


@dataclass
class Outage:
    """A platform found failing: nothing is sent to it until a probe succeeds."""

    since: datetime
    error: str
    next_probe: datetime
    probes: int = 1
    rows: set[int] = field(default_factory=set)  # rows waiting for it


def probe_backoff(probes: int) -> timedelta:
    """Between probes of a platform that is down: 2, 4, 8, 16 seconds, then every 30."""
    return min(timedelta(seconds=2 ** min(probes, 20)), PROBE_BACKOFF)


def mark_down(outages: dict[str, Outage], platform: str, error: str, now: datetime) -> Outage:
    """``platform``'s outage, begun now if it was not already down."""
    outage = outages.get(platform)
    if outage is None:
        outage = outages[platform] = Outage(now, error, now + probe_backoff(1))
        log.error("%s unavailable (%s): its deliveries wait; probing it until it answers",
                  platform, error)
    return outage


async def probe_outages(outages: dict[str, Outage], adapters: Mapping[str, Adapter],
                        fallback: Adapter | None, now: datetime) -> set[int]:
    """Probe each platform that is down and due for it; returns the rows of those that answer
    again (and of those no adapter serves any more), to be sent at once."""
    released: set[int] = set()
    for platform, outage in list(outages.items()):
        adapter = adapters.get(platform) or (
            fallback if fallback is not None and fallback.platform == platform else None)
        if adapter is None:
            released |= outages.pop(platform).rows
            continue
        if outage.next_probe > now:
            continue
        try:
            await adapter.probe()
        except Exception as error:
            outage.probes += 1
            outage.next_probe = now + probe_backoff(outage.probes)
            outage.error = f"{type(error).__name__}: {error}"[:300]
            continue
        log.warning("%s answers again after %s: %s waiting deliveries resume", platform,
                    now - outage.since, len(outage.rows))
        released |= outages.pop(platform).rows
    return released
