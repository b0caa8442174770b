"""Reading a day to look back from: « depuis 7 jours », « depuis le 1er novembre »,
« since 2026-11-15 », the start and end of a report period.

Looking back reverses the forward rules: a date without a year is the latest one not after
today (« le 1er novembre » said in December is this year's, said in October last year's); a
weekday is the latest one before today; « 7 jours » is now minus seven days. A date written with
its year is taken as written, so a report may end in the future; a look back (``past_only``)
refuses a day after today with ``future``. A period (``parse_period``) is two such days, split
on « au » / « to » / « - » (« du 1er novembre au 4 décembre 2026 ») or written as two words; a
year written only at its end is its start's too.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from scheduler.when import dates, words
from scheduler.when.context import Context, make_context
from scheduler.when.crosscheck import confirm_month
from scheduler.when.days import DAY_MONTH, ISO_DATE, MONTH_DAY, NUM_DATE, WD
from scheduler.when.errors import Unsure, WhenError
from scheduler.when.normalise import normalise
from scheduler.when.times import NUM, number

_LEAD = re.compile(r"^(?:depuis|since|from|du|le|the|on)\s+")
_AGO = re.compile(rf"""(?:il\s+y\s+a\s+)?(?P<n>{NUM})\s*
    (?P<u>j|jours?|d|days?|sem|semaines?|w|weeks?|mois|months?)(?:\s+ago)?""", re.X)
_REL = {"aujourdhui": 0, "today": 0, "hier": -1, "yesterday": -1, "avanthier": -2}
_WEEKDAY = re.compile(rf"""(?:(?:last|past)\s+)?(?P<wd>{WD})(?:\s+(?:dernier|passe))?""", re.X)
_PERIOD = re.compile(r"(?:(?:du|from|de)\s+)?(?P<start>.+?)\s+(?:au|to|until|jusqu'au|[-–])\s+"
                     r"(?P<end>.+)", re.IGNORECASE)
_EXAMPLE_PERIOD = {"example_fr": "du 1er novembre au 4 décembre 2026",
                   "example_en": "from 1 November to 4 December 2026"}


def _latest(today: date, day: int, month: int, written: str) -> date:
    """A day and month without a year: the latest one not after today."""
    if not (1 <= month <= 12 and 1 <= day <= monthrange(2028, month)[1]):
        raise dates.impossible(day, month, None, written)
    for year in (today.year, today.year - 1, today.year - 2, today.year - 3, today.year - 4):
        if day <= monthrange(year, month)[1] and date(year, month, day) <= today:
            return date(year, month, day)
    raise Unsure


def _day(s: str, ctx: Context) -> date:
    """The day ``s`` (normalised, without its leading word) names, looking back."""
    today = ctx.today
    if s in _REL:
        return today + timedelta(days=_REL[s])
    if m := _WEEKDAY.fullmatch(s):
        wd = words.WEEKDAYS[m["wd"]]
        return today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)
    if m := ISO_DATE.fullmatch(s):
        return dates.exact(int(m["y"]), int(m["mo"]), int(m["d"]), m.group(0))
    if m := NUM_DATE.fullmatch(s):
        d, mo, y = int(m["d"]), int(m["mo"] or m["mo2"]), m["y"] or m["y2"]
        if y is None:
            return _latest(today, d, mo, m.group(0))
        return dates.exact(int(y) + (2000 if len(y) == 2 else 0), mo, d, m.group(0))
    for rx in (DAY_MONTH, MONTH_DAY):
        if m := rx.fullmatch(s):
            d = 1 if ("dw" in rx.groupindex and m["dw"]) else int(m["d"])
            month = words.MONTHS[m["mon"]]
            found = (dates.exact(int(m["y"]), month, d, m.group(0)) if m["y"]
                     else _latest(today, d, month, m.group(0)))
            confirm_month(ctx, d, m["mon"], found)
            return found
    raise Unsure


def _read(text: str, ctx: Context) -> date | timedelta:
    s = _LEAD.sub("", normalise(text))
    if not s:
        raise WhenError("empty")
    if m := _AGO.fullmatch(s):
        n, unit = number(m["n"]), m["u"]
        if unit == "mois" or unit.startswith("month"):
            back = ctx.now - relativedelta(months=n)  # calendar months: 31 October → 30 Sept.
            return ctx.now - back
        return timedelta(weeks=n) if unit[0] in "sw" else timedelta(days=n)
    return _day(s, ctx)


def parse_day(text: str, *, now: datetime, tz: str, past_only: bool = False) -> date:
    """The calendar day ``text`` names, read looking back (see the module's rules)."""
    ctx = make_context(now, tz)
    try:
        found = _read(text, ctx)
    except Unsure:
        raise WhenError("unrecognised", text=text.strip()[:80], example_fr="15/11/2026",
                        example_en="2026-11-15") from None
    day = ctx.today - found if isinstance(found, timedelta) else found
    if past_only and day > ctx.today:
        raise WhenError("future", date=day.isoformat())
    return day


def parse_since(text: str, *, now: datetime, tz: str) -> datetime:
    """Where a look back starts: now minus « 7 jours », or the start (00:00) of the day named;
    never after now."""
    ctx = make_context(now, tz)
    try:
        found = _read(text, ctx)
    except Unsure:
        raise WhenError("unrecognised", text=text.strip()[:80], example_fr="7 jours",
                        example_en="7 days") from None
    if isinstance(found, timedelta):
        return (ctx.now - found).astimezone(ctx.zone)
    start = datetime.combine(found, time(0), tzinfo=ctx.zone)
    if start > ctx.now:
        raise WhenError("future", date=found.isoformat())
    return start


def period_ends(text: str) -> tuple[str, str] | None:
    """The two ends of « 01/11/2026 04/12/2026 », « du 1er novembre au 4 décembre 2026 »,
    « from 1 November to 4 December 2026 »: the words around « au » / « to » / « - », else two
    words. A year written only at the end is the start's too."""
    found = _PERIOD.fullmatch(text.strip())
    if found:
        start, end = found["start"].strip(), found["end"].strip()
        year = re.search(r"\b(\d{4})$", end)
        if year and not re.search(r"\d{4}|[/.-]\d{1,2}[/.-]", start) and not start.isdigit():
            start = f"{start} {year[1]}"
        return start, end
    words = text.split()
    return (words[0], words[1]) if len(words) == 2 else None


def parse_period(text: str, *, now: datetime, tz: str) -> tuple[date, date]:
    """The first and last days of a period (a report's), each read as ``parse_day`` reads a day;
    ``unrecognised`` when the text is not two days. The order is the caller's to check."""
    ends = period_ends(text)
    if ends is None:
        raise WhenError("unrecognised", text=text.strip()[:80], **_EXAMPLE_PERIOD)
    return parse_day(ends[0], now=now, tz=tz), parse_day(ends[1], now=now, tz=tz)
