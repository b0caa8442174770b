"""Reading the day a text names: relative days, dates, weekdays, the n-th weekday of a month.

- A bare weekday ("mardi", "tuesday") and "mardi prochain" / "next tuesday" are the first such
  day strictly after today (1 to 7 days ahead): said on a Tuesday, "mardi" is next week's. For
  today write "ce mardi" / "this tuesday" (0 to 6 days ahead) or "aujourd'hui".
- "vendredi en huit" is the Friday one week after the coming Friday (8 to 14 days ahead), "en
  quinze" two weeks after it. "mardi de la semaine prochaine" / "tuesday next week" is the
  Tuesday of next calendar week (weeks run Monday to Sunday). "vendredi dernier" is past.
- "dans huit jours" / "dans quinze jours" (in words or digits) are one and two weeks, as in
  French; "in 15 days" is 15 days.
- Numeric dates are day first (15/01); dotted or dashed ones need a year (10.30 may be a time).

Each way of naming a day adds a candidate to ``Found``; the builder refuses when they disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from scheduler.when import dates, words
from scheduler.when.context import Context
from scheduler.when.crosscheck import confirm_month
from scheduler.when.dayparts import DayPart
from scheduler.when.errors import EXAMPLE_DAY, Unsure, WhenError
from scheduler.when.normalise import Scan
from scheduler.when.times import MON, NUM, number

WD = words.alternation(words.WEEKDAYS)
ORD = words.alternation(words.ORDINALS)
_DAY_SUFFIX = r"(?:\s*(?:er|re|ere|eme|e|st|nd|rd|th)\b)?"

_IN_DAYS = re.compile(rf"""\b(?:
      (?:dans|in|d\s+ici)\s+(?P<n>{NUM})\s*(?P<u>jours?|j|jrs|semaines?|sems?|mois|ans?|annees?
                                             |days?|weeks?|wks?|months?|years?|yrs?)
    | (?P<n2>{NUM})\s+(?P<u2>days?|weeks?|months?|years?)\s+from\s+(?:now|today))\b""", re.X)
_IN_WORD = re.compile(r"""\b(?:dans|in)\s+(?:une?|a|one)\s+(?P<w>quinzaine|huitaine|fortnight)
    (?:\s+de\s+jours)?\b""", re.X)
_REL_EN_HUIT = re.compile(r"\b(?P<w>aujourdhui|demain|hier)\s+en\s+(?P<n>huit|quinze|8|15)\b")
ISO_DATE = re.compile(
    r"(?<![\d/.:-])(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d/.:-])")
NUM_DATE = re.compile(r"""(?<![\d/.:-])(?P<d>\d{1,2})
    (?:/(?P<mo>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?
      | (?P<sep>[.-])(?P<mo2>\d{1,2})(?P=sep)(?P<y2>\d{4}|\d{2}))(?![\d/.:-])""", re.X)
_NTH_OF = re.compile(rf"""\b(?P<ord>{ORD})\s+(?P<wd>{WD})\s+(?:de|du|d|of|in)\s+(?:
      (?P<mon>{MON})\b\.?(?:\s+(?P<y>\d{{4}}))?
    | (?:ce\s+|this\s+|the\s+)?(?:mois|month)(?P<next>\s+(?:prochain|suivant))?
    | (?P<next2>next)\s+month)\b""", re.X)
DAY_MONTH = re.compile(rf"""(?<![\w/.:-])(?:(?P<d>\d{{1,2}}){_DAY_SUFFIX}|(?P<dw>premier|first))
    (?:\s+(?:de|of))?\s+(?P<mon>{MON})\b\.?(?:\s+(?P<y>\d{{4}})|\s+(?:prochain|next)\b)?
    (?![\w/.:])""", re.X)
MONTH_DAY = re.compile(rf"""\b(?P<mon>{MON})\b\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})
    (?:st|nd|rd|th|er)?(?![\w/.:])(?:\s+(?P<y>\d{{4}}))?(?![\w/.:])""", re.X)
_WD_NEXT_WEEK = re.compile(rf"""\b(?:
      (?P<wd>{WD})\s+(?:de\s+la\s+|la\s+)?semaine\s+prochaine
    | (?:la\s+)?semaine\s+prochaine\s+(?:le\s+)?(?P<wd2>{WD})
    | (?P<wd3>{WD})\s+(?:of\s+)?next\s+week
    | next\s+week\s+(?:on\s+)?(?P<wd4>{WD}))\b""", re.X)
_WD_WEEK_AFTER_NEXT = re.compile(rf"""\b(?:
      (?P<wd>{WD})\s+(?:of\s+)?the\s+week\s+after\s+next
    | the\s+week\s+after\s+next\s+(?:on\s+)?(?P<wd2>{WD}))\b""", re.X)
_WD_THIS_WEEK = re.compile(rf"""\b(?:
      (?P<wd>{WD})\s+(?:de\s+)?cette\s+semaine
    | (?P<wd2>{WD})\s+(?:of\s+)?this\s+week
    | this\s+week\s+(?:on\s+)?(?P<wd3>{WD}))\b""", re.X)
_WD_LAST_WEEK = re.compile(rf"""\b(?:
      (?P<wd>{WD})\s+(?:de\s+la\s+|la\s+)?semaine\s+(?:derniere|passee)
    | (?P<wd2>{WD})\s+(?:of\s+)?last\s+week
    | last\s+week\s+(?:on\s+)?(?P<wd3>{WD}))\b""", re.X)
_FROM_BASE = re.compile(rf"""\b(?P<n>{NUM})\s+(?P<u>days?|weeks?|fortnights?|jours?|semaines?)
    \s+(?:(?:from|after|on|apres)\s+(?P<base>today|tomorrow|aujourdhui|demain
                                      |(?:next\s+|this\s+)?(?P<wd>{WD}))
          |(?P<base2>today|tomorrow))\b""", re.X)
_WD_WEEK = re.compile(rf"""\b(?:(?:next|this)\s+)?(?P<wd>{WD})\s+(?:(?P<u>week|fortnight)\b
    (?!\s+(?:after|from|on))|after\s+next\b)""", re.X)
_WD_EN_HUIT = re.compile(rf"\b(?P<wd>{WD})\s+en\s+(?P<n>huit|quinze|8|15)\b")
_WD_LAST = re.compile(rf"\b(?P<wd>{WD})\s+(?:dernier|passe)\b|\b(?:last|past)\s+(?P<wd2>{WD})\b")
_WD_THIS = re.compile(
    rf"\b(?:ce|this(?:\s+coming)?|coming)\s+(?P<wd>{WD})\b|\b(?P<wd2>{WD})\s+qui\s+vient\b")
_WD_NEXT = re.compile(rf"\b(?:prochain|next)\s+(?P<wd>{WD})\b"
                      rf"|\b(?P<wd2>{WD})\s+(?:prochain|next)\b")
_WD_DAYNUM = re.compile(rf"""\b(?:(?:ce|this)\s+)?(?P<wd>{WD})\s+(?:le\s+|the\s+)?(?P<d>\d{{1,2}})
    (?:er|re|st|nd|rd|th)?(?![\w/.:])""", re.X)
_WD_BARE = re.compile(rf"\b(?P<wd>{WD})\b")
_MONTHDAY = re.compile(rf"""(?<![\w/.:-])(?:
      (?:le|the|on\s+the)\s+(?:(?P<d>\d{{1,2}}){_DAY_SUFFIX}|(?P<dw>premier|first))
    | (?P<d2>\d{{1,2}})(?:st|nd|rd|th)\b)(?![\w/.:])
    (?:\s+(?:du|de|of)\s+(?P<nm>mois\s+prochain|next\s+month|ce\s+mois|this\s+month))?""", re.X)
_REL_DAY = re.compile(r"\b(?P<w>aujourdhui|today|demain|tomorrow|apresdemain|hier|yesterday"
                      r"|avanthier|tonight)\b")
_THIS_PERIOD = re.compile(
    r"\b(?:ce|cet|cette|this)\s+(?P<p>matin|soir|apresmidi|morning|afternoon|evening)\b")
PERIOD = re.compile(r"\b(?:le\s+|du\s+|en\s+|dans\s+la\s+|dans\s+l\s+|in\s+the\s+)?"
                    r"(?P<p>matin|matinee|soir|soiree|apresmidi|morning|afternoon|evening|night)\b")
_VAGUE = r"(?:de\s+|d\s+|du\s+mois\s+d[e]?\s+)?"  # « courant (du mois de) décembre »
_NO_DAY = re.compile(rf"""\b(?:en\s+|in\s+|(?:dans\s+le\s+|au\s+)?courant\s+{_VAGUE}
        |au\s+cours\s+{_VAGUE}|during\s+|sometime\s+in\s+)?
        (?:{MON})\b\.?(?:\s+\d{{4}})?
    | \bthe\s+week\s+after\s+next\b | \b(?:la\s+)?semaine\s+(?:d\s+apres|suivante)\b
    | \bthe\s+(?:following\s+week|week\s+after)\b
    | \b(?:la\s+)?semaine\s+prochaine\b | \bnext\s+week\b | \b(?:le\s+)?mois\s+prochain\b
    | \bnext\s+month\b | \bcette\s+semaine\b | \bthis\s+week\b""", re.X)

_REL_DAYS = {"aujourdhui": 0, "today": 0, "tonight": 0, "demain": 1, "tomorrow": 1,
             "apresdemain": 2, "hier": -1, "yesterday": -1, "avanthier": -2}


@dataclass
class Found:
    """What the date part of a text said: candidate days and what they must match."""

    days: list[date] = field(default_factory=list)
    bare_weekday: int | None = None  # "mardi": a day only if nothing else gives one
    weekdays: list[int] = field(default_factory=list)  # every weekday written, to check
    written: list[tuple[int | None, int, int]] = field(default_factory=list)  # (year, month, day)
    periods: set[str] = field(default_factory=set)  # "matin", "soir"…
    part: DayPart | None = None  # a conventional part of the day (« fin de matinée »)
    meanings: list[str] = field(default_factory=list)  # conventional readings, to show back
    end_of_day: bool = False  # a period that means the end of the working day
    deadline: bool = False  # a period said as a deadline (« sous huitaine », "within 10 days")


def take_days(scan: Scan, ctx: Context, found: Found) -> None:
    """Every way of naming a day, most specific first; each adds a candidate day."""
    today = ctx.today
    for m in scan.take(_IN_DAYS):
        n, unit = number(m.group("n") or m.group("n2")), (m.group("u") or m.group("u2"))
        if unit.startswith("jour") and n in (8, 15):  # French "huit/quinze jours": 1/2 weeks
            n, unit = n - 1, "jours"
        if unit[0] in "jd":
            found.days.append(today + timedelta(days=n))
        elif unit[0] in "sw":
            found.days.append(today + timedelta(weeks=n))
        elif unit[0] == "m":
            found.days.append(today + relativedelta(months=n))
        else:
            found.days.append(today + relativedelta(years=n))
    for m in scan.take(_IN_WORD):
        found.days.append(today + timedelta(days=7 if m["w"] == "huitaine" else 14))
    for m in scan.take(ISO_DATE):
        y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
        found.days.append(dates.exact(y, mo, d, m.group(0)))
        found.written.append((y, mo, d))
    for m in scan.take(NUM_DATE):
        d, mo = int(m["d"]), int(m["mo"] or m["mo2"])
        y = m["y"] or m["y2"]
        year = None if y is None else int(y) + (2000 if len(y) == 2 else 0)
        found.days.append(dates.day_month(today, d, mo, year, m.group(0)))
        found.written.append((year, mo, d))
    for m in scan.take(_NTH_OF):
        found.days.append(_nth_of(ctx, m))
    for rx in (DAY_MONTH, MONTH_DAY):
        for m in scan.take(rx):
            d = 1 if ("dw" in rx.groupindex and m["dw"]) else int(m["d"])
            month_word = m["mon"]
            mo, year = words.MONTHS[month_word], (int(m["y"]) if m["y"] else None)
            day = dates.day_month(today, d, mo, year, m.group(0))
            confirm_month(ctx, d, month_word, day)
            found.days.append(day)
            found.written.append((year, mo, d))
    _take_weekdays(scan, today, found)
    for m in scan.take(_MONTHDAY):
        d = 1 if m["dw"] else int(m["d"] or m["d2"])
        following = m["nm"] or ""
        next_month = "prochain" in following or following.startswith("next")
        found.days.append(dates.next_monthday(today, d, next_month))
    for m in scan.take(_REL_EN_HUIT):
        weeks = 1 if m["n"] in ("huit", "8") else 2
        found.days.append(today + timedelta(days=_REL_DAYS[m["w"]], weeks=weeks))
    for m in scan.take(_REL_DAY):
        found.days.append(today + timedelta(days=_REL_DAYS[m["w"]]))
        if m["w"] == "tonight":
            found.periods.add("tonight")
    for m in scan.take(_THIS_PERIOD):
        found.days.append(today)
        found.periods.add(m["p"])
    for m in scan.take(PERIOD):
        found.periods.add(m["p"])
    if scan.take(_NO_DAY):  # "décembre", "la semaine prochaine": which day, though?
        if found.days:
            raise Unsure
        raise WhenError("missing_day", **EXAMPLE_DAY)


def _nth_of(ctx: Context, m: re.Match[str]) -> date:
    """"le premier mardi de janvier", "last friday of the month"."""
    nth, weekday = words.ORDINALS[m["ord"]], words.WEEKDAYS[m["wd"]]
    if m["mon"]:
        month = words.MONTHS[m["mon"]]
        if m["y"]:
            year = int(m["y"])
            found = dates.nth_weekday(year, month, nth, weekday)
            if found is None:
                raise dates.nth_impossible(nth, weekday, month, year)
            return found
        return dates.nth_yearless(ctx.today, nth, weekday, month)
    next_month = bool(m["next"] or m["next2"])
    for step in range(1 if next_month else 0, 14):
        year, month = dates.add_months(ctx.today, step)
        found = dates.nth_weekday(year, month, nth, weekday)
        if found is not None and found >= ctx.today:
            return found
        if next_month:
            raise dates.nth_impossible(nth, weekday, month, year)
    raise Unsure


def _take_weekdays(scan: Scan, today: date, found: Found) -> None:
    """Weekday phrases; a bare weekday only gives the day when nothing else does."""
    for m in scan.take(_FROM_BASE):
        n, unit, base = number(m["n"]), m["u"], m["base"] or m["base2"]
        days = n * (14 if unit.startswith("fortnight") else 7 if unit[0] in "ws" else 1)
        if m["wd"]:
            wd = words.WEEKDAYS[m["wd"]]
            start = dates.next_weekday(today, wd)
            found.weekdays.append(wd)
        else:
            start = today + timedelta(days=_REL_DAYS[base])
        found.days.append(start + timedelta(days=days))
    for m in scan.take(_WD_WEEK):
        wd = words.WEEKDAYS[m["wd"]]
        found.days.append(dates.next_weekday(today, wd) + timedelta(
            weeks=2 if m["u"] == "fortnight" else 1))
        found.weekdays.append(wd)
    for rx, weeks in ((_WD_WEEK_AFTER_NEXT, 2), (_WD_NEXT_WEEK, 1), (_WD_THIS_WEEK, 0),
                      (_WD_LAST_WEEK, -1)):
        for m in scan.take(rx):
            wd = words.WEEKDAYS[next(v for k, v in m.groupdict().items() if v)]
            found.days.append(dates.monday_of_week(today, weeks) + timedelta(days=wd))
            found.weekdays.append(wd)
    for m in scan.take(_WD_EN_HUIT):
        wd = words.WEEKDAYS[m["wd"]]
        weeks = 1 if m["n"] in ("huit", "8") else 2
        found.days.append(dates.next_weekday(today, wd) + timedelta(weeks=weeks))
        found.weekdays.append(wd)
    for m in scan.take(_WD_LAST):
        wd = words.WEEKDAYS[m["wd"] or m["wd2"]]
        found.days.append(today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1))
        found.weekdays.append(wd)
    for m in scan.take(_WD_DAYNUM):
        found.weekdays.append(words.WEEKDAYS[m["wd"]])
        found.days.append(dates.next_monthday(today, int(m["d"]), False))
    for m in scan.take(_WD_THIS):
        wd = words.WEEKDAYS[m["wd"] or m["wd2"]]
        found.days.append(today + timedelta(days=(wd - today.weekday()) % 7))
        found.weekdays.append(wd)
    for m in scan.take(_WD_NEXT):
        wd = words.WEEKDAYS[m["wd"] or m["wd2"]]
        found.days.append(dates.next_weekday(today, wd))
        found.weekdays.append(wd)
    for m in scan.take(_WD_BARE):
        wd = words.WEEKDAYS[m["wd"]]
        found.weekdays.append(wd)
        if found.bare_weekday is not None and found.bare_weekday != wd:
            raise WhenError("ambiguous", first=words.WEEKDAYS_FR[found.bare_weekday],
                            second=words.WEEKDAYS_FR[wd])
        found.bare_weekday = wd


def read_day(text: str, ctx: Context) -> date:
    """The one day a short phrase names (« le 5 mars », « lundi prochain », « hier »), past or
    not: the start or the end of a series."""
    scan = Scan(text)
    found = Found()
    take_days(scan, ctx, found)
    if scan.leftover() or found.periods:
        raise Unsure
    days = sorted(set(found.days))
    if len(days) > 1:
        raise WhenError("ambiguous", first=days[0].isoformat(), second=days[1].isoformat())
    if days:
        day = days[0]
    elif found.bare_weekday is not None:
        day = dates.next_weekday(ctx.today, found.bare_weekday)
    else:
        raise Unsure
    if any(day.weekday() != wd for wd in found.weekdays):
        raise Unsure
    return day
