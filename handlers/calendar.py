"""Calendar files (RFC 5545, with iTIP methods from RFC 5546) for meeting invites.

Built with the ``icalendar`` library: the bot only decides what goes in (a stable UID, a
SEQUENCE raised on every change, the series rule, cancelled and moved occurrences), so that a
calendar holds exactly the meetings the bot announces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vRecur

PRODID = "-//reseau-bot//FR"
ORGANIZER = "mailto:noreply@reseau-bot.invalid"


@dataclass(frozen=True)
class EventInfo:
    """One meeting as a calendar sees it; texts are already in the reader's language."""

    uid: str
    sequence: int
    summary: str
    description: str
    location: str
    start: datetime
    end: datetime
    url: str | None = None
    status: str = "CONFIRMED"


@dataclass(frozen=True)
class Override:
    """A changed occurrence of a series, found by its original start (RECURRENCE-ID)."""

    recurrence_id: datetime
    event: EventInfo


def _local(event: Event, name: str, moment: datetime, zone: ZoneInfo) -> None:
    """Write ``moment`` as wall time with an explicit TZID. (icalendar writes a zone whose offset
    is zero, such as Africa/Bamako, as UTC ``Z``; calendars then lose the network's zone.)"""
    event.add(name, moment.astimezone(zone).replace(tzinfo=None), parameters={"TZID": zone.key})


def _vevent(info: EventInfo, zone: ZoneInfo, now: datetime, organizer_name: str) -> Event:
    event = Event()
    event.add("uid", info.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", info.sequence)
    event.add("summary", info.summary)
    if info.description:
        event.add("description", info.description)
    event.add("location", info.location)
    _local(event, "dtstart", info.start, zone)
    _local(event, "dtend", info.end, zone)
    event.add("status", info.status)
    if info.url:
        event.add("url", info.url)
    organizer = vCalAddress(ORGANIZER)
    if organizer_name:
        organizer.params["CN"] = organizer_name
    event.add("organizer", organizer)
    return event


def _calendar(method: str, prodid: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def invite(event: EventInfo, *, tz: str = "Africa/Bamako", rrule: str | None = None,
           exdates: Sequence[datetime] = (), overrides: Sequence[Override] = (),
           method: str = "REQUEST", organizer_name: str = "", prodid: str = PRODID,
           now: datetime | None = None) -> bytes:
    """A METHOD:REQUEST calendar: the event (a series when ``rrule`` is given, without its
    cancelled dates), plus one VEVENT per changed occurrence, sharing the UID."""
    zone = ZoneInfo(tz)
    stamp = now or datetime.now(UTC)
    cal = _calendar(method, prodid)
    master = _vevent(event, zone, stamp, organizer_name)
    if rrule:
        master.add("rrule", vRecur.from_ical(rrule))
        for exdate in exdates:
            _local(master, "exdate", exdate, zone)
    cal.add_component(master)
    for override in overrides:
        component = _vevent(override.event, zone, stamp, organizer_name)
        _local(component, "recurrence-id", override.recurrence_id, zone)
        cal.add_component(component)
    return _finish(cal)


def cancellation(event: EventInfo, *, tz: str = "Africa/Bamako",
                 recurrence_id: datetime | None = None, prodid: str = PRODID,
                 organizer_name: str = "", now: datetime | None = None) -> bytes:
    """A METHOD:CANCEL calendar; with ``recurrence_id``, only that occurrence of the series."""
    zone = ZoneInfo(tz)
    cal = _calendar("CANCEL", prodid)
    info = EventInfo(event.uid, event.sequence, event.summary, event.description,
                     event.location, event.start, event.end, event.url, "CANCELLED")
    component = _vevent(info, zone, now or datetime.now(UTC), organizer_name)
    if recurrence_id is not None:
        _local(component, "recurrence-id", recurrence_id, zone)
    cal.add_component(component)
    return _finish(cal)
