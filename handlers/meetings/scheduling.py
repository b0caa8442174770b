"""``réunion <quand>`` and its kinds (Executive Committee, annual, a working group's): one
meeting created and its invitations sent to everyone its kind invites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers import groups
from handlers.channel_cards import meeting_card
from handlers.context import UserError
from handlers.meetings.invitations import invite, invite_message
from handlers.meetings.invitees import eligible
from handlers.meetings.times import DEFAULT_DURATION, read_time_range, stored_time
from handlers.meetings.wording import full_line, kind_label
from handlers.router import Request
from handlers.types import Message
from handlers.when_text import reading_lines
from scheduler.when import Reading
from storage.models import Meeting
from storage.parts import AgendaItem


@dataclass(frozen=True)
class Asked:
    """A meeting as typed and read, nothing created yet: its kind, when, and its group."""

    kind: str
    reading: Reading
    group: str | None = None

    @property
    def start(self) -> datetime:
        return self.reading.start

    @property
    def end(self) -> datetime:
        return self.reading.end or self.reading.start + DEFAULT_DURATION


def read_meeting(req: Request, kind: str) -> Asked:
    """``réunion [exco|annuelle|groupe <nom>] <quand>`` read and checked, without creating
    anything: a group's name is the longest leading words that name one, and its chairs may
    convene it, as may the co-chairs and the secretariat."""
    if kind != "group":
        return Asked(kind, read_time_range(req, req.args))
    found = groups.leading_group(req.ctx, req.args)
    if found is None or not found[1]:
        raise UserError("meeting.unknown_group", groups=groups.group_names(req.ctx),
                        name=req.name)
    group, when_text = found
    groups.require_group_lead(req, group)
    return Asked(kind, read_time_range(req, when_text), group.name)


def _create(req: Request, kind: str) -> Message:
    asked = read_meeting(req, kind)
    return create_meeting(req, kind, asked.start, asked.end, group=asked.group,
                          extra=reading_lines(req.ctx, req.lang, asked.reading))


def create_meeting(req: Request, kind: str, start: datetime, end: datetime, *,
                   group: str | None = None, place: str = "", link: str | None = None,
                   agenda: list[str] | None = None, extra: list[str] | None = None) -> Message:
    """One meeting stored and its invitations sent (typed on one line, or chosen in a form);
    ``extra`` lines tell how the time was read."""
    ctx = req.ctx
    now = ctx.now_iso()
    by = req.member.id if req.member else ""
    meeting = ctx.store.meetings.add(lambda n: Meeting(
        id=n, kind=kind, start=stored_time(start), end=stored_time(end), group=group,
        place=place, link=link or None,
        agenda=[AgendaItem(text=text, by=by, at=now) for text in agenda or []],
        created_by=by, created_at=now, updated_at=now))
    sent = invite(ctx, [meeting], eligible(ctx, meeting),
                  f"meeting:{meeting.id}:invite:{meeting.sequence}",
                  lambda lang: invite_message(ctx, lang, meeting, "meeting.invite_title"))
    meeting_card.scheduled(ctx, meeting)
    return Message(
        title=req.t("meeting.scheduled", kind=kind_label(ctx, req.lang, meeting),
                    number=meeting.id),
        paragraphs=[full_line(ctx, req.lang, meeting), *(extra or []),
                    req.t("meeting.invites_sent", count=sent)])


def schedule_network(req: Request) -> Message:
    """``réunion <quand>``: a network meeting at the Maison Commune."""
    return _create(req, "network")


def schedule_executive(req: Request) -> Message:
    return _create(req, "executive")


def schedule_annual(req: Request) -> Message:
    return _create(req, "annual")


def schedule_group(req: Request) -> Message:
    """``réunion groupe <nom> <quand>``: the group's meeting (see ``read_meeting``)."""
    return _create(req, "group")
