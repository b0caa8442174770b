"""Putting the pieces together: the day, the clock time and the checks that make a moment.

- A time without a day ("10h") is today if still ahead, else tomorrow. A day is never moved
  because its time has passed: "aujourd'hui 10h" or "ce samedi 10h" at 17:00 are refused as past.
  A conventional part of the day alone (« en fin de journée ») is today's.
- "dans N heures/minutes", « d'ici 72h », "within 48 hours" is an instant to the minute (the
  seconds of now are dropped) and takes no other date or time. Every result is a whole minute.
- "minuit" / "midnight" with a day is ambiguous (start or end of that day?) and refused; alone
  it is the coming midnight; with an evening (« ce soir à minuit », "Monday night at midnight")
  it is the midnight that ends that evening, 00:00 the next day.
- A time range must end after it starts on the same day ("de 22h à 2h" is refused).
- A time said in another zone is read on that zone's clock and calendar, then converted.

The result is checked again before it is returned: strictly after now, on every weekday, day,
month, year and time that was written. When unsure we refuse; we never return a guessed date.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from scheduler.when import words
from scheduler.when.context import Context, after_now, local, make_context, whole_minute
from scheduler.when.dates import next_weekday
from scheduler.when.dayparts import EVENING
from scheduler.when.days import Found, take_days
from scheduler.when.deadlines import take_deadline
from scheduler.when.errors import Unsure, WhenError
from scheduler.when.filler import trim
from scheduler.when.instants import instant, is_deadline, take_instants
from scheduler.when.normalise import Scan, normalise
from scheduler.when.periods import take_periods
from scheduler.when.reading import Reading
from scheduler.when.times import Time, clock, day_part, take_times
from scheduler.when.zones import NamedZone, one_zone, refuse_unknown, take_after_time, take_named

END_OF_DAY = time(17, 0)
_ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                         r"(?:z|[+-]\d{2}:?\d{2})")


def read(text: str, ctx: Context, default_time: time | None, *, deadline: bool = False,
         end_of_day: time = END_OF_DAY) -> Reading:
    """The moment (and, when a range was written, its end) that ``text`` names; when the text
    is not understood as a whole, the moment inside it with the plain words around it left out
    (``filler``)."""
    s = normalise(text)
    if not s:
        raise WhenError("empty")
    try:
        return _read(s, ctx, default_time, deadline, end_of_day)
    except Unsure:
        trimmed = trim(s, text, ctx.tz)
        if trimmed is None:
            raise
    found = _read(trimmed.moment, ctx, default_time, deadline, end_of_day)
    if found.deadline and trimmed.qualifies:
        raise Unsure
    return replace(found, ignored=trimmed.ignored)


def _read(s: str, ctx: Context, default_time: time | None, deadline: bool,
          end_of_day: time) -> Reading:
    if _ISO_OFFSET.fullmatch(s):
        try:
            found = datetime.fromisoformat(s.upper().replace(" ", "T")).astimezone(ctx.zone)
        except ValueError:
            raise Unsure from None
        return Reading(after_now(whole_minute(found), ctx), deadline=deadline)
    scan = Scan(s)
    named = take_named(scan)
    instants = take_instants(scan)
    marked, before = take_deadline(scan)
    start, end = take_times(scan)
    zone = one_zone(named + take_after_time(scan))
    there = ctx if zone is None or zone.tz is None else make_context(
        ctx.now, ctx.tz, zone.tzinfo())
    found = Found()
    take_periods(scan, there, found)
    take_days(scan, there, found)
    if scan.leftover():
        refuse_unknown(scan.text)
        raise Unsure
    deadline = deadline or marked or found.deadline
    if instants:
        if (len(instants) > 1 or start or zone or found.days or found.weekdays or found.periods
                or found.part or found.meanings):
            raise Unsure
        return Reading(instant(instants[0], ctx),
                       deadline=deadline or is_deadline(instants[0]))
    begin, finish, meanings = _moment(found, start, end, there, default_time, deadline, before,
                                      end_of_day)
    if zone is not None:
        _check_season(zone, begin, ctx)
    return Reading(begin.astimezone(ctx.zone), finish and finish.astimezone(ctx.zone),
                   zone if zone is not None and zone.tz is not None else None,
                   tuple(meanings), deadline)


def _moment(found: Found, start: Time | None, end: Time | None, ctx: Context,
            default_time: time | None, deadline: bool, before: bool,
            end_of_day: time) -> tuple[datetime, datetime | None, list[str]]:
    plain = day_part(found.periods)
    if found.part and plain and found.part.half != plain.half:
        raise Unsure
    part = found.part or plain
    meanings = list(dict.fromkeys(found.meanings))
    days = sorted(set(found.days))
    if len(days) > 1:
        raise WhenError("ambiguous", first=days[0].isoformat(), second=days[1].isoformat())
    # « ce soir à minuit », "Monday night at midnight": the midnight that ends that evening.
    evening_midnight = (start is not None and start.midnight and end is None
                        and (start.part or part) is EVENING
                        and bool(days or found.bare_weekday is not None))
    if evening_midnight:
        at = time(0, 0)
    elif start is not None:
        at = clock(start, part)
    elif part is not None:
        at = part.at(end_of_day)
    elif found.end_of_day or deadline:
        at = end_of_day
        meanings.append("end_of_day")
    elif default_time is None:
        raise WhenError("missing_time")
    else:
        at = default_time

    day = _day(found, days, start, at, ctx)
    if before and start is None and part is None and not found.end_of_day:
        stamp = at.strftime("%H:%M")
        raise WhenError("ambiguous", first=f"{(day - timedelta(days=1)).isoformat()} {stamp}",
                        second=f"{day.isoformat()} {stamp}")
    if start is not None and start.maybe_date and not (days or found.bare_weekday is not None):
        raise WhenError("ambiguous", first=start.label(), second=f"{start.hour}/{start.minute}")
    if (start is not None and start.midnight and not evening_midnight
            and (days or found.bare_weekday is not None)):
        raise WhenError("ambiguous", first=f"{day.isoformat()} 00:00",
                        second=f"{(day + timedelta(days=1)).isoformat()} 00:00")
    for wd in found.weekdays:
        if day.weekday() != wd:
            real = day.weekday()
            raise WhenError("weekday_mismatch", date=day.isoformat(),
                            weekday_fr=words.WEEKDAYS_FR[real], weekday_en=words.WEEKDAYS_EN[real],
                            written_fr=words.WEEKDAYS_FR[wd], written_en=words.WEEKDAYS_EN[wd])
    after = timedelta(days=1 if evening_midnight else 0)
    begin = local(day + after, at, ctx.zone)
    _check_written(begin - after, found, at)
    begin = after_now(begin, ctx)
    if end is None:
        return begin, None, meanings
    end_clock = clock(end, part)
    if end.midnight or (end_clock.hour, end_clock.minute) <= (at.hour, at.minute):
        raise WhenError("end_before_start", start=at.strftime("%H:%M"),
                        end=end_clock.strftime("%H:%M"))
    return begin, local(day, end_clock, ctx.zone), meanings


def _day(found: Found, days: list[date], start: Time | None, at: time, ctx: Context) -> date:
    if days:
        return days[0]
    if found.bare_weekday is not None:
        return next_weekday(ctx.today, found.bare_weekday)
    if start is not None:  # a time alone: the next such time
        if start.midnight or local(ctx.today, at, ctx.zone) <= ctx.now:
            return ctx.today + timedelta(days=1)
        return ctx.today
    if found.part is not None:  # « en fin de journée »: today's
        return ctx.today
    raise Unsure


def _check_written(found_moment: datetime, found: Found, at: time) -> None:
    """The last look: the result shows every year, month, day and time that was written."""
    for year, month, day in found.written:
        if (found_moment.month, found_moment.day) != (month, day) or year not in (
                None, found_moment.year):
            raise Unsure
    if (found_moment.hour, found_moment.minute) != (at.hour, at.minute):
        raise Unsure


def _check_season(zone: NamedZone, moment: datetime, ctx: Context) -> None:
    """« CET » of a July date (Paris is on CEST) could be the fixed offset or Paris's clock."""
    if zone.dst is None or bool(moment.dst()) == zone.dst:
        return
    wall = moment.utcoffset() or timedelta(0)
    offset = wall - (moment.dst() or timedelta(0)) if not zone.dst else wall + timedelta(hours=1)
    fixed = moment.replace(tzinfo=timezone(offset)).astimezone(ctx.zone)
    raise WhenError("ambiguous", first=fixed.strftime("%Y-%m-%d %H:%M"),
                    second=moment.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M"))
