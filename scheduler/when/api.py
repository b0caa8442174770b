"""The public functions: each reads a text at a given moment and zone, or refuses with
``WhenError`` (a reason and params; the sentences are the handlers' catalogs' ``when.*``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from scheduler.when.build import END_OF_DAY, read
from scheduler.when.context import DEFAULT_TZ, make_context
from scheduler.when.errors import EXAMPLE_RULE, EXAMPLE_WHEN, Unsure, WhenError
from scheduler.when.reading import Reading
from scheduler.when.series import recurrence

DEFAULT_TIME = time(10, 0)


def _unrecognised(text: str, examples: dict[str, str]) -> WhenError:
    return WhenError("unrecognised", text=text.strip()[:80], **examples)


def read_when(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
              default_time: time | None = DEFAULT_TIME, deadline: bool = False,
              end_of_day: time = END_OF_DAY,
              default_duration: timedelta | None = None) -> Reading:
    """How ``text`` reads: the moment (aware, in ``tz``, strictly after ``now``), the end of a
    range (or ``default_duration`` after the start, when given), the zone the person named and
    the conventional readings used, for a confirmation that shows them.

    A day without a time gets ``default_time`` (None: refuse with "missing_time"); with
    ``deadline`` (or deadline words in the text: « d'ici », « au plus tard », « by »…) it gets
    ``end_of_day``, the end of the network's working day."""
    if default_duration is not None and default_duration <= timedelta(0):
        raise ValueError("default_duration must be positive")
    ctx = make_context(now, tz)
    try:
        found = read(text, ctx, default_time, deadline=deadline, end_of_day=end_of_day)
    except Unsure:
        raise _unrecognised(text, EXAMPLE_WHEN) from None
    if found.end is None and default_duration is not None:
        return Reading(found.start, (found.start + default_duration).astimezone(ctx.zone),
                       found.zone, found.meanings, found.deadline)
    return found


def parse_when(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
               default_time: time | None = DEFAULT_TIME, deadline: bool = False,
               end_of_day: time = END_OF_DAY) -> datetime:
    """The moment ``text`` names, aware in ``tz`` and strictly after ``now``; a range gives its
    start (see ``read_when``)."""
    return read_when(text, now=now, tz=tz, default_time=default_time, deadline=deadline,
                     end_of_day=end_of_day).start


def parse_deadline(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                   end_of_day: time = END_OF_DAY) -> datetime:
    """A deadline: « vendredi », « d'ici lundi », « by Monday noon »; without a time, the end of
    that working day (``end_of_day``)."""
    return parse_when(text, now=now, tz=tz, deadline=True, end_of_day=end_of_day)


def parse_when_range(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                     default_duration: timedelta = timedelta(hours=2),
                     default_time: time | None = DEFAULT_TIME) -> tuple[datetime, datetime]:
    """Start and end of "demain de 9h à 12h", "9h-12h", "from 9am to noon"; without an end
    written, the end is ``default_duration`` after the start."""
    found = read_when(text, now=now, tz=tz, default_time=default_time,
                      default_duration=default_duration)
    assert found.end is not None
    return found.start, found.end


def parse_recurrence(text: str, *, now: datetime, tz: str = DEFAULT_TZ,
                     default_time: time | None = DEFAULT_TIME) -> tuple[datetime, str]:
    """The first occurrence strictly after ``now`` (aware, in ``tz``) and the RRULE (without
    "RRULE:") of "tous les deux mois le premier mardi à 10h", "every other week on Friday at
    3pm"… The series starts at the first matching moment (or the first on or after the start
    written); INTERVAL counts from there."""
    ctx = make_context(now, tz)
    try:
        return recurrence(text, ctx, default_time)
    except Unsure:
        raise _unrecognised(text, EXAMPLE_RULE) from None
