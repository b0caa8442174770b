"""How a meeting reads in a message: its kind, the date in full words with the zone, the place,
the link and the agenda — shared by invitations, lists, digests and reports."""

from __future__ import annotations

from datetime import datetime

from handlers.context import Context
from storage.models import Meeting, MeetingSeries


def kind_label(ctx: Context, lang: str, meeting: Meeting | MeetingSeries) -> str:
    return ctx.t(lang, f"meeting.kind.{meeting.kind}", group=meeting.group or "")


def when_line(ctx: Context, lang: str, start: datetime, end: datetime) -> str:
    """« mardi 1 décembre 2026, 10:00–12:00 (GMT) »."""
    tz = ctx.network.timezone
    return ctx.t(lang, "meeting.when", date=ctx.catalog.date(lang, start, tz),
                 start=ctx.catalog.time(lang, start, tz), end=ctx.catalog.time(lang, end, tz),
                 zone=ctx.catalog.zone(lang, start, tz))


def place_of(ctx: Context, lang: str, meeting: Meeting | MeetingSeries) -> str:
    return meeting.place or ctx.network.place(lang)


def start_end(meeting: Meeting) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)


def full_line(ctx: Context, lang: str, meeting: Meeting) -> str:
    """The confirmation line: date in words, times, zone and place."""
    start, end = start_end(meeting)
    return f"{when_line(ctx, lang, start, end)}, {place_of(ctx, lang, meeting)}"


def agenda_lines(ctx: Context, lang: str, meeting: Meeting) -> list[str]:
    if not meeting.agenda:
        return [ctx.t(lang, "meeting.agenda_empty")]
    return [ctx.t(lang, "meeting.agenda_heading")] + [
        f"{n}. {item.text}" for n, item in enumerate(meeting.agenda, start=1)]


def details(ctx: Context, lang: str, meeting: Meeting) -> list[str]:
    lines = [full_line(ctx, lang, meeting)]
    if meeting.link:
        lines.append(ctx.t(lang, "meeting.link_line", link=meeting.link))
    return lines + ["\n".join(agenda_lines(ctx, lang, meeting))]
