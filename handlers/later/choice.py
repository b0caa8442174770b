"""The taps of « Plus tard »: which moment, then the reminder kept in storage
(``storage/laters.py``), from which the schedule derives its job."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.consultations.seats import consulted_agencies
from handlers.context import Context, UserError
from handlers.later.buttons import KINDS
from handlers.meetings.choices import invited
from handlers.router import Request
from handlers.types import Button, Message
from storage.models import FOCAL_POINT, Member
from storage.records import to_iso

IN_HOURS = 4
MORNING = 9  # « demain » is tomorrow at this hour, in the network's zone
MOMENTS = ("hours", "tomorrow")


def moment(ctx: Context, which: str) -> datetime:
    """When « dans 4 heures » or « demain 9:00 » falls, from now."""
    now = ctx.now()
    if which == "hours":
        return now + timedelta(hours=IN_HOURS)
    local = now.astimezone(ZoneInfo(ctx.network.timezone)) + timedelta(days=1)
    return local.replace(hour=MORNING, minute=0, second=0, microsecond=0)


def _target(req: Request, value: str) -> tuple[str, int, datetime]:
    """The card a value names (``<kind>.<n°>``) and until when a reminder of it makes sense;
    ``UserError`` if it is not this person's to answer (any more)."""
    kind, _, number = value.partition(".")
    if kind not in KINDS or not number.isdigit():
        raise UserError("error.unknown_action")
    ctx, member = req.ctx, req.member
    assert member is not None
    if kind == "poll":
        consultation = ctx.store.consultations.get(int(number))
        if consultation is None:
            raise UserError("poll.not_found", number=int(number))
        if consultation.status != "open" or consultation.deadline <= ctx.now_iso():
            raise UserError("poll.closed", number=consultation.id)
        if not _consulted(ctx, member, consultation.id):
            raise UserError("poll.not_focal_point")
        return kind, consultation.id, datetime.fromisoformat(consultation.deadline)
    meeting = ctx.store.meetings.get(int(number))
    if meeting is None:
        raise UserError("meeting.not_found", number=int(number))
    if not invited(ctx, meeting, member):
        raise UserError("rsvp.not_invited", number=meeting.id)
    start = datetime.fromisoformat(meeting.start)
    if meeting.status != "scheduled" or start <= ctx.now():
        raise UserError("meeting.past", number=meeting.id)
    return kind, meeting.id, start


def _consulted(ctx: Context, member: Member, number: int) -> bool:
    consultation = ctx.store.consultations.get(number)
    return (consultation is not None and FOCAL_POINT in member.roles
            and member.agency in {a.code for a in consulted_agencies(ctx, consultation)})


def later_click(req: Request, value: str) -> Message:
    """« Plus tard » tapped: in four hours, or tomorrow morning?"""
    kind, number, _ = _target(req, value)
    return Message(paragraphs=[req.t("later.when_question")],
                   buttons=[Button("later.set", f"{kind}.{number}.{which}",
                                   req.t(f"later.moment.{which}", hours=IN_HOURS,
                                         time=f"{MORNING}:00"))
                            for which in MOMENTS])


def later_set_click(req: Request, value: str) -> Message:
    """A moment chosen: the reminder is kept (replacing one this person set for the card)."""
    card, _, which = value.rpartition(".")
    if which not in MOMENTS:
        raise UserError("error.unknown_action")
    kind, number, until = _target(req, card)
    due = moment(req.ctx, which)
    if due >= until:
        raise UserError("later.too_late", when=req.ctx.when(req.lang, until))
    assert req.member is not None
    req.ctx.store.later.replace(req.member.id, kind, number, to_iso(due), req.ctx.now_iso())
    return Message(paragraphs=[req.t("later.kept", when=req.ctx.when(req.lang, due))])
