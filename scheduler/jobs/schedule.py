"""What is due when, derived from storage one source at a time: a meeting's reminders, a
consultation's reminders and closing, a workplan action's follow-ups, the next digest."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.jobs.kinds import (
    DIGEST_SOURCE,
    MAIL_SOURCE,
    ConsultationClose,
    ConsultationReminder,
    ConversationTimeout,
    Digest,
    Job,
    LaterReminder,
    MailCheck,
    MeetingReminder,
    PlanOverdue,
    PlanReminder,
    Source,
    encode,
)
from storage.conversations import IDLE_LIMIT, OPEN, Conversation
from storage.laters import WAITING, Later
from storage.models import Consultation, Meeting, PlanAction
from storage.records import to_iso
from storage.store import Store

INSTALLED = "bot:installed"  # the first start's mark: a fresh install owes no past digest
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FOLLOWED = ("planned", "in_progress", "postponed")  # workplan statuses still followed up


@dataclass(frozen=True, order=True)
class JobSpec:
    """One job to run: when, its stable id (``encode(job)``), and the typed job.

    ``due`` is when the work was meant to happen, when that is earlier than ``run_at`` (missed
    while the bot was down, put off after a failure): how late it runs is measured from it.
    """

    run_at: datetime
    id: str
    job: Job = field(compare=False)
    due: datetime | None = field(default=None, compare=False)

    @classmethod
    def of(cls, job: Job, run_at: datetime, due: datetime | None = None) -> JobSpec:
        return cls(run_at, encode(job), job, due)

    @property
    def kind(self) -> str:
        return self.job.kind

    @property
    def source(self) -> Source:
        return self.job.source

    @property
    def due_at(self) -> datetime:
        return self.due or self.run_at


@dataclass(frozen=True)
class Rules:
    """The network's settings the schedule depends on."""

    meeting_offsets: tuple[timedelta, ...]
    consultation_offsets: tuple[timedelta, ...]
    plan_offsets: tuple[timedelta, ...]
    digest: str  # ``mon 08:00`` (weekly) or ``daily 08:00``
    timezone: str
    mail_every: timedelta | None = None  # how often the mailbox is read (``IMAP_URL`` set)


def parse_time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def offset_reminders(target: datetime, told: datetime, offsets: Iterable[timedelta],
                     job_of: type, number: int, version: str, done: Container[str],
                     now: datetime) -> list[JobSpec]:
    """Reminders at each offset before ``target`` (``job_of(number, version, offset)``).

    One due before people were last told (``told``) is moot. Of those that fell due while the
    bot was down, only the latest is kept, to run now: people get one reminder on start-up, not
    three.
    """
    specs: list[JobSpec] = []
    missed: JobSpec | None = None
    for offset in sorted(offsets, reverse=True):
        run_at = target - offset
        spec = JobSpec.of(job_of(number, version, offset), run_at)
        if run_at <= told or spec.id in done:
            continue
        if run_at <= now:
            missed = JobSpec(now, spec.id, spec.job, due=run_at)
        else:
            specs.append(spec)
    return specs + ([missed] if missed else [])


def meeting_jobs(meeting: Meeting | None, rules: Rules, done: Container[str],
                 now: datetime) -> list[JobSpec]:
    """The reminders of a meeting still to come (none for a cancelled or past one)."""
    if meeting is None or meeting.status != "scheduled":
        return []
    start = parse_time(meeting.start)
    if start <= now:
        return []
    told = parse_time(meeting.updated_at or meeting.created_at or meeting.start)
    return offset_reminders(start, told, rules.meeting_offsets, MeetingReminder, meeting.id,
                            meeting.start, done, now)


def consultation_jobs(consultation: Consultation | None, rules: Rules, done: Container[str],
                      now: datetime) -> list[JobSpec]:
    """Reminders to the silent before an open consultation's deadline, and its closing."""
    if consultation is None or consultation.status != "open":
        return []
    deadline = parse_time(consultation.deadline)
    close = ConsultationClose(consultation.id, consultation.deadline)
    specs = [] if encode(close) in done else [JobSpec.of(close, deadline)]
    if deadline <= now:
        return specs
    told = parse_time(consultation.told_at or consultation.opened_at)
    return specs + offset_reminders(deadline, told, rules.consultation_offsets,
                                    ConsultationReminder, consultation.id,
                                    consultation.deadline, done, now)


def action_jobs(action: PlanAction | None, rules: Rules, done: Container[str],
                now: datetime) -> list[JobSpec]:
    """Reminders to the lead agency before an open action's due date, and one request for an
    update the day after it passed; each step once."""
    if action is None or action.status not in FOLLOWED:
        return []
    due = parse_time(action.due)
    overdue = PlanOverdue(action.id, action.due)
    specs = [] if encode(overdue) in done else [
        JobSpec.of(overdue, due + timedelta(days=1))]
    if due <= now:
        return specs
    told = parse_time(action.updated_at or action.created_at)
    return specs + offset_reminders(due, told, rules.plan_offsets, PlanReminder, action.id,
                                    action.due, done, now)


