"""What a lead should see before sending: a date on a public holiday in Mali (the ``holidays``
package, which also computes Mali's movable Islamic holidays), an Executive Committee seat
that cannot answer (no active focal point, or its invitations undelivered), a moment too close
for the first reminder to go out."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_timedelta

from handlers.consultations.seats import seats_for, unreached
from handlers.consultations.wording import agency_list
from handlers.context import Context
from storage.models import Consultation

HOLIDAY_LANGUAGES = {"fr": "fr", "en": "en_US"}


def holiday_name(ctx: Context, lang: str, moment: datetime) -> str | None:
    """The Malian public holiday on ``moment``'s day in the network's zone, named in ``lang``."""
    day = moment.astimezone(ZoneInfo(ctx.network.timezone)).date()
    calendar = holidays.country_holidays("ML", years=day.year,
                                         language=HOLIDAY_LANGUAGES.get(lang, "fr"))
    return calendar.get(day)


def holiday_warnings(ctx: Context, lang: str, moment: datetime) -> list[str]:
    name = holiday_name(ctx, lang, moment)
    if name is None:
        return []
    return [ctx.t(lang, "preview.warn.holiday",
                  date=ctx.catalog.date(lang, moment, ctx.network.timezone), holiday=name)]


def silent_executive_seats(ctx: Context, lang: str, consultation: Consultation) -> list[str]:
    """The Executive Committee entities consulted that cannot answer."""
    executive = {a.code for a in ctx.network.executive_committee}
    cannot = [code for code in (*consultation.empty_seats, *sorted(unreached(consultation)))
              if code in executive]
    if not cannot:
        return []
    return [ctx.t(lang, "preview.warn.executive_seat", count=len(cannot),
                  agencies=agency_list(ctx, lang, list(dict.fromkeys(cannot))))]


def executive_seats_empty(ctx: Context, lang: str) -> list[str]:
    """The Executive Committee entities with no active focal point (an Executive Committee
    meeting they cannot answer)."""
    empty = list(seats_for(ctx, "executive", None).empty)
    if not empty:
        return []
    return [ctx.t(lang, "preview.warn.executive_seat", count=len(empty),
                  agencies=agency_list(ctx, lang, empty))]


def short_notice(ctx: Context, lang: str, moment: datetime,
                 offsets: tuple[timedelta, ...]) -> list[str]:
    """``moment`` sooner than the first of its reminders (``offsets``, the longest first): that
    reminder will not go out, and people have less time than the network usually gives."""
    if not offsets or moment - ctx.now() >= offsets[0]:
        return []
    offset = format_timedelta(offsets[0], locale=lang)
    return [ctx.t(lang, "preview.warn.short_notice", offset=offset, when=ctx.when(lang, moment))]
