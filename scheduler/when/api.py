"""The public functions: each reads a text at a given moment and zone, or refuses with
``WhenError`` (a reason and params; the sentences are the handlers' catalogs' ``when.*``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from scheduler.when.build import moment
from scheduler.when.context import DEFAULT_TZ, make_context
from scheduler.when.errors import EXAMPLE_RULE, EXAMPLE_WHEN, Unsure, WhenError
from scheduler.when.recurrence import recurrence

DEFAULT_TIME = time(10, 0)


def _unrecognised(text: str, examples: dict[str, str]) -> WhenError:
    return WhenError("unrecognised", text=text.strip()[:80], **examples)


def parse_when(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
               default_time: time | None = DEFAULT_TIME) -> datetime:
    """The moment ``text`` names, aware in ``tz`` and strictly after ``now``; a range gives its
    start. A day without a time gets ``default_time`` (None: refuse with "missing_time")."""
    ctx = make_context(now, tz)
    try:
        return moment(text, ctx, default_time)[0]
    except Unsure:
        raise _unrecognised(text, EXAMPLE_WHEN) from None


def parse_when_range(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                     default_duration: timedelta = timedelta(hours=2),
                     default_time: time | None = DEFAULT_TIME) -> tuple[datetime, datetime]:
    """Start and end of "demain de 9h à 12h", "9h-12h", "from 9am to noon"; without an end
    written, the end is ``default_duration`` after the start."""
    if default_duration <= timedelta(0):
        raise ValueError("default_duration must be positive")
    ctx = make_context(now, tz)
    try:
        start, end = moment(text, ctx, default_time)
    except Unsure:
        raise _unrecognised(text, EXAMPLE_WHEN) from None
    if end is None:
        end = (start + default_duration).astimezone(ctx.zone)
    return start, end


def parse_recurrence(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                     default_time: time | None = DEFAULT_TIME) -> tuple[datetime, str]:
    """The first occurrence strictly after ``now`` (aware, in ``tz``) and the RRULE (without
    "RRULE:") of "tous les deux mois le premier mardi à 10h", "every other week on Friday at
    3pm"… The series starts at the first matching moment; INTERVAL counts from there."""
    ctx = make_context(now, tz)
    try:
        return recurrence(text, ctx, default_time)
    except Unsure:
        raise _unrecognised(text, EXAMPLE_RULE) from None