def later_jobs(later: Later | None, done: Container[str], now: datetime) -> list[JobSpec]:
    """A person's « Plus tard » reminder, once: at its moment, or now if that passed."""
    if later is None or later.status != WAITING:
        return []
    job = LaterReminder(later.id, later.due)
    due = parse_time(later.due)
    if encode(job) in done:
        return []
    return [JobSpec.of(job, due) if due > now else JobSpec.of(job, now, due=due)]


def conversation_jobs(conversation: Conversation | None, done: Container[str],
                      now: datetime) -> list[JobSpec]:
    """An open guided conversation's closing, ``IDLE_LIMIT`` after its last answer (now, if
    that passed while the bot was down)."""
    if conversation is None or conversation.status != OPEN:
        return []
    job = ConversationTimeout(conversation.id, conversation.updated_at)
    due = parse_time(conversation.updated_at) + IDLE_LIMIT
    if encode(job) in done:
        return []
    return [JobSpec.of(job, due) if due > now else JobSpec.of(job, now, due=due)]


def digest_slots(schedule: str, tz: str, now: datetime) -> tuple[datetime, datetime]:
    """The last scheduled moment at or before ``now`` and the next one after it, for a
    schedule like ``mon 08:00`` (weekly) or ``daily 08:00``."""
    day, clock = schedule.split()
    hour, minute = (int(x) for x in clock.split(":"))
    local = now.astimezone(ZoneInfo(tz))
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    step = timedelta(days=1)
    if day != "daily":
        step = timedelta(days=7)
        slot -= timedelta(days=(slot.weekday() - WEEKDAYS.index(day)) % 7)
    if slot > local:
        slot -= step
    return slot, slot + step


def digest_jobs(rules: Rules, installed: str | None, done: Container[str],
                now: datetime) -> list[JobSpec]:
    """The next digest, and the last one if it fell due while the bot was down (not before the
    bot was first installed: a fresh install owes nobody a digest)."""
    last, upcoming = digest_slots(rules.digest, rules.timezone, now)
    specs = [JobSpec.of(Digest(upcoming.date()), upcoming)]
    missed = Digest(last.date())
    if installed and parse_time(installed) < last and encode(missed) not in done:
        specs.insert(0, JobSpec.of(missed, now, due=last))
    return specs


def mail_jobs(rules: Rules, now: datetime) -> list[JobSpec]:
    """The next reading of the mailbox: the first multiple of ``mail_every`` (counted from
    the epoch) more than a second after ``now`` — never one in the past, so a restart owes no
    missed reading, and a job woken a little early does not find its own time again."""
    if not rules.mail_every:
        return []
    step = rules.mail_every.total_seconds()
    at = datetime.fromtimestamp(((now.timestamp() + 1) // step + 1) * step, tz=now.tzinfo)
    return [JobSpec.of(MailCheck(to_iso(at)), at)]


def jobs_of(store: Store, source: Source, rules: Rules, now: datetime) -> list[JobSpec]:
    """The jobs one source gives, from what storage holds now."""
    kind, number = source
    done = store.jobs_done
    if kind == "meeting":
        return meeting_jobs(store.meetings.get(number), rules, done, now)
    if kind == "consultation":
        return consultation_jobs(store.consultations.get(number), rules, done, now)
    if kind == "plan":
        return action_jobs(store.plan.get(number), rules, done, now)
    if kind == "later":
        return later_jobs(store.later.get(number), done, now)
    if kind == "conversation":
        return conversation_jobs(store.conversations.get(number), done, now)
    if source == DIGEST_SOURCE:
        return digest_jobs(rules, done.done_at(INSTALLED), done, now)
    if source == MAIL_SOURCE:
        return mail_jobs(rules, now)
    raise ValueError(f"unknown source {source!r}")


def sources(store: Store, now: datetime) -> list[Source]:
    """Every source that may give a job now: the meetings to come, the open consultations, the
    followed workplan actions, the « Plus tard » reminders waiting, the digest. Read through
    indexes: what is closed or past costs nothing."""
    return ([("meeting", m.id) for m in store.meetings.upcoming(to_iso(now))]
            + [("consultation", c.id) for c in store.consultations.open()]
            + [("plan", a.id) for a in store.plan.open()]
            + [("later", later.id) for later in store.later.waiting()]
            + [("conversation", c.id) for c in store.conversations.open()]
            + [DIGEST_SOURCE]
            + [MAIL_SOURCE])


def all_jobs(store: Store, rules: Rules, now: datetime) -> dict[Source, list[JobSpec]]:
    """The whole schedule, by source (start-up)."""
    return {source: jobs_of(store, source, rules, now) for source in sources(store, now)}
