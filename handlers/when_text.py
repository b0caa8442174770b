"""How a time expression's reading and refusals are said back to people.

``scheduler.when`` reads the text and refuses with a reason and params; it never speaks. Here the
reason becomes the catalog's ``when.<reason>`` in the reader's language (an ISO date in its params
is also given in words), and a reading becomes the lines a confirmation adds under the date in
full words: the time in both zones when another zone was named (« 13:00 à Bamako — 14:00 à
Genève »), and what a conventional phrase was taken to mean (« fin du mois : le dernier jour ouvré
du mois »), so that a wrong reading is caught by eye.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location

from handlers.context import Context, UserError
from scheduler.when import PART_TIMES, Reading, WhenError

LANGS = ("fr", "en")


def refusal(ctx: Context, error: WhenError) -> UserError:
    """The person's mistake as a catalog message; a date param is also shown in words."""
    params: dict[str, object] = dict(error.params)
    stamp = params.get("date")
    if isinstance(stamp, str) and "date_fr" not in params:
        try:
            day = date.fromisoformat(stamp)
        except ValueError:
            day = None
        if day is not None:
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(
                ctx.network.timezone))
            for lang in LANGS:
                params[f"date_{lang}"] = ctx.catalog.date(lang, noon, ctx.network.timezone)
    return UserError(f"when.{error.reason}", **params)


def network_place(ctx: Context, lang: str) -> str:
    """The network's city as the reader writes it (« Bamako »), from CLDR."""
    return get_timezone_location(ZoneInfo(ctx.network.timezone), lang, return_city=True)


def _times(ctx: Context, lang: str, start: datetime, end: datetime | None, tz: str) -> str:
    first = ctx.catalog.time(lang, start, tz)
    return first if end is None else f"{first}–{ctx.catalog.time(lang, end, tz)}"


def zone_line(ctx: Context, lang: str, reading: Reading) -> str | None:
    """« 13:00 à Bamako — 14:00 à Genève » when the text named a zone whose clock differs."""
    there = reading.in_named_zone(reading.start)
    if there is None or reading.zone is None:
        return None
    tz = ctx.network.timezone
    here = ctx.t(lang, "when.at_place", time=_times(ctx, lang, reading.start, reading.end, tz),
                 place=network_place(ctx, lang))
    other_tz = there.tzinfo
    other_times = _times_in(reading, other_tz)
    if reading.zone.place:
        other = ctx.t(lang, "when.at_place", time=other_times, place=reading.zone.name(lang))
    else:
        other = ctx.t(lang, "when.in_zone", time=other_times,
                      zone=reading.zone.name(lang, there))
    return ctx.t(lang, "when.both_zones", here=here, there=other)


def _times_in(reading: Reading, zone: tzinfo) -> str:
    first = reading.start.astimezone(zone).strftime("%H:%M")
    if reading.end is None:
        return first
    return f"{first}–{reading.end.astimezone(zone).strftime('%H:%M')}"


def meaning_line(ctx: Context, lang: str, reading: Reading) -> str | None:
    """« Compris ainsi : fin du mois = le dernier jour ouvré du mois. »"""
    if not reading.meanings:
        return None
    meanings = [ctx.t(lang, f"when.meaning.{key}",
                      time=(PART_TIMES.get(key) or ctx.network.end_of_day).strftime("%H:%M"))
                for key in reading.meanings]
    return ctx.t(lang, "when.read_as", meanings=ctx.catalog.join(lang, meanings))


def reading_lines(ctx: Context, lang: str, reading: Reading) -> list[str]:
    """The lines a confirmation adds under the date: both zones, the conventional readings."""
    return [line for line in (zone_line(ctx, lang, reading), meaning_line(ctx, lang, reading))
            if line]
