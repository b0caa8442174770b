"""The scheduled job ``consultation.reminder``: before the deadline, the focal points of the
agencies that have not answered get the proposal and its buttons again."""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.seats import consulted_agencies, consulted_people
from handlers.consultations.sending import ask
from handlers.context import Context
from scheduler.jobs import ConsultationReminder, encode


def send_reminder(ctx: Context, job: ConsultationReminder) -> int:
    """The job ``consultation.reminder``: the focal points of agencies that have not answered,
    and only those, get the proposal and the buttons again."""
    consultation = ctx.store.consultations.get(job.consultation_id)
    if consultation is None:
        return 0
    job_id = encode(job)
    if (consultation.status != "open" or consultation.deadline != job.deadline
            or datetime.fromisoformat(job.deadline) <= ctx.now()
            or job_id in ctx.store.jobs_done):
        return 0
    answered = ctx.store.positions.current(consultation.id)
    people = consulted_people(ctx, consultation, [a.code for a in consulted_agencies(
        ctx, consultation) if a.code not in answered])  # an empty seat may have been filled
    sent = ask(ctx, consultation, people, job_id, "poll.reminder_title")
    for other in ctx.network.consultation_reminders:
        if other >= job.offset:
            ctx.store.jobs_done.mark(
                encode(ConsultationReminder(consultation.id, consultation.deadline, other)),
                ctx.now_iso(), "sent" if other == job.offset else "skipped")
    return sent
