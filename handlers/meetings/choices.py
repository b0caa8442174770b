"""The meetings a command may mean when no number is typed (``handlers.choosing``): for an
answer, the next meeting the person is invited to (and those within a week of it, offered as
buttons); for a lead's change, every meeting still to come; for reading, those the person is
invited to."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.choosing import Candidate, choose, numbered
from handlers.context import Context
from handlers.meetings.invitees import kind_invites
from handlers.meetings.lookup import meeting_number
from handlers.meetings.wording import full_line, kind_label
from handlers.roles import LEADS
from handlers.router import Request
from storage.models import Meeting, Member

# Meetings this close to the next one are offered with it: « présent » alone could mean any.
ANSWER_WINDOW = timedelta(days=7)


def invited(ctx: Context, meeting: Meeting, member: Member) -> bool:
    return (member.id in meeting.invited if meeting.invited is not None
            else kind_invites(ctx, meeting, member))


def coming(ctx: Context) -> list[Meeting]:
    """Scheduled meetings that have not started, soonest first."""
    now = ctx.now()
    return [m for m in ctx.store.meetings.upcoming(ctx.now_iso())
            if datetime.fromisoformat(m.start) > now]


def to_answer(req: Request) -> list[Meeting]:
    """The next meeting ``req``'s person is invited to, and those starting within
    ``ANSWER_WINDOW`` of it."""
    member = req.member
    mine = [m for m in coming(req.ctx) if member is not None and invited(req.ctx, m, member)]
    if not mine:
        return []
    until = datetime.fromisoformat(mine[0].start) + ANSWER_WINDOW
    return [m for m in mine if datetime.fromisoformat(m.start) <= until]


def to_manage_or_read(req: Request) -> list[Meeting]:
    """A lead's: every meeting to come; anyone else's: those they are invited to."""
    meetings = coming(req.ctx)
    if req.roles & LEADS or req.member is None:
        return meetings
    return [m for m in meetings if invited(req.ctx, m, req.member)]


def candidate(ctx: Context, lang: str, meeting: Meeting) -> Candidate:
    start = datetime.fromisoformat(meeting.start)
    return Candidate(meeting.id, ctx.t(lang, "pick.meeting_label", number=meeting.id,
                                       date=ctx.catalog.date(lang, start, ctx.network.timezone),
                                       time=ctx.catalog.time(lang, start, ctx.network.timezone)),
                     ctx.t(lang, "pick.meeting_line", number=meeting.id,
                           kind=kind_label(ctx, lang, meeting),
                           line=full_line(ctx, lang, meeting)))


def choose_meeting(req: Request, meetings: list[Meeting]) -> tuple[Meeting, str]:
    """The meeting typed first in ``req.args``, else the one of ``meetings`` (or an offer of
    them); and the words after the number."""
    typed, rest = numbered(req.args)
    if typed:
        return meeting_number(req, typed), rest
    number = choose(req, [candidate(req.ctx, req.lang, m) for m in meetings], rest,
                    "pick.no_meeting")
    return meeting_number(req, str(number)), rest


def split_number(req: Request) -> tuple[Meeting, str]:
    """For a command on a meeting (« réunion déplacer [n°] <quand> »): the meeting and the rest."""
    return choose_meeting(req, to_manage_or_read(req))
