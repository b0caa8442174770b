"""A second opinion on month names: dateparser must read a day and month word as we do.

Why not dateparser alone: it gets common French forms wrong ("mardi prochain à 10h" → None,
"demain 9h" → the day after at 01:00, "jeudi 15h" → the 15th of a past month, "10h" as a
duration) and fills in what was not written ("décembre" → 28 December). So it only confirms.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from time import perf_counter
from zoneinfo import ZoneInfo

import dateparser

from scheduler.when.context import DEFAULT_TZ, Context
from scheduler.when.errors import Unsure

DATEPARSER_LANGUAGES = ["fr", "en"]


def dateparser_settings(now: datetime, tz: str = DEFAULT_TZ) -> dict[str, object]:
    """The dateparser settings we rely on (also used by the bench for a fair comparison)."""
    return {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": tz,
        "TO_TIMEZONE": tz,
        "RELATIVE_BASE": now.astimezone(ZoneInfo(tz)).replace(tzinfo=None),
    }


def confirm_month(ctx: Context, day: int, month_word: str, expected: date) -> None:
    """Our month table and dateparser must read a month name the same way."""
    settings = dateparser_settings(ctx.now, ctx.tz)
    got = dateparser.parse(f"{day} {month_word} {expected.year}",
                           languages=DATEPARSER_LANGUAGES, settings=settings)
    if got is None or got.date() != expected:  # the day as written, whatever the zone
        raise Unsure


def warm_up() -> float:
    """Pay dateparser's first-call cost (loading its language data) now, e.g. at bot start-up;
    returns the seconds it took."""
    started = perf_counter()
    now = datetime.now(UTC)
    dateparser.parse("15 janvier 2027", languages=DATEPARSER_LANGUAGES,
                     settings=dateparser_settings(now))
    dateparser.parse("January 15 2027", languages=DATEPARSER_LANGUAGES,
                     settings=dateparser_settings(now))
    return perf_counter() - started
