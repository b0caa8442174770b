"""Scheduled jobs: their kinds, their ids, and what is due when — and why each runs once, across
restarts and crashes.

**Kinds.** Each kind of job is a small frozen dataclass (``kinds.py``): ``MeetingReminder``,
``ConsultationReminder``, ``ConsultationClose``, ``Digest``, ``PlanReminder``, ``PlanOverdue``,
``LaterReminder`` (a person's « Plus tard »), ``ConversationTimeout`` (a guided conversation
left untouched), ``MailCheck`` (the mailbox read for calendar
replies, every few minutes, while ``IMAP_URL`` is set; never marked done).
A job names the record it is about and the version of it it was derived from (a meeting's
start, a consultation's deadline, an action's due date). ``encode`` turns a job into its id and
``decode`` reads an id back; nothing else builds or splits that text. ``bot/app.py`` maps each
kind to the handler that does the work, and the handler receives the typed job.

**Derived, never stored.** APScheduler keeps its jobs in memory only. At start-up the whole
schedule is derived from storage (``schedule.all_jobs``): the meetings to come, the open
consultations, the followed workplan actions, the next digest, the « Plus tard » reminders
waiting (``storage/laters.py``). Afterwards, the store reports which of those records a
transaction changed (``store.changes.take()``), and only their jobs are
derived again (``schedule.jobs_of``); a click that changes none of them costs the schedule
nothing. A job's id comes from storage alone, so a restart derives the very same ids.

**Done once.** A job's handler first checks that its work is still wanted (the meeting still
at that start, the consultation still open with that deadline, the job id not in
``store.jobs_done``), then queues its messages in the outbox and marks its id in
``store.jobs_done`` (``storage/jobs_done.py``) — and the earlier reminders it makes moot as
skipped. ``BotApp.run_job`` runs the handler as one storage transaction: the queued messages
and the mark are one journal line, written whole or not at all. The dispatcher sends nothing
before that line is on disk (``Store.durable``). A marked job is never derived again. So:

- a crash before the line is on disk loses the work and the mark together, and nothing was
  sent: the next start derives the job again and runs it (late: see below);
- a crash after it leaves the mark and the queued messages: the job is not derived again, and
  the dispatcher delivers what is still pending, each target recorded as it is reached, so no
  one gets a message twice;
- the outbox keys messages by ``<job id>:<recipient>``: work that runs twice anyway (the same
  job derived again before its mark, a handler that failed half-way and is retried) queues no
  second message.

**Late and failing.** A job that fell due while the bot was down runs at start-up (of a
meeting's or consultation's missed reminders only the latest); one more than ``[jobs]
late_grace`` late is logged and told to the secretariat once (mark ``late:<job id>``). A job
that raises is recorded in ``store.job_failures`` (``scheduler/retries.py``) and derived again
for its next attempt, 1, 2, 4 … minutes later; after ``[jobs] attempts`` failures it is given
up, left out of the schedule for good, and the secretariat is told once.
"""

from scheduler.jobs.kinds import (
    DIGEST_SOURCE,
    KINDS,
    ConsultationClose,
    ConsultationReminder,
    ConversationTimeout,
    Digest,
    Job,
    JobIdError,
    LaterReminder,
    MailCheck,
    MeetingReminder,
    PlanOverdue,
    PlanReminder,
    Source,
    decode,
    encode,
)
from scheduler.jobs.schedule import (
    INSTALLED,
    JobSpec,
    Rules,
    all_jobs,
    digest_slots,
    jobs_of,
    sources,
)

__all__ = [
    "DIGEST_SOURCE", "INSTALLED", "KINDS", "ConsultationClose", "ConsultationReminder", "Digest",
    "Job", "JobIdError", "JobSpec", "LaterReminder", "MeetingReminder", "PlanOverdue",
    "PlanReminder", "Rules", "Source", "all_jobs", "decode", "digest_slots", "encode",
    "jobs_of", "sources",
    "ConversationTimeout",
    "MailCheck",
]
