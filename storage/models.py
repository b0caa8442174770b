"""The stored shapes of the records (processed event ids are plain keys: storage/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from storage.identity import Identity
from storage.parts import AgendaItem, GroupReview, PlanNote, StatementVersion
from storage.records import Record, Time

# Roles a member can hold. "Executive Committee focal point" is not stored: it is derived from the
# member's agency being on the Executive Committee.
CO_CHAIR = "co_chair"
SECRETARIAT = "secretariat"
FOCAL_POINT = "focal_point"
EXTERNAL_PARTNER = "external_partner"
ROLES = (CO_CHAIR, SECRETARIAT, FOCAL_POINT, EXTERNAL_PARTNER)


@dataclass
class Member(Record):
    """A person of the network: one agency, some roles, one or more platform identities."""

    id: str
    name: str
    agency: str
    roles: list[str] = field(default_factory=lambda: [FOCAL_POINT])
    identities: list[str] = field(default_factory=list)
    language: str | None = None  # the member's own choice (``langue``): always wins
    active: bool = True
    created_at: str = ""
    preference: str | None = None  # where direct messages go: a platform, "both", or the first
    locale: str | None = None  # the platform's language last seen (Slack, Telegram), if no choice
    # Identities the bot could not write to, with why (``not_started``: never opened the bot on
    # Telegram; ``blocked``; ``deactivated``): avoided until the person writes to the bot there.
    unreachable: dict[str, str] = field(default_factory=dict)

    def platforms(self) -> set[str]:
        """The platforms the member has an identity on."""
        return {Identity.parse(identity).platform for identity in self.identities}


@dataclass
class JoinRequest(Record):
    """An unknown user's request to join an agency, waiting for the secretariat."""

    id: int
    identity: str
    name: str
    agency: str
    language: str | None = None
    status: str = "pending"  # pending | approved | refused
    created_at: str = ""
    decided_at: str | None = None
    decided_by: str | None = None
    member_id: str | None = None
    handle: str = ""  # the person's username on their platform (Telegram's ``@name``)
    invite: int | None = None  # the invitation it came through, if any


@dataclass
class OutboxRow(Record):
    """One message for one recipient, kept until every target got it, or it stopped mattering.

    A row has one or more targets (a member's account, each platform's network channel), each
    delivered on its own: ``done`` lists those that got it, ``failed`` those given up with why
    (``expired``: the message stopped mattering first; ``rejected``: the platform refused it for
    good), ``attempting`` those being sent right now (written before the platform is called, so
    nothing is sent that could not be recorded). ``relevant_until`` is when the message stops
    mattering (an invitation: the meeting's start; a consultation: its deadline): retries go on
    until then, never longer.
    """

    id: int
    key: str
    recipient: dict[str, Any]
    message: dict[str, Any]
    # pending | sent (every target got it) | held (cannot be delivered yet: waits for the
    # recipient to become reachable) | skipped (nowhere to send: no channel configured) |
    # expired (stopped mattering before every target got it) | dead (refused for good)
    status: str = "pending"
    attempts: int = 0
    created_at: str = ""
    next_attempt_at: str = ""
    sent_at: str | None = None
    done: list[str] = field(default_factory=list)  # targets already delivered (for fan-outs)
    last_error: str | None = None
    language: str = ""  # the language the message was written in, for the record

    held_reason: str | None = None  # why a held row waits (see handlers/delivery.py)
    held_target: str = ""  # the identity (``platform:address``) it could not reach, if one
    relevant_until: str = ""  # UTC ISO 8601; empty: ``created_at`` + the default (dispatcher)
    attempting: list[str] = field(default_factory=list)
    attempted_at: str = ""  # when ``attempting`` was written (UTC ISO 8601)
    failed: dict[str, str] = field(default_factory=dict)  # target → why it was given up
    topic: str = ""  # what the message is about, for the handler told of its fate ("poll:12")
    # For a row with a topic: per target delivered, the platform's reference of the message
    # (Slack ``channel:ts``, Telegram ``chat:message_id``), so that it can be edited later.
    refs: dict[str, str] = field(default_factory=dict)


