"""Reading a meeting's time as people write it (through ``scheduler.when``), and the form a
meeting's time is stored in."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.context import UserError
from handlers.router import Request
from handlers.when_text import refusal
from scheduler.when import Reading, WhenError, read_when, whole_minute
from storage.records import to_iso

DEFAULT_DURATION = timedelta(hours=2)


def read_time_range(req: Request, text: str, duration: timedelta = DEFAULT_DURATION) -> Reading:
    """Start and end from a time expression (``duration`` long when no end is written), with
    the zone named and the conventional readings for the confirmation; a person's mistake
    becomes a message they can use."""
    if not text.strip():
        raise UserError("when.empty")
    try:
        return read_when(text, now=req.ctx.now(), tz=req.ctx.network.timezone,
                         default_duration=duration, end_of_day=req.ctx.network.end_of_day)
    except WhenError as error:
        raise refusal(req.ctx, error) from None


def stored_time(moment: datetime) -> str:
    """How a meeting time is stored: UTC ISO 8601, to the whole minute."""
    return to_iso(whole_minute(moment))
