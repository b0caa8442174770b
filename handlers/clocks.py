"""Time, trusted carefully: the wall clock says what people read and what is stored, the
monotonic clock says how much time really passed in this process.

The wall clock can be set back (a token would live again) or jump forward (a deadline would pass
early); the monotonic clock cannot. Both are injectable, so tests move them by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from storage.records import to_iso


class Lifetimes:
    """Tokens minted by this process, with the monotonic moment each one ends.

    A token is refused once its lifetime has passed on the monotonic clock too, whatever the
    wall clock says; tokens from before a restart have only their stored wall-clock expiry.
    """

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._ends: dict[str, float] = {}

    def start(self, key: str, lifetime: timedelta) -> None:
        self._ends[key] = self._monotonic() + lifetime.total_seconds()

    def over(self, key: str) -> bool:
        """``True`` when ``key`` was minted here and its lifetime has passed."""
        end = self._ends.get(key)
        return end is not None and self._monotonic() >= end


class ProcessClock:
    """When this process started, on both clocks, to tell a clock jump from downtime."""

    def __init__(self, wall: Callable[[], datetime], monotonic: Callable[[], float]) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self.started_wall = wall()
        self.started_monotonic = monotonic()

    def jump(self) -> timedelta:
        """How far the wall clock moved beyond the time that really passed since start-up
        (positive: it jumped forward)."""
        passed = timedelta(seconds=self._monotonic() - self.started_monotonic)
        return (self._wall() - self.started_wall) - passed


def stored_time(moment: datetime) -> str:
    """A moment as storage keeps it (UTC ISO 8601): for an adapter filling a field a handler
    or the dispatcher reads back (``ReplyTo.url_until``), without touching storage itself."""
    return to_iso(moment)
