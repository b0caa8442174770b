"""What the bot must do when: derived from storage, never stored in APScheduler itself."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.models import Consultation, Meeting, PlanAction
from storage.records import to_iso
from storage.store import Store


@dataclass(frozen=True, order=True)
class JobSpec:
    """One job: a stable id (the same after a restart), when, what kind, and what it is about.

    A job whose work is done is recorded in ``store.jobs_done`` under ``id`` and never listed
    again. ``kind`` names the handler ``bot/app.py`` calls with ``ref``. ``due`` is when the
    work was meant to happen, when that is earlier than ``run_at`` (missed while the bot was
    down, put off after a failure): how late it runs is measured from it.
    """

    run_at: datetime
    id: str
    kind: str
    ref: str
    due: datetime | None = field(default=None, compare=False)

    @property
    def due_at(self) -> datetime:
        return self.due or self.run_at


def parse_time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def meeting_reminder_id(meeting: Meeting, offset: timedelta) -> str:
    """Tied to the meeting's start: moving a meeting arms its reminders afresh."""
    return f"meeting-reminder:{meeting.id}:{meeting.start}:{int(offset.total_seconds())}"


def consultation_reminder_id(consultation: Consultation, offset: timedelta) -> str:
    """Tied to the deadline: extending a consultation arms its reminders afresh."""
    return (f"consultation-reminder:{consultation.id}:{consultation.deadline}:"
            f"{int(offset.total_seconds())}")


def consultation_close_id(consultation: Consultation) -> str:
    return f"consultation-close:{consultation.id}:{consultation.deadline}"


def offset_reminders(kind: str, target: datetime, told: datetime, offsets: Iterable[timedelta],
                     job_id: Callable[[timedelta], str], ref: str, done: Container[str],
                     now: datetime) -> list[JobSpec]:
    """Reminders at each offset before ``target``.

    One due before people were last told (``told``) is moot. Of those that fell due while the
    bot was down, only the latest is kept, to run now: people get one reminder on start-up, not
    three.
    """
    specs: list[JobSpec] = []
    missed: JobSpec | None = None
    for offset in sorted(offsets, reverse=True):
        run_at = target - offset
        spec_id = job_id(offset)
        if run_at <= told or spec_id in done:
            continue
        spec = JobSpec(run_at, spec_id, kind, f"{ref}|{int(offset.total_seconds())}")
        if run_at <= now:
            missed = JobSpec(now, spec.id, spec.kind, spec.ref, due=run_at)
        else:
            specs.append(spec)
    return specs + ([missed] if missed else [])


def meeting_reminder_specs(store: Store, offsets: tuple[timedelta, ...],
                           now: datetime) -> list[JobSpec]:
    """Reminders of upcoming meetings."""
    specs: list[JobSpec] = []
    for meeting in store.meetings.upcoming(to_iso(now)):
        start = parse_time(meeting.start)
        if start <= now:
            continue
        told = parse_time(meeting.updated_at or meeting.created_at or meeting.start)
        specs += offset_reminders(
            "meeting.reminder", start, told, offsets,
            lambda offset, m=meeting: meeting_reminder_id(m, offset),
            f"{meeting.id}|{meeting.start}", store.jobs_done, now)
    return sorted(specs)


def consultation_specs(store: Store, offsets: tuple[timedelta, ...],
                       now: datetime) -> list[JobSpec]:
    """Reminders to the silent before each open consultation's deadline, and its closing."""
    specs: list[JobSpec] = []
    for consultation in store.consultations.open():
        deadline = parse_time(consultation.deadline)
        close_id = consultation_close_id(consultation)
        if close_id not in store.jobs_done:
            specs.append(JobSpec(deadline, close_id, "consultation.close",
                                 f"{consultation.id}|{consultation.deadline}"))
        if deadline <= now:
            continue
        told = parse_time(consultation.told_at or consultation.opened_at)
        specs += offset_reminders(
            "consultation.reminder", deadline, told, offsets,
            lambda offset, c=consultation: consultation_reminder_id(c, offset),
            f"{consultation.id}|{consultation.deadline}", store.jobs_done, now)
    return sorted(specs)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INSTALLED = "bot:installed"


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


def digest_specs(store: Store, schedule: str, tz: str, now: datetime) -> list[JobSpec]:
    """The next digest, and the last one if it fell due while the bot was down (not before the
    bot was first installed: a fresh install owes nobody a digest)."""
    last, upcoming = digest_slots(schedule, tz, now)
    installed = store.jobs_done.done_at(INSTALLED)
    specs = [JobSpec(upcoming, f"digest:{upcoming.date().isoformat()}", "digest",
                     upcoming.date().isoformat())]
    last_id = f"digest:{last.date().isoformat()}"
    if installed and parse_time(installed) < last and last_id not in store.jobs_done:
        specs.insert(0, JobSpec(now, last_id, "digest", last.date().isoformat(), due=last))
    return specs


def plan_reminder_id(action: PlanAction, offset: timedelta) -> str:
    return f"plan-reminder:{action.id}:{action.due}:{int(offset.total_seconds())}"


def plan_overdue_id(action: PlanAction) -> str:
    return f"plan-overdue:{action.id}:{action.due}"


def plan_specs(store: Store, offsets: tuple[timedelta, ...], now: datetime) -> list[JobSpec]:
    """Reminders to the lead agency before each open action's due date, and one request for an
    update the day after it passed; each step once."""
    specs: list[JobSpec] = []
    for action in store.plan.all():
        if action.status not in ("planned", "in_progress", "postponed"):
            continue
        due = parse_time(action.due)
        overdue_at = due + timedelta(days=1)
        overdue_id = plan_overdue_id(action)
        if overdue_id not in store.jobs_done:
            specs.append(JobSpec(overdue_at, overdue_id, "plan.overdue",
                                 f"{action.id}|{action.due}"))
        if due <= now:
            continue
        told = parse_time(action.updated_at or action.created_at)
        specs += offset_reminders("plan.reminder", due, told, offsets,
                                  lambda offset, a=action: plan_reminder_id(a, offset),
                                  f"{action.id}|{action.due}", store.jobs_done, now)
    return sorted(specs)
