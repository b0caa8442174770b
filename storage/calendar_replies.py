"""Calendar replies read from the network's mailbox (iTIP REPLY, RFC 5546), by key.

A reply's key is made of its message's ``Message-ID``, the event's UID (and RECURRENCE-ID), the
attendee and the SEQUENCE it answers (``handlers/calendar_replies.py``). It is written in the
same transaction as the answer it records, and the message is marked read in the mailbox only
after that: a crash between the two, or a message marked unread again by someone, is read again
and finds its key — nothing is recorded twice. One record per reply the network received: as
many as the answers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record, Time
from storage.repository import Keyed


@dataclass
class CalendarReply(Record):
    """What was made of one calendar reply: ``recorded`` (the answer is the member's RSVP),
    or why not (``forged``: not sent by the attendee; ``refused``: the answer could not be
    taken, the meeting being past or the member not invited; ``unsupported``: TENTATIVE …)."""

    id: str  # sha256 of the reply's key (hex)
    outcome: str
    at: Time
    member_id: str = ""
    meeting: str = ""  # ``12`` or ``series.3.all``: what the answer was for


class CalendarReplies(Keyed[CalendarReply]):
    """Looked up by key only."""
