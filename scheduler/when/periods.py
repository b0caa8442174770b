"""Conventional periods: phrases that stand for a day and, for a deadline, its time.

Each has one documented meaning (the README's table), shown back in full words in the
confirmation so a wrong reading is caught. "Working day" is Monday to Friday; « fin de … » /
« end of … » is the last working day of that span at the end of the working day (a network
setting, 17:00 unless configured); « début de … » / « early … » the first working day, at the time
written or the default one. Parts of a day (« fin de matinée », « COB »…) are in ``dayparts``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.when import dates, words
from scheduler.when.context import Context
from scheduler.when.dayparts import CONVENTIONAL, conventional
from scheduler.when.days import Found
from scheduler.when.errors import Unsure
from scheduler.when.normalise import Scan
from scheduler.when.times import MON, NUM, number

_MY = rf"(?P<mon>{MON})(?:\s+(?P<y>\d{{4}}))?"
_FROM_TODAY = r"(?:\s+(?:a\s+compter\s+(?:de\s+ce\s+jour|d\s+aujourdhui)|from\s+(?:today|now)))?"
_QUARTERS = {"1": 1, "premier": 1, "first": 1, "2": 2, "deuxieme": 2, "second": 2, "3": 3,
             "troisieme": 3, "third": 3, "4": 4, "quatrieme": 4, "fourth": 4, "dernier": 4,
             "last": 4}
_QUARTER = (r"(?:(?P<q>[1-4]|premier|deuxieme|second|troisieme|quatrieme|dernier|first|third"
            r"|fourth|last)(?:er|e|eme|st|nd|rd|th)?\s+(?:trimestre|quarter)|[qt](?P<q2>[1-4]))"
            r"(?:\s+(?P<y>\d{4}))?")


@dataclass(frozen=True)
class Period:
    key: str  # ``when.meaning.<key>`` in the catalogs
    rx: re.Pattern[str]
    day: Callable[[re.Match[str], Context], date]
    end_of_day: bool  # True: the end of the working day unless a time is written


def _named_month(m: re.Match[str], ctx: Context, pick: Callable[[int, int], date]) -> date:
    month = words.MONTHS[m["mon"]]
    if m["y"]:
        return pick(int(m["y"]), month)
    return dates.yearless(ctx.today, lambda year: pick(year, month))


def _quarter_end(today: date) -> date:
    return dates.last_working_day(today.year, (today.month - 1) // 3 * 3 + 3)


def _named_quarter(m: re.Match[str], ctx: Context) -> date:
    month = _QUARTERS[m["q"] or m["q2"]] * 3
    if m["y"]:
        return dates.last_working_day(int(m["y"]), month)
    return dates.yearless(ctx.today, lambda year: dates.last_working_day(year, month))


def _next_month(today: date) -> tuple[int, int]:
    return dates.add_months(today, 1)


def _p(key: str, rx: str, day: Callable[[re.Match[str], Context], date], eod: bool) -> Period:
    return Period(key, re.compile(rf"\b(?:(?:en|a|vers|towards|by|at|in)\s+)?(?:{rx})\b"), day,
                  eod)


# Longer phrases first: « fin du mois prochain » before « fin du mois ».
PERIODS: tuple[Period, ...] = (
    _p("end_of_next_week", r"fin\s+de\s+(?:la\s+)?semaine\s+(?:prochaine|suivante)"
       r"|end\s+of\s+next\s+week",
       lambda m, c: dates.monday_of_week(c.today, 1) + timedelta(days=4), True),
    _p("start_of_next_week", r"debut\s+de\s+(?:la\s+)?semaine\s+(?:prochaine|suivante)"
       r"|(?:early|start\s+of|beginning\s+of)\s+next\s+week",
       lambda m, c: dates.monday_of_week(c.today, 1), False),
    _p("mid_next_week", r"milieu\s+de\s+(?:la\s+)?semaine\s+prochaine"
       r"|(?:mid-?|middle\s+of\s+)next\s+week",
       lambda m, c: dates.monday_of_week(c.today, 1) + timedelta(days=2), False),
    _p("end_of_week", r"fin\s+de\s+(?:la\s+)?semaine(?:\s+(?:en\s+cours|courante))?"
       r"|(?:dans|sous)\s+la\s+semaine|end\s+of\s+(?:the\s+|this\s+)?week|eow"
       r"|within\s+the\s+week",
       lambda m, c: dates.end_of_working_week(c.today), True),
    _p("end_of_next_month", r"fin\s+du\s+mois\s+(?:prochain|suivant)|end\s+of\s+next\s+month",
       lambda m, c: dates.last_working_day(*_next_month(c.today)), True),
    _p("start_of_next_month", r"debut\s+du\s+mois\s+(?:prochain|suivant)"
       r"|(?:early|start\s+of|beginning\s+of)\s+next\s+month",
       lambda m, c: dates.first_working_day(*_next_month(c.today)), False),
    _p("end_of_month", r"fin\s+(?:du|de|de\s+ce)\s+mois(?:\s+en\s+cours)?"
       r"|end\s+of\s+(?:the\s+|this\s+)?month|month-?\s*end|eom",
       lambda m, c: dates.last_working_day(c.today.year, c.today.month), True),
    _p("end_of_quarter", r"fin\s+(?:du|de|de\s+ce)\s+trimestre(?:\s+en\s+cours)?"
       r"|end\s+of\s+(?:the\s+|this\s+)?quarter|quarter-?\s*end|eoq",
       lambda m, c: _quarter_end(c.today), True),
    _p("end_of_named_quarter", rf"(?:fin\s+(?:du\s+|de\s+)?|(?:the\s+)?end\s+of\s+(?:the\s+)?)"
       rf"{_QUARTER}", _named_quarter, True),
    _p("end_of_year", r"(?:fin\s+(?:d\s+|de\s+l\s+|de\s+cette\s+)?annee"
       r"|end\s+of\s+(?:the\s+|this\s+)?year|year-?\s*end|eoy)(?:\s+(?P<y>\d{4}))?"
       r"|(?:fin|end\s+of)\s+(?P<y2>\d{4})",
       lambda m, c: dates.last_working_day(int(m["y"] or m["y2"] or c.today.year), 12), True),
    _p("end_of_named_month", rf"(?:fin\s+(?:de\s+|d\s+)?|(?:the\s+)?end\s+of\s+|late\s+){_MY}",
       lambda m, c: _named_month(m, c, dates.last_working_day), True),
    _p("start_of_named_month",
       rf"(?:debut\s+(?:de\s+|d\s+)?|(?:early|(?:the\s+)?(?:start|beginning)\s+of)\s+){_MY}",
       lambda m, c: _named_month(m, c, dates.first_working_day), False),
    _p("mid_named_month", rf"(?:(?:la\s+)?mi-?\s*|mid-?\s*|milieu\s+(?:de\s+|d\s+)?"
       rf"|(?:the\s+)?middle\s+of\s+){_MY}",
       lambda m, c: _named_month(m, c, lambda y, mo: date(y, mo, 15)), False),
    _p("within_8_days", r"(?:sous\s+(?:huitaine|8\s+jours|huit\s+jours)|dans\s+la\s+huitaine)"
       + _FROM_TODAY,
       lambda m, c: c.today + timedelta(days=8), True),
    _p("within_15_days", r"(?:sous\s+(?:quinzaine|15\s+jours|quinze\s+jours)"
       r"|dans\s+la\s+quinzaine)" + _FROM_TODAY,
       lambda m, c: c.today + timedelta(days=15), True),
    _p("working_days", rf"(?P<w>dans|in|sous|within|d\s+ici)\s+(?P<n>{NUM})\s+"
       r"(?:jours?\s+ouvr(?:es|ables)|working\s+days?|business\s+days?)",
       lambda m, c: dates.add_working_days(c.today, number(m["n"])), True),
    _p("within_days", rf"(?:sous|within|dans\s+un\s+delai\s+de)\s+(?P<n>{NUM})\s+(?:jours?|days?)"
       + _FROM_TODAY,
       lambda m, c: c.today + timedelta(days=number(m["n"])), True),
)


# The periods that say "at the latest": « sous huitaine », « dans un délai de 10 jours ».
_WITHIN = frozenset({"within_8_days", "within_15_days", "within_days"})


def take_periods(scan: Scan, ctx: Context, found: Found) -> None:
    """Conventional periods and parts of a day, each cut out of ``scan`` into ``found``."""
    for period in PERIODS:
        for m in scan.take(period.rx):
            found.days.append(period.day(m, ctx))
            found.meanings.append(period.key)
            counted = period.key == "working_days" and m["w"] in ("dans", "in")
            found.end_of_day |= period.end_of_day and not counted
            found.deadline |= period.key in _WITHIN or (
                period.key == "working_days" and not counted)
    for m in scan.take(CONVENTIONAL):
        part = conventional(m)
        if found.part is not None and found.part != part:
            raise Unsure
        found.part = part
        found.meanings.append(part.key)
