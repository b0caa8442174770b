"""The job ``later.reminder``: at the moment a person chose, the card they put off comes back
to them — unless the answer it waited for was given meanwhile (their agency's position, their
own answer to the invitation) or it no longer matters (closed, past). Once either way."""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.wording import proposal_message
from handlers.context import Context
from handlers.meetings.choices import invited
from handlers.meetings.invitations import invite_message
from scheduler.jobs import LaterReminder, encode
from storage.laters import DONE, WAITING, Later
from storage.models import Member


def send_later(ctx: Context, job: LaterReminder) -> bool:
    """Remind the person of their card, if still wanted; the reminder is done either way."""
    later = ctx.store.later.get(job.later_id)
    job_id = encode(job)
    if (later is None or later.status != WAITING or later.due != job.due
            or job_id in ctx.store.jobs_done):
        return False
    member = ctx.store.members.get(later.member_id)
    sent = member is not None and member.active and _remind(ctx, later, member, job_id)
    later.status = DONE
    ctx.store.later.save(later)
    ctx.store.jobs_done.mark(job_id, ctx.now_iso(), "sent" if sent else "skipped")
    return sent


def _remind(ctx: Context, later: Later, member: Member, key: str) -> bool:
    now = ctx.now()
    if later.kind == "poll":
        consultation = ctx.store.consultations.get(later.ref)
        if (consultation is None or consultation.status != "open"
                or datetime.fromisoformat(consultation.deadline) <= now
                or member.agency in ctx.store.positions.current(consultation.id)):
            return False
        return ctx.send_to_member(member, key, lambda lang: proposal_message(
            ctx, lang, consultation, "later.poll_title"),
            until=datetime.fromisoformat(consultation.deadline))
    meeting = ctx.store.meetings.get(later.ref)
    if (meeting is None or meeting.status != "scheduled"
            or datetime.fromisoformat(meeting.start) <= now
            or not invited(ctx, meeting, member)
            or ctx.store.rsvps.get(meeting.id, member.id) is not None):
        return False
    return ctx.send_to_member(member, key, lambda lang: invite_message(
        ctx, lang, meeting, "later.meeting_title"),
        until=datetime.fromisoformat(meeting.start))