def new_calendar_uid() -> str:
    """A calendar UID for a new meeting or series: a random UUID (RFC 9562), drawn once when
    the meeting is created and stored with it.

    Why stored rather than derived (``meeting-<n>@…``): numbers restart in a fresh data dir and
    are the same in every deployment, and calendars merge events by UID, so a second network's
    meeting n° 1 (or the one after a reset) would overwrite the first in people's calendars. A
    UUID is globally unique without any per-deployment setting, stays the same through every
    change of the meeting, and travels with the record if the data is moved.
    """
    return str(uuid.uuid4())


def legacy_uid(kind: str, number: int) -> str:
    """The UID that meetings and series stored before UIDs were (schema v1) already carry in
    people's calendars: kept for them, so their next update replaces the event, not doubles it."""
    return f"{kind}-{number}@reseau-bot"


@dataclass
class Meeting(Record):
    """One meeting (alone, or an occurrence of a series). Times are UTC ISO 8601, whole minutes.

    ``invited`` records who received the invitation (member ids), when it went out and whenever
    someone is invited later: reminders, changes and answers go by it, not by who would be
    invited today. ``None`` only for meetings stored before it was recorded.
    """

    SCHEMA: ClassVar[int] = 2

    id: int
    kind: str  # network | executive | group | annual
    start: Time
    end: Time
    place: str = ""  # empty: the network's usual place, in the reader's language
    link: str | None = None
    group: str | None = None
    series_id: int | None = None
    recurrence_id: str | None = None  # the occurrence's original start, for calendar files
    status: str = "scheduled"  # scheduled | cancelled
    sequence: int = 0
    agenda: list[AgendaItem] = field(default_factory=list)
    created_by: str = ""
    created_at: Time = ""
    updated_at: Time = ""  # when invitees were last told: reminders due before it are moot
    uid: str = field(default_factory=new_calendar_uid)  # of a meeting alone (see its series')
    invited: list[str] | None = field(default_factory=list)

    @classmethod
    def upgrade(cls, doc: dict[str, Any], version: int) -> dict[str, Any]:
        """v1 → v2: the UID calendars already hold, and no record of the invited."""
        if version < 2:
            doc.setdefault("uid", legacy_uid("meeting", int(doc["id"])))
            doc.setdefault("invited", None)
        return doc


@dataclass
class MeetingSeries(Record):
    """A recurrence rule (RFC 5545 RRULE with a COUNT) whose occurrences are ``Meeting`` rows.

    A ``draft`` series is one a lead typed while a similar series was running: nothing is
    scheduled until a lead confirms it (its number is the confirmation button's value).
    """

    SCHEMA: ClassVar[int] = 2

    id: int
    kind: str
    rrule: str
    first_start: Time
    duration_minutes: int
    place: str = ""
    link: str | None = None
    group: str | None = None
    sequence: int = 0
    created_by: str = ""
    created_at: str = ""
    uid: str = field(default_factory=new_calendar_uid)
    status: str = "active"  # active | draft

    @classmethod
    def upgrade(cls, doc: dict[str, Any], version: int) -> dict[str, Any]:
        if version < 2:
            doc.setdefault("uid", legacy_uid("series", int(doc["id"])))
        return doc


@dataclass
class Rsvp(Record):
    """A person's answer to an invite; the latest one counts."""

    id: str  # "<meeting>:<member>"
    meeting_id: int
    member_id: str
    agency: str
    status: str  # present | online | excused
    at: str
    reason: str = ""  # an apology's reason (« mission terrain »), as written
    delegate: str = ""  # who represents the person (« Moussa Diarra »), as written


