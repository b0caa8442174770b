"""Opening a consultation: who decides is fixed, the proposal goes to every consulted focal point
and is announced on its channel. ``consultation ouvrir …`` opens a network's or a group's; a
statement's round is opened by ``handlers.statements``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers import groups
from handlers.channel_cards import consultation_card
from handlers.consensus import Seats
from handlers.consultations.deadline import read_deadline
from handlers.consultations.seats import consulted_agencies, consulted_people, seats_for
from handlers.consultations.sending import ask
from handlers.consultations.wording import agency_list, deadline_line, rule_line
from handlers.context import Context, UserError
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Message
from handlers.when_text import reading_lines
from scheduler.when import Reading
from storage.models import Consultation
from storage.records import to_iso

MAX_PROPOSAL = 3000


def deciding_seats(ctx: Context, scope: str, group: str | None, lang: str | None) -> Seats:
    """Who would decide; refused (``UserError``, agencies named in ``lang``) when nobody in the
    deciding body has a focal point: such a consultation could never be decided."""
    seats = seats_for(ctx, scope, group)
    if not seats.deciding:
        raise UserError("poll.nobody_can_answer", agencies=agency_list(
            ctx, lang or ctx.network.language, seats.empty) or "—")
    return seats


def open_consultation(ctx: Context, *, proposal: str, deadline: datetime, mode: str,
                      scope: str, group: str | None, opened_by: str,
                      statement: tuple[int, int] | None = None,
                      lang: str | None = None) -> Consultation:
    """Fix who decides, store the consultation and send the proposal, with the buttons, to
    every consulted focal point; announce it on its channel (none for a statement round).

    Refused (``UserError``, agencies named in ``lang``) when nobody in the deciding body has a
    focal point: such a consultation could never be decided."""
    seats = deciding_seats(ctx, scope, group, lang)
    now = ctx.now_iso()
    consultation = ctx.store.consultations.add(lambda n: Consultation(
        id=n, proposal=proposal, deadline=to_iso(deadline), mode=mode, scope=scope, group=group,
        opened_by=opened_by, opened_at=now, told_at=now,
        statement_id=statement[0] if statement else None,
        statement_version=statement[1] if statement else None,
        deciding=list(seats.deciding), empty_seats=list(seats.empty),
        empty_seat_blocks=seats.empty_seat_blocks))
    ask(ctx, consultation, consulted_people(ctx, consultation), f"poll:{consultation.id}:open",
        "poll.open_title")
    consultation_card.opened(ctx, consultation)
    return consultation


@dataclass(frozen=True)
class Opening:
    """``consultation ouvrir …`` as read: what would be opened (nothing changed yet)."""

    proposal: str
    reading: Reading
    mode: str
    group: str | None


def read_open(req: Request) -> Opening:
    """``consultation ouvrir <proposition> | <échéance> [| silence] [| groupe <nom>]`` read and
    checked (who may open it, the deadline), without changing anything."""
    ctx = req.ctx
    fields = [f.strip() for f in req.args.split("|")]
    proposal = fields[0]
    if not proposal:
        raise UserError("poll.open_usage", name=req.name)
    if len(proposal) > MAX_PROPOSAL:
        raise UserError("error.text_too_long", limit=MAX_PROPOSAL)
    mode, group, deadline_text = "consensus", None, ""
    for extra in fields[1:]:
        folded = fold(extra)
        if folded in ("silence", "tacite", "approbation tacite", "silence procedure"):
            mode = "silence"
        elif folded in ("consensus",):
            mode = "consensus"
        elif folded.split(" ", 1)[0] in ("groupe", "group"):
            found = groups.find_group(ctx, extra.split(None, 1)[1] if " " in extra else "")
            if found is None:
                raise UserError("meeting.unknown_group", name=req.name,
                                groups=groups.group_names(ctx))
            group = found.name
        elif extra:
            deadline_text = extra
    require_may_open(req, group)
    return Opening(proposal, read_deadline(req, deadline_text), mode, group)


def open_command(req: Request) -> Message:
    """``consultation ouvrir <proposition> | <échéance> [| silence] [| groupe <nom>]``."""
    opening = read_open(req)
    return open_typed(req, proposal=opening.proposal, deadline=opening.reading.start,
                      mode=opening.mode, group=opening.group,
                      extra=reading_lines(req.ctx, req.lang, opening.reading))


def require_may_open(req: Request, group: str | None) -> None:
    """The co-chairs and the secretariat consult anyone; a group's chairs their group only."""
    if not req.roles & LEADS:
        found = groups.find_group(req.ctx, group or "")
        if found is None:
            raise UserError("group.scope_needed")
        groups.require_group_lead(req, found)


def open_typed(req: Request, *, proposal: str, deadline: datetime, mode: str,
               group: str | None, extra: list[str] | None = None) -> Message:
    """Open what was asked (typed on one line, or chosen in a form) and tell the person who
    opened it."""
    ctx = req.ctx
    require_may_open(req, group)
    consultation = open_consultation(
        ctx, proposal=proposal, deadline=deadline, mode=mode,
        scope="group" if group else "network", group=group,
        opened_by=req.member.id if req.member else "", lang=req.lang)
    asked = len(consulted_agencies(ctx, consultation))
    return Message(title=req.t("poll.opened", number=consultation.id),
                   paragraphs=[deadline_line(ctx, req.lang, consultation),
                               *(extra or []),
                               rule_line(ctx, req.lang, consultation),
                               req.t("poll.asked", agencies=asked,
                                     people=len(consulted_people(ctx, consultation))),
                               *cannot_answer_lines(req, consultation)])


def cannot_answer_lines(req: Request, consultation: Consultation) -> list[str]:
    """Told to whoever opens: which entities of the deciding body cannot answer, and what that
    does to the decision under the network's reading."""
    if not consultation.empty_seats:
        return []
    blocks = consultation.empty_seat_blocks and consultation.mode == "consensus"
    return [req.t("poll.cannot_answer_block" if blocks else "poll.cannot_answer",
                  agencies=agency_list(req.ctx, req.lang, consultation.empty_seats),
                  count=len(consultation.empty_seats))]
