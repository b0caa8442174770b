"""The calendar file (iCalendar) sent with an invitation: one event for a meeting alone, the
whole series (rule, cancelled dates, changed occurrences) for a meeting of a series, so that a
calendar always holds what the bot announces."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from handlers import calendar
from handlers.context import Context
from handlers.meetings.wording import agenda_lines, kind_label, place_of, start_end, when_line
from handlers.types import Attachment
from storage.models import Meeting
from storage.records import to_iso


def organizer(ctx: Context, lang: str) -> calendar.Organizer:
    """The network, by name, on the configured mailbox (the secretariat's)."""
    return calendar.Organizer(ctx.network.organizer_email, ctx.network.name(lang))


def _event(ctx: Context, lang: str, meeting: Meeting, uid: str, sequence: int,
           status: str = "CONFIRMED") -> calendar.EventInfo:
    start, end = start_end(meeting)
    return calendar.EventInfo(
        uid=uid, sequence=sequence,
        summary=f"{kind_label(ctx, lang, meeting)} — {ctx.network.name(lang)}",
        description="\n".join(agenda_lines(ctx, lang, meeting)),
        location=place_of(ctx, lang, meeting), start=start, end=end, url=meeting.link,
        status=status)


def calendar_caption(ctx: Context, lang: str, meeting: Meeting,
                     key: str = "meeting.calendar_caption") -> str:
    """What the file is and what to do with it, shown with it where the platform allows."""
    start, end = start_end(meeting)
    return ctx.t(lang, key, kind=kind_label(ctx, lang, meeting),
                 when=when_line(ctx, lang, start, end))


def calendar_file(ctx: Context, lang: str, meeting: Meeting) -> Attachment:
    """The invite for ``meeting``: the whole series (rule, cancelled dates, changed occurrences)
    when it belongs to one, so a calendar always holds what the bot announces. A cancelled
    meeting alone is its event marked cancelled; a cancelled occurrence is left out of the
    series' dates."""
    tz = ctx.network.timezone
    series = ctx.store.series.get(meeting.series_id) if meeting.series_id is not None else None
    if series is None:
        status = "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED"
        data = calendar.invite(_event(ctx, lang, meeting, meeting.uid, meeting.sequence, status),
                               organizer(ctx, lang), tz=tz, now=ctx.now())
        cancelled = status == "CANCELLED"
        caption = calendar_caption(ctx, lang, meeting, "meeting.cancellation_caption"
                                   if cancelled else "meeting.calendar_caption")
        name = "annulation" if cancelled else "reunion"
        return Attachment(f"{name}-{meeting.id}.ics", data, "text/calendar", caption)
    occurrences = ctx.store.meetings.of_series(series.id)
    first_start = datetime.fromisoformat(series.first_start)
    master = Meeting(id=0, kind=series.kind, start=series.first_start,
                     end=to_iso(first_start + timedelta(minutes=series.duration_minutes)),
                     place=series.place, link=series.link, group=series.group)
    exdates, overrides = [], []
    for occurrence in occurrences:
        original = datetime.fromisoformat(occurrence.recurrence_id or occurrence.start)
        if occurrence.status == "cancelled":
            exdates.append(original)
            continue
        expected = replace(master, start=to_iso(original), end=to_iso(
            original + timedelta(minutes=series.duration_minutes)))
        if (occurrence.start, occurrence.end, occurrence.place, occurrence.link,
                occurrence.agenda) != (expected.start, expected.end, expected.place,
                                       expected.link, expected.agenda):
            overrides.append(calendar.Override(original, _event(
                ctx, lang, occurrence, series.uid, series.sequence)))
    data = calendar.invite(_event(ctx, lang, master, series.uid, series.sequence),
                           organizer(ctx, lang), tz=tz, rrule=series.rrule, exdates=exdates,
                           overrides=overrides, now=ctx.now())
    return Attachment(f"serie-{series.id}.ics", data, "text/calendar",
                      calendar_caption(ctx, lang, meeting))
