"""The kinds of scheduled job, each a small frozen dataclass, and their one text form.

A job names the record it is about and the version of that record it was derived from (a
meeting's start, a consultation's deadline, an action's due date): moving a meeting or extending
a consultation makes new jobs, with new ids, instead of reusing the marks of the old ones.

``encode`` gives a job's id — what ``jobs_done``, ``job_failures`` and outbox keys hold —, and
``decode`` reads one back. These ids are stored, so their text never changes:
``meeting-reminder:<n°>:<start>:<seconds>``, ``consultation-reminder:<n°>:<deadline>:<seconds>``,
``consultation-close:<n°>:<deadline>``, ``digest:<YYYY-MM-DD>``,
``plan-reminder:<n°>:<due>:<seconds>``, ``plan-overdue:<n°>:<due>``, ``later:<n°>:<due>``,
``conversation-timeout:<n°>:<updated>``, ``mail-check:<time>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

# What a job is derived from: a record (``("meeting", 3)``) or the clock (``("digest", 0)``).
# When that record changes, its jobs are derived again, and only its jobs.
Source = tuple[str, int]
DIGEST_SOURCE: Source = ("digest", 0)
MAIL_SOURCE: Source = ("mail", 0)  # the mailbox read for calendar replies (``IMAP_URL``)


class JobIdError(ValueError):
    """A text that is not the id of a job (``bot:installed``, ``late:…``, a damaged id)."""


@dataclass(frozen=True)
class MeetingReminder:
    """Remind the invitees of meeting ``meeting_id`` ``offset`` before it starts at ``start``."""

    kind: ClassVar[str] = "meeting.reminder"
    meeting_id: int
    start: str  # the meeting's start as stored (UTC ISO 8601)
    offset: timedelta

    @property
    def source(self) -> Source:
        return ("meeting", self.meeting_id)


@dataclass(frozen=True)
class ConsultationReminder:
    """Remind the agencies that have not answered, ``offset`` before the deadline."""

    kind: ClassVar[str] = "consultation.reminder"
    consultation_id: int
    deadline: str
    offset: timedelta

    @property
    def source(self) -> Source:
        return ("consultation", self.consultation_id)


@dataclass(frozen=True)
class ConsultationClose:
    """Close consultation ``consultation_id`` at its ``deadline``."""

    kind: ClassVar[str] = "consultation.close"
    consultation_id: int
    deadline: str

    @property
    def source(self) -> Source:
        return ("consultation", self.consultation_id)


@dataclass(frozen=True)
class Digest:
    """The digest of the scheduled ``day`` (in the network's zone)."""

    kind: ClassVar[str] = "digest"
    day: date

    @property
    def source(self) -> Source:
        return DIGEST_SOURCE


@dataclass(frozen=True)
class PlanReminder:
    """Remind the lead agency of workplan action ``action_id``, ``offset`` before ``due``."""

    kind: ClassVar[str] = "plan.reminder"
    action_id: int
    due: str
    offset: timedelta

    @property
    def source(self) -> Source:
        return ("plan", self.action_id)


@dataclass(frozen=True)
class PlanOverdue:
    """Ask the lead agency where action ``action_id`` stands, the day after ``due``."""

    kind: ClassVar[str] = "plan.overdue"
    action_id: int
    due: str

    @property
    def source(self) -> Source:
        return ("plan", self.action_id)


@dataclass(frozen=True)
class LaterReminder:
    """Remind one person of the card they put off (« Plus tard »: ``storage.laters``) at
    ``due``."""

    kind: ClassVar[str] = "later.reminder"
    later_id: int
    due: str

    @property
    def source(self) -> Source:
        return ("later", self.later_id)


@dataclass(frozen=True)
class ConversationTimeout:
    """Close guided conversation ``conversation_id``, untouched since ``updated`` (each answer
    moves it on, so each answer makes a new job)."""

    kind: ClassVar[str] = "conversation.timeout"
    conversation_id: int
    updated: str

    @property
    def source(self) -> Source:
        return ("conversation", self.conversation_id)


@dataclass(frozen=True)
class MailCheck:
    """Read the network's mailbox for calendar replies at ``at`` (every few minutes while
    ``IMAP_URL`` is set: ``bot/mail_replies.py``). Never marked done: the next one is derived
    from the clock once it ran."""

    kind: ClassVar[str] = "mail.check"
    at: str

    @property
    def source(self) -> Source:
        return MAIL_SOURCE


Job = (MeetingReminder | ConsultationReminder | ConsultationClose | Digest | PlanReminder
       | PlanOverdue | LaterReminder | ConversationTimeout | MailCheck)
KINDS: tuple[type, ...] = (MeetingReminder, ConsultationReminder, ConsultationClose, Digest,
                           PlanReminder, PlanOverdue, LaterReminder, ConversationTimeout,
                           MailCheck)


def _seconds(offset: timedelta) -> int:
    return int(offset.total_seconds())


def encode(job: Job) -> str:
    """The job's id, the same after every restart (see the module's docstring)."""
    match job:
        case MeetingReminder(number, start, offset):
            return f"meeting-reminder:{number}:{start}:{_seconds(offset)}"
        case ConsultationReminder(number, deadline, offset):
            return f"consultation-reminder:{number}:{deadline}:{_seconds(offset)}"
        case ConsultationClose(number, deadline):
            return f"consultation-close:{number}:{deadline}"
        case Digest(day):
            return f"digest:{day.isoformat()}"
        case PlanReminder(number, due, offset):
            return f"plan-reminder:{number}:{due}:{_seconds(offset)}"
        case PlanOverdue(number, due):
            return f"plan-overdue:{number}:{due}"
        case LaterReminder(number, due):
            return f"later:{number}:{due}"
        case ConversationTimeout(number, updated):
            return f"conversation-timeout:{number}:{updated}"
        case MailCheck(at):
            return f"mail-check:{at}"
    raise TypeError(f"not a job: {job!r}")


def decode(job_id: str) -> Job:
    """The job an id names; ``JobIdError`` for any other text."""
    prefix, _, rest = job_id.partition(":")
    try:
        if prefix == "digest":
            return Digest(date.fromisoformat(rest))
        if prefix == "mail-check":
            _time(rest)
            return MailCheck(rest)
        number_text, _, moment = rest.partition(":")
        number = _number(number_text)
        if prefix in ("meeting-reminder", "consultation-reminder", "plan-reminder"):
            moment, _, seconds = moment.rpartition(":")
            offset = timedelta(seconds=_number(seconds))
            _time(moment)
            if prefix == "meeting-reminder":
                return MeetingReminder(number, moment, offset)
            if prefix == "consultation-reminder":
                return ConsultationReminder(number, moment, offset)
            return PlanReminder(number, moment, offset)
        _time(moment)
        if prefix == "consultation-close":
            return ConsultationClose(number, moment)
        if prefix == "plan-overdue":
            return PlanOverdue(number, moment)
        if prefix == "later":
            return LaterReminder(number, moment)
        if prefix == "conversation-timeout":
            return ConversationTimeout(number, moment)
    except ValueError as error:
        raise JobIdError(job_id) from error
    raise JobIdError(job_id)


def _number(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return int(text)


def _time(text: str) -> None:
    if datetime.fromisoformat(text).tzinfo is None:
        raise ValueError(text)
