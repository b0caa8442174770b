"""Calendar replies (iTIP ``METHOD:REPLY``, RFC 5546) turned into the answers they carry.

An invitation by email is a REQUEST naming the network's mailbox as ORGANIZER and the recipient
as ATTENDEE (``bot/platforms/email/itip.py``), under the meeting's UID — a meeting alone's, or
its series' with a RECURRENCE-ID per occurrence. When the person presses *Accept* or *Decline*
in Outlook, Gmail or Thunderbird, their calendar mails a REPLY to that mailbox: the same UID,
the attendee with PARTSTAT ``ACCEPTED`` or ``DECLINED``. Here such a mail is read
(``replies_in``) and matched (``decide``): the UID to a meeting or a series, the attendee's
``mailto:`` to a member's email identity. The answer itself is then given as the member's click
on « Présent » / « Excusé·e » would be (``bot/mail_replies.py`` hands it to the router), so it
is checked and recorded exactly as the buttons' are.

A reply whose sender (``From``) is not its attendee is refused: anyone can write an iTIP file
naming someone else. A UID or an attendee the network does not know is left alone.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from icalendar import Calendar

from handlers.context import Context
from storage.identity import Identity
from storage.models import Member
from storage.records import to_iso

log = logging.getLogger(__name__)

# What a PARTSTAT becomes: the button the person would have pressed. TENTATIVE (and
# DELEGATED …) has no button: such a reply is kept as unsupported.
ANSWERS = {"ACCEPTED": "rsvp.present", "DECLINED": "rsvp.excused"}


@dataclass(frozen=True)
class CalendarReply:
    """One VEVENT of a REPLY: who answered what, to which event, from which mail."""

    uid: str
    attendee: str  # the address, lower case, without ``mailto:``
    partstat: str
    sequence: int
    recurrence_id: str  # UTC ISO 8601, or empty: the event (a whole series)
    sender: str  # the mail's ``From`` address, lower case
    message_id: str

    @property
    def key(self) -> str:
        """Stored once recorded (``storage/calendar_replies.py``): the same mail read again
        records nothing twice; a later answer (another mail) is a new key."""
        text = "\0".join((self.message_id, self.uid, self.recurrence_id, self.attendee,
                          str(self.sequence), self.partstat))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Decision:
    """What to do with a reply: ``answer`` — ``identity`` clicks ``action`` with ``value``;
    else why not (``forged``, ``unknown_uid``, ``unknown_attendee``, ``unsupported``)."""

    outcome: str
    member: Member | None = None
    identity: str = ""
    action: str = ""
    value: str = ""


def _address(text: str) -> str:
    value = str(text).strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:"):]
    return value.strip().lower()


def _moment(value: object) -> str:
    """A RECURRENCE-ID as stored times are (UTC ISO 8601); empty when there is none. One
    without a zone (floating, a date) matches no occurrence rather than the whole series."""
    if value is None:
        return ""
    moment = getattr(value, "dt", None)
    if isinstance(moment, datetime) and moment.tzinfo:
        return to_iso(moment)
    return f"unmatched:{moment}"


def calendar_parts(mail: EmailMessage) -> list[bytes]:
    """The ``text/calendar`` parts whose method is REPLY (the parameter, or the file's own
    METHOD when the parameter is missing)."""
    found = []
    for part in mail.walk():
        if part.get_content_type() != "text/calendar":
            continue
        method = str(part.get_param("method") or "").upper()
        if method and method != "REPLY":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found.append(payload)
    return found


def replies_in(raw: bytes) -> list[CalendarReply]:
    """The calendar replies a mail carries; none for any other mail (or a damaged file)."""
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    sender = parseaddr(str(mail.get("From", "")))[1].lower()
    message_id = str(mail.get("Message-ID", "")).strip()
    found = []
    for data in calendar_parts(mail):
        try:
            cal = Calendar.from_ical(data)
        except ValueError:
            log.warning("a calendar reply that cannot be read (%s): left alone", message_id)
            continue
        if str(cal.get("METHOD", "")).upper() != "REPLY":
            continue
        for event in cal.walk("VEVENT"):
            attendees = event.get("ATTENDEE")
            attendees = attendees if isinstance(attendees, list) else [attendees]
            for attendee in [a for a in attendees if a is not None]:
                found.append(CalendarReply(
                    uid=str(event.get("UID", "")), attendee=_address(attendee),
                    partstat=str(attendee.params.get("PARTSTAT", "")).upper(),
                    sequence=int(event.get("SEQUENCE", 0) or 0),
                    recurrence_id=_moment(event.get("RECURRENCE-ID")), sender=sender,
                    message_id=message_id))
    return found


def member_of(ctx: Context, address: str) -> tuple[Member | None, str]:
    """The active member with ``email:<address>`` (case aside), and that identity."""
    identity = f"email:{address}"
    member = ctx.store.members.by_identity(identity)
    if member is not None and member.active:
        return member, identity
    for member in ctx.store.members.active():
        for known in member.identities:
            parsed = Identity.parse(known)
            if parsed.platform == "email" and parsed.user.lower() == address:
                return member, known
    return None, ""


def target_of(ctx: Context, reply: CalendarReply) -> str:
    """The button value the UID names: ``12`` (a meeting alone, or the occurrence of a series
    a RECURRENCE-ID names), ``series.3.all`` (a whole series); empty when unknown."""
    for meeting in ctx.store.meetings.all():  # a past one too: refused as the button is
        if meeting.series_id is None and meeting.uid == reply.uid:
            return str(meeting.id)
    series = next((s for s in ctx.store.series.all() if s.uid == reply.uid), None)
    if series is None:
        return ""
    if not reply.recurrence_id:
        return f"series.{series.id}.all"
    for occurrence in ctx.store.meetings.of_series(series.id):
        original = occurrence.recurrence_id or occurrence.start
        if to_iso(datetime.fromisoformat(original)) == reply.recurrence_id:
            return str(occurrence.id)
    return ""


def decide(ctx: Context, reply: CalendarReply) -> Decision:
    """Whose answer, to what; refused when the mail was not sent by the attendee."""
    if not reply.attendee or reply.sender != reply.attendee:
        return Decision("forged")
    value = target_of(ctx, reply)
    if not value:
        return Decision("unknown_uid")
    member, identity = member_of(ctx, reply.attendee)
    if member is None:
        return Decision("unknown_attendee")
    action = ANSWERS.get(reply.partstat)
    if action is None:
        return Decision("unsupported", member, identity)
    return Decision("answer", member, identity, action, value)


def answered(ctx: Context, decision: Decision) -> bool:
    """Whether the member's answer now is the one the reply gave (it was recorded, or already
    was): for a series, on every occurrence still to come they are invited to."""
    member = decision.member
    assert member is not None
    choice = decision.action.removeprefix("rsvp.")
    if decision.value.startswith("series."):
        number = int(decision.value.split(".")[1])
        coming = [m for m in ctx.store.meetings.of_series(number)
                  if m.status == "scheduled" and m.start > ctx.now_iso()]
        answers = [ctx.store.rsvps.get(m.id, member.id) for m in coming]
        found = [a for a in answers if a is not None]
        return bool(found) and all(a.status == choice for a in found)
    answer = ctx.store.rsvps.get(int(decision.value), member.id)
    return answer is not None and answer.status == choice


def no_mailbox(ctx: Context, job: object) -> None:
    """The job ``mail.check`` when nothing reads the mailbox (no ``IMAP_URL``): the reading is
    network work, registered by ``bot/mail_replies.py`` and run outside any transaction."""
    log.info("mailbox check %s: no IMAP_URL, nothing to read", job)
