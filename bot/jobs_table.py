"""What each kind of scheduled job does, and which stored records jobs are derived from.

``scheduler/`` computes when a job is due; ``handlers/`` do its work, given the typed job;
``BotApp.run_job`` looks the handler up here, and ``BotApp.follow_changes`` asks
``source_of`` which jobs a changed record's must be derived again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers import calendar_replies, digest, workplan
from handlers.consultations import closing
from handlers.consultations import reminders as consultation_reminders
from handlers.context import Context
from handlers.flows import timeout as flow_timeout
from handlers.later import firing as later_firing
from handlers.meetings import reminders as meeting_reminders
from scheduler.jobs import (
    ConsultationClose,
    ConsultationReminder,
    ConversationTimeout,
    Digest,
    JobIdError,
    LaterReminder,
    MailCheck,
    MeetingReminder,
    PlanOverdue,
    PlanReminder,
    Source,
    decode,
)

# What each kind of scheduled job does (scheduler/ computes when; handlers/ do the work, given
# the typed job).
JOB_HANDLERS: dict[type, Callable[[Context, Any], object]] = {
    MeetingReminder: meeting_reminders.send_reminder,
    ConsultationReminder: consultation_reminders.send_reminder,
    ConsultationClose: closing.close_job,
    Digest: digest.send_scheduled,
    PlanReminder: workplan.send_reminder,
    PlanOverdue: workplan.send_overdue,
    LaterReminder: later_firing.send_later,
    ConversationTimeout: flow_timeout.close_idle,
    MailCheck: calendar_replies.no_mailbox,  # the reading itself: bot/mail_replies.py
}
# The collections the schedule is derived from, and the source each of their records is.
SOURCES = {"meetings": "meeting", "consultations": "consultation", "plan": "plan",
           "later": "later", "conversations": "conversation"}


def source_of(collection: str, record_id: object) -> Source | None:
    """The source of jobs a changed record belongs to: a meeting, a consultation or an action
    itself; for a job's mark or failure, the job's own source (``None`` for other marks)."""
    if collection in SOURCES and isinstance(record_id, int):
        return (SOURCES[collection], record_id)
    if isinstance(record_id, str):
        try:
            return decode(record_id).source
        except JobIdError:
            return None
    return None
