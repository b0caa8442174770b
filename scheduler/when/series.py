"""A series from a recurrence: its rule, time, first occurrence, start, end and the months it
skips.

- The series starts at the first matching moment strictly after now, or on or after the start
  written (« à partir du 5 mars », "starting 12 January"); INTERVAL counts from the first
  occurrence. A rule with no day takes the start's (« tous les 2 mois à partir du 5 mars » is the
  5th every other month).
- An end (« jusqu'en juin », "until December", « jusqu'au 15 juin », « pendant 3 mois »,
  "for 6 weeks") or a number of times (« 6 fois », "4 times") becomes COUNT, the number of
  occurrences: a calendar reads it the same way, whatever the zone.
- « sauf en août », "except in July and August" leave those months out (BYMONTH); anything else
  after « sauf » / "except" is refused (``exception_not_month``).
- A time said in another zone is converted when that zone keeps the same offset to the
  network's all year (« 14h EAT »); one with daylight saving time is refused
  (``zone_in_series``): the series would move by an hour twice a year.
- A time range gives its start time only.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from scheduler.when import words
from scheduler.when.context import Context, local
from scheduler.when.days import PERIOD, WD, read_day
from scheduler.when.errors import Unsure, WhenError
from scheduler.when.normalise import Scan, normalise
from scheduler.when.recurrence import Rule, read_rule, rrule_text
from scheduler.when.times import MON, NUM, clock, day_part, number, take_times
from scheduler.when.zones import NamedZone, one_zone, take_after_time, take_named

MAX_COUNT = 500
_MONTH_ONLY = re.compile(rf"(?:(?:le\s+)?mois\s+d[e]?\s+|en\s+|in\s+)?(?P<mon>{MON})"
                         rf"(?:\s+(?P<y>\d{{4}}))?")
_END_OF = re.compile(rf"(?:la\s+|the\s+)?(?:fin|end)\s+(?:de\s+|d\s+|of\s+)?(?:"
                     rf"(?P<mon>{MON})(?:\s+(?P<y>\d{{4}}))?|(?:l\s+|the\s+)?(?P<year>annee|year)"
                     rf"|(?P<y2>\d{{4}}))")
_NEXT = re.compile(r"(?:la\s+|le\s+)?(?P<u>semaine|mois)\s+prochaine?|next\s+(?P<u2>week|month)")
_M, _W = f"(?:{MON})", f"(?:{WD})"
_DAY = rf"""(?:\d{{4}}-\d{{1,2}}-\d{{1,2}} | \d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?
    | (?:(?:le|the)\s+)?(?:\d{{1,2}}(?:er|e|st|nd|rd|th)?|premier|first)(?:\s+(?:de|of))?\s+{_M}
      (?:\s+\d{{4}})?
    | {_M}\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th|er)?(?:\s+\d{{4}})?
    | (?:(?:le|this|next|ce)\s+)?{_W}(?:\s+(?:prochain|next|qui\s+vient))?
      (?:\s+(?:le\s+|the\s+)?\d{{1,2}}(?:er|st|nd|rd|th)?(?:\s+{_M})?)?
    | aujourdhui|today|demain|tomorrow|apresdemain|hier|yesterday
    | (?:la\s+|le\s+)?(?:semaine|mois)\s+prochaine?|next\s+(?:week|month)
    | (?:le|the)\s+\d{{1,2}}(?:er|e|st|nd|rd|th)?
    | (?:la\s+|the\s+)?(?:fin|end)\s+(?:de\s+|d\s+|of\s+)?(?:{_M}(?:\s+\d{{4}})?
                                                       |(?:l\s+|the\s+)?(?:annee|year)|\d{{4}})
    | (?:(?:le\s+)?mois\s+d[e]?\s+|en\s+|in\s+)?{_M}(?:\s+\d{{4}})?)"""
_START = re.compile(rf"""\b(?:a\s+partir\s+(?:du|de|d)?|a\s+compter\s+(?:du|de|d)?|des\s+(?:le\s+)?
    |starting(?:\s+(?:on|from))?|beginning(?:\s+(?:on|from))?|commencant(?:\s+le)?|from|debut)
    \s+(?P<day>{_DAY})(?![\w/])""", re.X)
_END = re.compile(rf"""\b(?:jusqua(?:\s+(?:au|en|a\s+la|la))?|until|till|through|up\s+to)
    \s+(?P<day>{_DAY})(?![\w/])""", re.X)
_FOR = re.compile(rf"""\b(?:pendant|durant|sur|for|over)\s+(?P<n>{NUM})\s+
    (?P<u>semaines?|mois|ans?|annees?|weeks?|months?|years?)\b""", re.X)
_COUNT = re.compile(rf"""\b(?:(?:pour|for)\s+)?(?P<n>{NUM})\s+(?:fois|times|occurrences?|seances?
    |reunions?|sessions?|meetings?)\b(?!\s+(?:par|per|a|an|each|every|tous|toutes|chaque)\b)""",
                    re.X)
_MONTHS = rf"(?:{MON})(?:\s*(?:,|et|and|&|ou|or|-)\s*(?:en\s+|in\s+)?(?:{MON}))*"
_EXCEPT = r"sauf|excepte|hors|except|excluding|but\s+not|pas\s+en"
_EXCEPT_MONTHS = re.compile(rf"""\b(?:{_EXCEPT})\s+(?:(?:en|au\s+mois\s+d[e]?|pendant|in|during)
    \s+)?(?P<months>{_MONTHS})\b""", re.X)
_EXCEPT_OTHER = re.compile(rf"\b(?:{_EXCEPT})\b\s*(?P<rest>.*)")


def recurrence(text: str, ctx: Context, default_time: time | None) -> tuple[datetime, str]:
    """The first occurrence and the RRULE; ``Unsure`` when a piece is not understood."""
    s = normalise(text)
    if not s:
        raise WhenError("empty")
    scan = Scan(s)
    named = take_named(scan)
    start, _end = take_times(scan)  # a range's end is not part of an RRULE
    zone = one_zone(named + take_after_time(scan))
    rule = Rule()
    for m in scan.take(_EXCEPT_MONTHS):
        rule.excluded |= {words.MONTHS[w] for w in re.findall(MON, m["months"])}
    other = _EXCEPT_OTHER.search(scan.text)
    if other:
        raise WhenError("exception_not_month", text=other["rest"].replace("¦", "").strip()[:60])
    first_day = [read_day(m["day"], ctx) if not _edge(m["day"]) else _edge_day(
        m["day"], ctx, start=True) for m in scan.take(_START)]
    ends = [_edge_day(m["day"], ctx, start=False) if _edge(m["day"]) else read_day(m["day"], ctx)
            for m in scan.take(_END)]
    spans = [(number(m["n"]), m["u"]) for m in scan.take(_FOR)]
    counts = [number(m["n"]) for m in scan.take(_COUNT)]
    read_rule(scan, rule)
    periods = {m["p"] for m in scan.take(PERIOD)}
    if scan.leftover() or len(first_day) > 1 or len(ends) + len(spans) + len(counts) > 1:
        raise Unsure
    part = day_part(periods)
    if start is not None:
        at = clock(start, part)
        if start.midnight and rule.freq != "DAILY":
            raise WhenError("ambiguous", first="00:00", second="24:00")
    elif default_time is None:
        raise WhenError("missing_time")
    else:
        at = part.default if part and part.default else default_time
    if zone is not None and zone.tz is not None:
        at = _network_time(zone, at, ctx)
    begin = first_day[0] if first_day else None
    if begin is not None and not rule.has_day():
        _day_from_start(rule, begin)
    text_rule = rrule_text(rule, at)
    first = first_occurrence(text_rule, ctx, begin)
    if counts:
        return first, f"{text_rule};COUNT={_count(counts[0])}"
    if ends or spans:
        limit = (local(ends[0], time(23, 59), ctx.zone) if ends
                 else _after(first, *spans[0]) - timedelta(minutes=1))
        return first, f"{text_rule};COUNT={_count_until(text_rule, first, limit)}"
    return first, text_rule


def _edge(text: str) -> bool:
    return bool(_MONTH_ONLY.fullmatch(text) or _END_OF.fullmatch(text) or _NEXT.fullmatch(text))


def _edge_day(text: str, ctx: Context, start: bool) -> date:
    """A month, « la fin de l'année », « la semaine prochaine »: its first day for a start, its
    last day for an end (a month without a year: the next one that has not ended)."""
    today = ctx.today
    if m := _NEXT.fullmatch(text):
        if (m["u"] or m["u2"]) in ("semaine", "week"):
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
            return monday if start else monday + timedelta(days=6)
        following = today + relativedelta(months=1)
        year, month = following.year, following.month
    elif (m := _END_OF.fullmatch(text)) and (m["year"] or m["y2"]):
        return date(int(m["y2"] or today.year), 12, 31)
    else:
        m = _MONTH_ONLY.fullmatch(text) or _END_OF.fullmatch(text)
        month = words.MONTHS[m["mon"]]
        year = int(m["y"]) if m["y"] else today.year + (
            1 if date(today.year, month, monthrange(today.year, month)[1]) < today else 0)
        if _END_OF.fullmatch(text):
            start = False
    return date(year, month, 1) if start else date(year, month, monthrange(year, month)[1])


def _day_from_start(rule: Rule, begin: date) -> None:
    """« tous les 2 mois à partir du 5 mars »: the start gives the day the rule did not."""
    if rule.freq == "WEEKLY":
        rule.weekdays = [begin.weekday()]
    elif rule.freq == "MONTHLY":
        rule.monthdays = [begin.day]
    elif rule.freq == "YEARLY":
        rule.month, rule.monthdays = begin.month, [begin.day]


def _network_time(zone: NamedZone, at: time, ctx: Context) -> time:
    """A series time said in a zone with a fixed offset to the network's, on the network's
    clock; a zone whose offset changes (DST), or a shift across midnight, is refused."""
    there = zone.tzinfo()
    year = ctx.today.year
    shifts = {datetime(year, month, 15, 12, tzinfo=there).utcoffset()
              - datetime(year, month, 15, 12, tzinfo=ctx.zone).utcoffset() for month in (1, 7)}
    if len(shifts) > 1:
        raise WhenError("zone_in_series", zone_fr=zone.name("fr"), zone_en=zone.name("en"))
    moved = datetime.combine(ctx.today, at) - shifts.pop()
    if moved.date() != ctx.today:
        raise WhenError("zone_in_series", zone_fr=zone.name("fr"), zone_en=zone.name("en"))
    return moved.time()


def first_occurrence(text_rule: str, ctx: Context, begin: date | None = None) -> datetime:
    """The earliest match after now (and on or after ``begin``), ignoring INTERVAL so the series
    starts at the next match; then checked: the full rule started there must yield that very
    moment first."""
    search = ";".join(p for p in text_rule.split(";") if not p.startswith("INTERVAL="))
    start = ctx.now.astimezone(ctx.zone).replace(second=0, microsecond=0)
    after = ctx.now
    if begin is not None:
        floor = local(begin, time(0), ctx.zone)
        if floor > start:
            start, after = floor, floor - timedelta(seconds=1)
    first = rrulestr(search, dtstart=start).after(after)
    if first is None:
        raise Unsure
    first = local(first.date(), first.time(), ctx.zone)
    if next(iter(rrulestr(text_rule, dtstart=first))) != first or first <= ctx.now:
        raise Unsure
    return first


def _after(first: datetime, n: int, unit: str) -> datetime:
    if unit[0] in "sw":
        return first + timedelta(weeks=n)
    if unit[0] == "m":
        return first + relativedelta(months=n)
    return first + relativedelta(years=n)


def _count(n: int) -> int:
    if not 1 <= n <= MAX_COUNT:
        raise Unsure
    return n


def _count_until(text_rule: str, first: datetime, limit: datetime) -> int:
    """How many occurrences from ``first`` up to ``limit`` (refused when none)."""
    if limit < first:
        raise WhenError("end_before_start", start=first.date().isoformat(),
                        end=limit.date().isoformat())
    count = 0
    for moment in rrulestr(text_rule, dtstart=first):
        if moment > limit:
            break
        count += 1
        if count > MAX_COUNT:
            raise Unsure
    return count

