"""Calendar files (RFC 5545, with iTIP methods from RFC 5546) for meeting invites.

Built with the ``icalendar`` library: the bot only decides what goes in (a stable UID, a
SEQUENCE raised on every change, the series rule, cancelled and moved occurrences), so that a
calendar holds exactly the meetings the bot announces.

Files sent in a chat are ``METHOD:PUBLISH``: RFC 5546 reserves ``REQUEST`` (and ``CANCEL``) for
scheduling messages that list their ATTENDEEs and expect replies, which a file dropped in a chat
is not; strict calendars refuse a REQUEST without attendees. PUBLISH requires an ORGANIZER: the
network, by name, on the mailbox of the configuration. A change is the same UID with a higher
SEQUENCE; a cancellation is the event again with ``STATUS:CANCELLED``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vRecur

PRODID = "-//reseau-bot//FR"
# What RFC 3986 allows unescaped in a URI, "%" included so existing escapes are kept as they are.
URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


@dataclass(frozen=True)
class Organizer:
    """Who a calendar file says organises the meeting: a name and a mailbox."""

    email: str
    name: str = ""


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


def as_uri(url: str) -> str:
    """``url`` as a valid URI (RFC 3986): a host in IDNA, anything else outside the allowed
    characters (spaces, accents, ``|``, ``{``…) percent-encoded as UTF-8. A link people typed
    in a chat may have any of these; a calendar refuses the URL property then."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, _authority(parts.netloc), _quote(parts.path),
                       _quote(parts.query), _quote(parts.fragment)))


def _quote(text: str) -> str:
    """Percent-encode what a URI may not hold; a "%" that starts no escape becomes "%25"."""
    return quote(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", text), safe=URI_SAFE)


def _authority(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":")
    if not colon or not port.isdigit():
        host, colon, port = hostport, "", ""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = _quote(host)
    return f"{_quote(userinfo)}{at}{host}{colon}{port}"


def _vevent(info: EventInfo, zone: ZoneInfo, now: datetime, organizer: Organizer) -> Event:
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
        event.add("url", as_uri(info.url))
    address = vCalAddress(f"mailto:{organizer.email}")
    if organizer.name:
        address.params["CN"] = organizer.name
    event.add("organizer", address)
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


def invite(event: EventInfo, organizer: Organizer, *, tz: str = "Africa/Bamako",
           rrule: str | None = None, exdates: Sequence[datetime] = (),
           overrides: Sequence[Override] = (), prodid: str = PRODID,
           now: datetime | None = None) -> bytes:
    """A METHOD:PUBLISH calendar: the event (a series when ``rrule`` is given, without its
    cancelled dates), plus one VEVENT per changed occurrence, sharing the UID. A cancelled
    meeting alone is the same file with the event's STATUS:CANCELLED."""
    zone = ZoneInfo(tz)
    stamp = now or datetime.now(UTC)
    cal = _calendar("PUBLISH", prodid)
    master = _vevent(event, zone, stamp, organizer)
    if rrule:
        master.add("rrule", vRecur.from_ical(rrule))
        for exdate in exdates:
            _local(master, "exdate", exdate, zone)
    cal.add_component(master)
    for override in overrides:
        component = _vevent(override.event, zone, stamp, organizer)
        _local(component, "recurrence-id", override.recurrence_id, zone)
        cal.add_component(component)
    return _finish(cal)
