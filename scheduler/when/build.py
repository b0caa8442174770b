"""Putting the pieces together: the day, the clock time and the checks that make a moment.

- A time without a day ("10h") is today if still ahead, else tomorrow. A day is never moved
  because its time has passed: "aujourd'hui 10h" or "ce samedi 10h" at 17:00 are refused as past.
- "dans N heures/minutes" is an instant to the minute (the seconds of now are dropped) and takes
  no other date or time. Every result is a whole minute.
- "minuit" / "midnight" with a day is ambiguous (start or end of that day?) and refused; alone
  it is the coming midnight.
- A time range must end after it starts on the same day ("de 22h à 2h" is refused).

The result is checked again before it is returned: strictly after now, on every weekday, day,
month, year and time that was written. When unsure we refuse; we never return a guessed date.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from scheduler.when import words
from scheduler.when.context import Context, after_now, local, whole_minute
from scheduler.when.dates import next_weekday
from scheduler.when.days import Found, take_days
from scheduler.when.errors import Unsure, WhenError
from scheduler.when.normalise import Scan, normalise
from scheduler.when.times import NUM, clock, day_period, number, take_times

_IN_TIME = re.compile(rf"""\b(?:dans|in)\s+(?:
      (?P<n>{NUM})\s*(?P<u>h|hrs?|heures?|hours?|min|mins|minutes?)(?![a-z])
        (?:\s*(?P<m>\d{{1,2}})(?:\s*min(?:utes?)?)?\b)?
    | (?P<half>demiheure))""", re.X)
_ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                         r"(?:z|[+-]\d{2}:?\d{2})")


def moment(text: str, ctx: Context,
           default_time: time | None) -> tuple[datetime, datetime | None]:
    """Start and, when a range was written, end; shared by ``parse_when`` and the range."""
    s = normalise(text)
    if not s:
        raise WhenError("empty")
    if _ISO_OFFSET.fullmatch(s):
        try:
            found = datetime.fromisoformat(s.upper().replace(" ", "T")).astimezone(ctx.zone)
        except ValueError:
            raise Unsure from None
        return after_now(whole_minute(found), ctx), None
    scan = Scan(s)
    instants = scan.take(_IN_TIME)
    start, end = take_times(scan)
    found = Found()
    take_days(scan, ctx, found)
    if scan.leftover():
        raise Unsure
    if instants:
        if len(instants) > 1 or start or found.days or found.weekdays or found.periods:
            raise Unsure
        m = instants[0]
        if m["half"]:
            delta = timedelta(minutes=30)
        else:
            n = number(m["n"])
            minutes = n if m["u"].startswith("min") else n * 60 + int(m["m"] or 0)
            delta = timedelta(minutes=minutes)
        return after_now(whole_minute((ctx.now + delta).astimezone(ctx.zone)), ctx), None

    half, period_default = day_period(found.periods)
    days = sorted(set(found.days))
    if len(days) > 1:
        raise WhenError("ambiguous", first=days[0].isoformat(), second=days[1].isoformat())
    if start is not None:
        at = clock(start, half)
    elif default_time is None:
        raise WhenError("missing_time")
    else:
        at = period_default or default_time

    if days:
        day = days[0]
    elif found.bare_weekday is not None:
        day = next_weekday(ctx.today, found.bare_weekday)
    elif start is not None:  # a time alone: the next such time
        day = ctx.today
        if start.midnight or local(day, at, ctx.zone) <= ctx.now:
            day += timedelta(days=1)
    else:
        raise Unsure
    if start is not None and start.midnight and (days or found.bare_weekday is not None):
        raise WhenError("ambiguous", first=f"{day.isoformat()} 00:00",
                        second=f"{(day + timedelta(days=1)).isoformat()} 00:00")

    for wd in found.weekdays:
        if day.weekday() != wd:
            real = day.weekday()
            raise WhenError("weekday_mismatch", date=day.isoformat(),
                            weekday_fr=words.WEEKDAYS_FR[real], weekday_en=words.WEEKDAYS_EN[real],
                            written_fr=words.WEEKDAYS_FR[wd], written_en=words.WEEKDAYS_EN[wd])
    begin = local(day, at, ctx.zone)
    _check_written(begin, found, at)
    begin = after_now(begin, ctx)
    if end is None:
        return begin, None
    end_clock = clock(end, half)
    if end.midnight or (end_clock.hour, end_clock.minute) <= (at.hour, at.minute):
        raise WhenError("end_before_start", start=at.strftime("%H:%M"),
                        end=end_clock.strftime("%H:%M"))
    return begin, local(day, end_clock, ctx.zone)


def _check_written(found_moment: datetime, found: Found, at: time) -> None:
    """The last look: the result shows every year, month, day and time that was written."""
    for year, month, day in found.written:
        if (found_moment.month, found_moment.day) != (month, day) or year not in (
                None, found_moment.year):
            raise Unsure
    if (found_moment.hour, found_moment.minute) != (at.hour, at.minute):
        raise Unsure
