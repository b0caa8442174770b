"""A meeting's calendar file made an iTIP scheduling message for one email recipient (RFC 5546).

Chats get ``METHOD:PUBLISH`` files (``handlers/calendar.py`` says why); an email to a person is
what REQUEST and CANCEL are for: the same events, the network's mailbox as ORGANIZER (already
in the file), and the recipient as ATTENDEE, so their calendar offers Accept / Decline and
files the event under the same UID. The file's UID and SEQUENCE are kept: an update is the same
UID with a higher SEQUENCE; a meeting whose events are all ``STATUS:CANCELLED`` is a
``METHOD:CANCEL``.
"""

from __future__ import annotations

from icalendar import Calendar, vCalAddress

CALENDAR_TYPE = "text/calendar"


def scheduling(data: bytes, attendee: str, name: str = "") -> tuple[str, bytes]:
    """``data`` (a PUBLISH calendar) as ``(method, calendar)`` addressed to ``attendee``."""
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    cancelled = bool(events) and all(
        str(event.get("status", "")).upper() == "CANCELLED" for event in events)
    method = "CANCEL" if cancelled else "REQUEST"
    if "METHOD" in cal:
        del cal["METHOD"]
    cal.add("method", method)
    for event in events:
        if "ATTENDEE" in event:
            del event["ATTENDEE"]
        address = vCalAddress(f"mailto:{attendee}")
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "REQ-PARTICIPANT"
        if name:
            address.params["CN"] = name
        if not cancelled:
            address.params["PARTSTAT"] = "NEEDS-ACTION"
            address.params["RSVP"] = "TRUE"
        event.add("attendee", address)
    return method, cal.to_ical()
