"""Calendar arithmetic for the days people name: a day and month with or without a year, the
n-th weekday of a month, the next 15th, the next Tuesday.

A date without a year ("15 janvier", "15/01", "premier mardi de mars") is this year's if it is
today or later; next year's if this year's passed more than ``RECENT_PAST_DAYS`` ago; refused as
past if it passed less than that (most likely a slip). "le 15" is the next 15th (this month or a
later one that has it).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date, timedelta

from scheduler.when import words
from scheduler.when.errors import Unsure, WhenError

RECENT_PAST_DAYS = 60


def date_fr(day: int, month: int, year: int | None) -> str:
    return f"{day} {words.MONTHS_FR[month - 1]}" + (f" {year}" if year else "")


def date_en(day: int, month: int, year: int | None) -> str:
    return f"{words.MONTHS_EN[month - 1]} {day}" + (f", {year}" if year else "")


def ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def impossible(day: int, month: int, year: int | None, written: str) -> WhenError:
    if 1 <= month <= 12:
        return WhenError("impossible_date", date_fr=date_fr(day, month, year),
                         date_en=date_en(day, month, year))
    return WhenError("impossible_date", date_fr=written, date_en=written)


def exact(year: int, month: int, day: int, written: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise impossible(day, month, year, written) from None


def yearless(today: date, make: Callable[[int], date | None]) -> date:
    """This year's date if today or later, or passed so recently that it must be a slip (then
    the caller refuses it as past); else the first later year that has it."""
    for year in range(today.year, today.year + 9):
        candidate = make(year)
        if candidate is None:
            continue
        if candidate >= today or (year == today.year
                                  and (today - candidate).days <= RECENT_PAST_DAYS):
            return candidate
    raise Unsure


def day_month(today: date, day: int, month: int, year: int | None, written: str) -> date:
    if year is not None:
        return exact(year, month, day, written)
    if not (1 <= month <= 12 and 1 <= day <= monthrange(2028, month)[1]):  # 2028: a leap year
        raise impossible(day, month, None, written)

    def make(y: int) -> date | None:
        return date(y, month, day) if day <= monthrange(y, month)[1] else None

    return yearless(today, make)


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date | None:
    """The ``nth`` (1..5, or -1 for the last) ``weekday`` of a month; None if it has none."""
    if nth > 0:
        first = date(year, month, 1)
        day = 1 + (weekday - first.weekday()) % 7 + 7 * (nth - 1)
        return date(year, month, day) if day <= monthrange(year, month)[1] else None
    last = date(year, month, monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def nth_label(nth: int, weekday: int, month: int, year: int | None) -> tuple[str, str]:
    fr_ord = "dernier" if nth < 0 else ("1er" if nth == 1 else f"{nth}e")
    en_ord = "last" if nth < 0 else ordinal_en(nth)
    suffix = f" {year}" if year else ""
    return (f"{fr_ord} {words.WEEKDAYS_FR[weekday]} de {words.MONTHS_FR[month - 1]}{suffix}",
            f"{en_ord} {words.WEEKDAYS_EN[weekday]} of {words.MONTHS_EN[month - 1]}{suffix}")


def nth_impossible(nth: int, weekday: int, month: int, year: int | None) -> WhenError:
    fr, en = nth_label(nth, weekday, month, year)
    return WhenError("impossible_date", date_fr=fr, date_en=en)


def add_months(d: date, months: int) -> tuple[int, int]:
    total = d.year * 12 + d.month - 1 + months
    return total // 12, total % 12 + 1


def next_monthday(today: date, day: int, next_month: bool) -> date:
    """"le 15": the next 15th from today on (a later month if this one has none)."""
    if not 1 <= day <= 31:
        raise WhenError("impossible_date", date_fr=f"le {day}", date_en=f"the {ordinal_en(day)}")
    for step in range(1 if next_month else 0, 14):
        year, month = add_months(today, step)
        if day <= monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        if next_month:
            raise impossible(day, month, year, "")
    raise Unsure


def nth_yearless(today: date, nth: int, weekday: int, month: int) -> date:
    """"premier mardi de mars" without a year: same rule as a day and month without a year."""
    year = today.year
    found = nth_weekday(year, month, nth, weekday)
    if found is None:
        if date(year, month, monthrange(year, month)[1]) < today:
            year += 1
            found = nth_weekday(year, month, nth, weekday)
    elif found < today and (today - found).days > RECENT_PAST_DAYS:
        year += 1
        found = nth_weekday(year, month, nth, weekday)
    if found is None:
        raise nth_impossible(nth, weekday, month, year)
    return found


def next_weekday(today: date, weekday: int) -> date:
    """The first ``weekday`` strictly after today (1 to 7 days ahead)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


# Working days: Monday to Friday, except the days off everywhere the UN works (1 January,
# 1 May, 25 December); Mali's other public holidays, some set by the moon, are not counted.
DAYS_OFF = frozenset({(1, 1), (5, 1), (12, 25)})


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and (d.month, d.day) not in DAYS_OFF


def last_working_day(year: int, month: int) -> date:
    d = date(year, month, monthrange(year, month)[1])
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def first_working_day(year: int, month: int) -> date:
    d = date(year, month, 1)
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself does not count)."""
    if n < 1:
        raise Unsure
    while n:
        d += timedelta(days=1)
        n -= is_working_day(d)
    return d


def monday_of_week(d: date, weeks: int = 0) -> date:
    """The Monday of ``d``'s calendar week, ``weeks`` weeks later."""
    return d - timedelta(days=d.weekday()) + timedelta(weeks=weeks)


def end_of_working_week(today: date) -> date:
    """The Friday of this working week; on a Saturday or Sunday, the coming week's."""
    return monday_of_week(today, 1 if today.weekday() >= 5 else 0) + timedelta(days=4)
