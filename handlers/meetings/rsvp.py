"""Answers to an invitation — present, online or excused — by button or command, and their
count. Only someone invited may answer, and only before the meeting."""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import Context, UserError
from handlers.meetings.invitees import kind_invites
from handlers.meetings.lookup import meeting_number, require_future
from handlers.meetings.wording import full_line
from handlers.router import Request
from handlers.types import Button, Message, Reply
from storage.models import Meeting, Rsvp

RSVP_CHOICES = ("present", "online", "excused")


def rsvp_buttons(ctx: Context, lang: str, meeting: Meeting) -> list[Button]:
    return [Button(f"rsvp.{choice}", str(meeting.id), ctx.t(lang, f"rsvp.button.{choice}"),
                   hint=f"{ctx.t(lang, f'cmd.rsvp_{choice}.name')} {meeting.id}",
                   style="primary" if choice == "present" else None)
            for choice in RSVP_CHOICES]


def tally(ctx: Context, meeting: Meeting) -> dict[str, int]:
    counts = dict.fromkeys(RSVP_CHOICES, 0)
    for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
        counts[rsvp.status] += 1
    return counts


def _answer(req: Request, meeting: Meeting, choice: str) -> Message:
    ctx, member = req.ctx, req.member
    assert member is not None
    invited = (member.id in meeting.invited if meeting.invited is not None
               else kind_invites(ctx, meeting, member))
    if not invited:
        raise UserError("rsvp.not_invited", number=meeting.id)
    require_future(req, meeting)
    previous = ctx.store.rsvps.get(meeting.id, member.id)
    if previous is None or previous.status != choice:
        ctx.store.rsvps.save(Rsvp(id=f"{meeting.id}:{member.id}", meeting_id=meeting.id,
                                  member_id=member.id, agency=member.agency, status=choice,
                                  at=ctx.now_iso()))
    return Message(paragraphs=[req.t(f"rsvp.done.{choice}", number=meeting.id,
                                     line=full_line(ctx, req.lang, meeting))])


def rsvp_command(choice: str) -> Callable[[Request], Message]:
    def handler(req: Request) -> Message:
        return _answer(req, meeting_number(req, req.args), choice)
    handler.__doc__ = f"``{choice} <n°>``: answer an invite."
    return handler


def rsvp_click(choice: str) -> Callable[[Request, str], Message | Reply]:
    def handler(req: Request, value: str) -> Message:
        return _answer(req, meeting_number(req, value), choice)
    return handler
