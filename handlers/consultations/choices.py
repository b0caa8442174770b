"""The consultations a command may mean when no number is typed (``handlers.choosing``): for a
position, those open for the person's agency; for a lead's command or reading, the open ones
they may see; for a conclusion, the closed ones without one."""

from __future__ import annotations

from datetime import datetime

from handlers.choosing import Candidate, choose, numbered
from handlers.consultations.lookup import number_of
from handlers.consultations.seats import consulted_agencies, may_see
from handlers.context import Context
from handlers.router import Request
from storage.models import Consultation

LABEL_WORDS = 40  # characters of the proposal on a button


def open_for_agency(req: Request) -> list[Consultation]:
    """Open, before the deadline, and asking the person's agency."""
    ctx, member = req.ctx, req.member
    if member is None:
        return []
    return [c for c in ctx.store.consultations.open()
            if datetime.fromisoformat(c.deadline) > ctx.now()
            and member.agency in {a.code for a in consulted_agencies(ctx, c)}]


def open_visible(req: Request) -> list[Consultation]:
    return [c for c in req.ctx.store.consultations.open() if may_see(req, c)]


def closed_without_note(req: Request) -> list[Consultation]:
    return [c for c in req.ctx.store.consultations.all()
            if c.status == "closed" and not c.outcome_note and may_see(req, c)]


def candidate(ctx: Context, lang: str, consultation: Consultation) -> Candidate:
    proposal = " ".join(consultation.proposal.split())
    short = proposal if len(proposal) <= LABEL_WORDS else proposal[:LABEL_WORDS - 1] + "…"
    return Candidate(consultation.id,
                     ctx.t(lang, "pick.poll_label", number=consultation.id, proposal=short),
                     ctx.t(lang, "pick.poll_line", number=consultation.id,
                           proposal=proposal[:120], deadline=ctx.when(
                               lang, datetime.fromisoformat(consultation.deadline))))


def choose_consultation(req: Request, consultations: list[Consultation]
                        ) -> tuple[Consultation, str]:
    """The consultation typed first in ``req.args``, else the one of ``consultations`` (or an
    offer of them); and the words after the number."""
    typed, rest = numbered(req.args)
    if typed:
        return number_of(req, typed), rest
    number = choose(req, [candidate(req.ctx, req.lang, c) for c in consultations], rest,
                    "pick.no_poll")
    return number_of(req, str(number)), rest
