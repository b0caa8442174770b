"""The meetings of a calendar subscription (``webcal://…/calendrier/<token>.ics``), as one
iCalendar document a calendar application fetches again every hour or so.

A subscription is a snapshot, not a message: the application replaces what it holds with what
the feed says. So a move is the same UID with a higher SEQUENCE and a newer DTSTAMP and
LAST-MODIFIED (the time invitees were told); a cancellation is the event with
``STATUS:CANCELLED`` for ``KEEP_CANCELLED`` after it was decided (every application polling in
that time shows it struck out), then it leaves the feed; meetings ended more than ``HISTORY``
ago leave it too.

Each occurrence of a series is its own VEVENT with its own stable UID (the occurrence's, kept
across moves), rather than an RRULE with RECURRENCE-ID overrides and EXDATEs: the bot stores
occurrences one by one, a member may be invited to only some of them (who joined after the first
ones), and every application — Outlook's subscribed calendars included, which handle overrides
of a subscribed series unevenly — shows single events exactly. A moved occurrence is then just
a moved event and a cancelled one a cancelled event.

No METHOD: per RFC 5545 a DTSTAMP then says when the event was last revised, so the document is
the same bytes as long as nothing changed, and its hash is a strong ETag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress

from handlers import calendar
from handlers.context import Context
from handlers.meetings.invitees import invitees
from handlers.meetings.wording import agenda_lines, kind_label, place_of, start_end
from storage.models import Meeting, Member

KEEP_CANCELLED = timedelta(days=14)
HISTORY = timedelta(days=30)
REFRESH = "PT1H"  # how often applications are asked to fetch again (RFC 7986, Outlook's TTL)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """The document and the last moment its content changed (for ``Last-Modified``)."""

    body: bytes
    last_modified: datetime


def modified(meeting: Meeting) -> datetime:
    """When invitees were last told of the meeting (created, moved, changed, cancelled)."""
    stamp = meeting.updated_at or meeting.created_at
    return datetime.fromisoformat(stamp) if stamp else EPOCH


def _gone_at(meeting: Meeting) -> datetime:
    """When the meeting leaves the feed."""
    if meeting.status == "cancelled":
        return modified(meeting) + KEEP_CANCELLED
    return start_end(meeting)[1] + HISTORY


def invited(ctx: Context, member: Member, meeting: Meeting) -> bool:
    if meeting.invited is not None:
        return member.id in meeting.invited
    return any(m.id == member.id for m in invitees(ctx, meeting))


def _vevent(ctx: Context, lang: str, meeting: Meeting) -> Event:
    start, end = start_end(meeting)
    stamp = modified(meeting).astimezone(UTC)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    if meeting.created_at:
        event.add("created", datetime.fromisoformat(meeting.created_at).astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{kind_label(ctx, lang, meeting)} — {ctx.network.name(lang)}")
    event.add("description", "\n".join(agenda_lines(ctx, lang, meeting)))
    event.add("location", place_of(ctx, lang, meeting))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    if meeting.link:
        event.add("url", calendar.as_uri(meeting.link))
    organizer = vCalAddress(f"mailto:{ctx.network.organizer_email}")
    organizer.params["CN"] = ctx.network.name(lang)
    event.add("organizer", organizer)
    return event


def build(ctx: Context, lang: str, title: str, meetings: Iterable[Meeting]) -> Feed:
    """The feed of ``meetings`` still shown now, in ``lang``, named ``title``. Its
    ``last_modified`` is the latest moment up to now at which any of them changed or left."""
    now = ctx.now()
    cal = Calendar()
    cal.add("prodid", calendar.PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    last = EPOCH
    for meeting in sorted(meetings, key=lambda m: (m.start, m.id)):
        gone = _gone_at(meeting)
        changed = modified(meeting)
        if gone <= now:
            last = max(last, gone, changed)
            continue
        last = max(last, min(changed, now))
        cal.add_component(_vevent(ctx, lang, meeting))
    return Feed(cal.to_ical(), last.astimezone(UTC).replace(microsecond=0))


def member_feed(ctx: Context, member: Member) -> Feed:
    """The meetings ``member`` was invited to."""
    lang = ctx.language_of(member)
    return build(ctx, lang, ctx.t(lang, "feed.title_member", network=ctx.network.name(lang)),
                 (m for m in ctx.store.meetings.all() if invited(ctx, member, m)))


def network_feed(ctx: Context, member: Member) -> Feed:
    """Every meeting of the network, in ``member``'s language (a lead's)."""
    lang = ctx.language_of(member)
    return build(ctx, lang, ctx.t(lang, "feed.title_network", network=ctx.network.name(lang)),
                 ctx.store.meetings.all())