@dataclass
class Consultation(Record):
    """A proposal put to the consulted agencies; the deciding set's positions decide.

    Schema 2 records who decides when it opens (``deciding``, ``empty_seats``, the reading of an
    empty seat) and, once closed, the decision with its reasons (``decision``); a schema-1
    consultation has neither, and is read with the deciding set of the day.
    """

    SCHEMA: ClassVar[int] = 2

    id: int
    proposal: str
    deadline: Time
    mode: str = "consensus"  # consensus | silence
    scope: str = "network"  # network | executive | group
    group: str | None = None
    status: str = "open"  # open | closed
    outcome: str | None = None  # adopted | not_adopted
    outcome_note: str | None = None  # a co-chair's outcome statement
    opened_by: str = ""
    opened_at: Time = ""
    told_at: Time = ""  # when the consulted were last told (opening, extension)
    closed_at: str | None = None
    closed_by: str | None = None  # a member id, or "deadline"
    previous_deadlines: list[str] = field(default_factory=list)
    statement_id: int | None = None  # set when this is the approval round of a statement
    statement_version: int | None = None
    deciding: list[str] | None = None  # agencies taking part, fixed at opening (None: schema 1)
    empty_seats: list[str] = field(default_factory=list)  # no active focal point at opening
    empty_seat_blocks: bool = False  # the stricter reading, as configured at opening
    decision: dict[str, Any] | None = None  # outcome and reasons (handlers.consensus.Decision)
    # Per consulted agency, whether the proposal with its buttons reached one of its focal
    # points ("reached") or why not yet (a held reason, "waiting", "expired", "rejected"), as
    # the dispatcher reported it; an agency absent was never reported on.
    delivery: dict[str, str] = field(default_factory=dict)


@dataclass
class Position(Record):
    """One agency's position as given by one focal point; the latest per agency counts."""

    id: int
    consultation_id: int
    agency: str
    member_id: str
    choice: str  # agree | reservations | objection | abstain
    reason: str = ""
    at: str = ""


@dataclass
class Statement(Record):
    """A joint statement: requested, drafted in versions, approved by the Executive Committee,
    published by a co-chair."""

    id: int
    subject: str
    requested_by: str
    requested_at: str
    status: str = "requested"  # requested | in_approval | adopted | not_adopted | published
    versions: list[StatementVersion] = field(default_factory=list)
    published_at: str | None = None
    published_by: str | None = None


@dataclass
class InfoItem(Record):
    """A piece of information shared with the network: a link or a text, tagged by Global
    Compact objective and type."""

    id: int
    key: str  # the normalised link (or a hash of the text), to find duplicates
    url: str | None
    title: str
    text: str = ""
    objectives: list[int] = field(default_factory=list)
    type: str = "other"  # data | document | study | news | event | other
    shared_by: str = ""
    agency: str = ""
    platform: str = ""
    at: str = ""


@dataclass
class LinkCode(Record):
    """A one-time code joining a second platform identity to a member (stored as a hash)."""

    id: str  # sha256 of the code
    member_id: str
    expires_at: str
    used: bool = False
    created_at: str = ""


@dataclass
class LinkAttempts(Record):
    """The wrong linking codes one identity typed recently: too many, and it must wait."""

    id: str  # the identity, ``platform:user``
    failures: list[str] = field(default_factory=list)  # UTC ISO 8601 times, oldest first


@dataclass
class Group(Record):
    """A working group set up by the Executive Committee: members (network members and external
    partners), a chair or co-chairs among them, terms of reference, reviews; closed groups stay
    in the record."""

    id: str  # slug of the name
    name: str
    members: list[str] = field(default_factory=list)
    chairs: list[str] = field(default_factory=list)
    terms: str = ""  # terms of reference: a link or a text
    status: str = "active"  # active | closed
    consultation_id: int | None = None  # the adopted consultation that created it
    reviews: list[GroupReview] = field(default_factory=list)
    created_by: str = ""
    created_at: str = ""
    closed_at: str | None = None


@dataclass
class PlanAction(Record):
    """An action of the annual workplan, followed up with its lead agency."""

    id: int
    year: int
    title: str
    lead_agency: str
    due: Time
    objectives: list[int] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    status: str = "planned"  # planned | in_progress | done | postponed | abandoned
    notes: list[PlanNote] = field(default_factory=list)
    created_by: str = ""
    created_at: Time = ""
    updated_at: Time = ""
