"""The scheduled job ``meeting.reminder``: invitees who have not declined are reminded, with the
agenda, at each of the network's reminder offsets before the meeting."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_timedelta

from handlers.context import Context
from handlers.meetings.invitees import invitees
from handlers.meetings.rsvp import rsvp_buttons
from handlers.meetings.wording import details, kind_label
from handlers.types import Message
from scheduler.jobs import MeetingReminder, encode


def send_reminder(ctx: Context, job: MeetingReminder) -> int:
    """The job ``meeting.reminder``: remind invitees who have not declined, with the agenda.

    The job id is marked done after the messages are queued (their keys make a rerun harmless),
    together with the earlier offsets, which a late start-up made moot.
    """
    meeting = ctx.store.meetings.get(job.meeting_id)
    if meeting is None:
        return 0
    job_id = encode(job)
    start = datetime.fromisoformat(meeting.start)
    if (meeting.status != "scheduled" or meeting.start != job.start or start <= ctx.now()
            or job_id in ctx.store.jobs_done):
        return 0
    declined = {r.member_id for r in ctx.store.rsvps.of_meeting(meeting.id)
                if r.status == "excused"}
    people = [m for m in invitees(ctx, meeting) if m.id not in declined]

    def build(lang: str) -> Message:
        delay = format_timedelta(start - ctx.now(), threshold=1.1, add_direction=True,
                                 locale=lang)
        return Message(title=ctx.t(lang, "meeting.reminder_title",
                                   kind=kind_label(ctx, lang, meeting), number=meeting.id,
                                   delay=delay),
                       paragraphs=details(ctx, lang, meeting),
                       buttons=rsvp_buttons(ctx, lang, meeting))

    sent = ctx.send_to_members(people, job_id, build, until=start)
    for other in ctx.network.meeting_reminders:
        if other >= job.offset:
            ctx.store.jobs_done.mark(encode(MeetingReminder(meeting.id, meeting.start, other)),
                                     ctx.now_iso(), "sent" if other == job.offset else "skipped")
    return sent
