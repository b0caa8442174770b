"""Closing a consultation — by a lead's command or at its deadline (the scheduled job): the
decision is taken by the mode's rule from the seats fixed at opening, recorded with its reasons
and told; then a co-chair may add a conclusion."""

from __future__ import annotations

from datetime import datetime

from handlers import consensus
from handlers.channel_cards import consultation_card
from handlers.consultations.choices import (
    choose_consultation,
    closed_without_note,
    open_visible,
)
from handlers.consultations.opening import MAX_PROPOSAL
from handlers.consultations.seats import audience, decision_of, seats_of, unreached
from handlers.consultations.sending import announce, channel_of
from handlers.consultations.wording import (
    outcome_line,
    outcome_title,
    reason_lines,
    status_message,
)
from handlers.context import Context, UserError
from handlers.router import Request
from handlers.statement_rounds import round_closed
from handlers.types import Message
from scheduler.jobs import ConsultationClose, encode
from storage.models import Consultation


def close(ctx: Context, consultation: Consultation, by: str) -> str:
    """Decide by the mode's rule from the seats fixed at opening, record the decision with its
    reasons, tell the consulted (and announce it where the consultation was announced)."""
    current = {code: p.choice for code, p in ctx.store.positions.current(consultation.id).items()}
    decision = consensus.decide(consultation.mode, seats_of(ctx, consultation), current,
                                unreached(consultation))
    consultation.outcome = decision.outcome
    consultation.decision = decision.to_dict()
    consultation.status = "closed"
    consultation.closed_at = ctx.now_iso()
    consultation.closed_by = by
    ctx.store.consultations.save(consultation)
    ctx.store.jobs_done.mark(encode(ConsultationClose(consultation.id, consultation.deadline)),
                             ctx.now_iso())
    if consultation.statement_id is not None:
        round_closed(ctx, consultation)

    def build(lang: str) -> Message:
        message = status_message(ctx, lang, consultation)
        message.title = outcome_title(ctx, lang, consultation)
        return message

    key = f"poll:{consultation.id}:outcome"
    ctx.send_to_members(audience(ctx, consultation), key, build)
    if not consultation_card.changed(ctx, consultation):  # from before cards: a new post
        announce(ctx, consultation, key, build)
    return consultation.outcome


def close_command(req: Request) -> Message:
    ctx = req.ctx
    consultation, _ = choose_consultation(req, open_visible(req))
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    close(ctx, consultation, req.member.id if req.member else "")
    return Message(paragraphs=[outcome_line(ctx, req.lang, consultation),
                               *reason_lines(ctx, req.lang, decision_of(ctx, consultation))])


def outcome_note_command(req: Request) -> Message:
    """``consultation conclusion <n°> <texte>``: a co-chair's statement on the outcome."""
    consultation, note = choose_consultation(req, closed_without_note(req))
    if not note:
        raise UserError("poll.note_usage", name=req.name)
    if consultation.status != "closed":
        raise UserError("poll.still_open", number=consultation.id)
    consultation.outcome_note = note[:MAX_PROPOSAL]
    req.ctx.store.consultations.save(consultation)
    key = f"poll:{consultation.id}:note"
    if channel_of(consultation) is None:
        req.ctx.send_to_members(audience(req.ctx, consultation), key,
                                lambda lang: status_message(req.ctx, lang, consultation))
    if not consultation_card.changed(req.ctx, consultation):
        announce(req.ctx, consultation, key,
                 lambda lang: status_message(req.ctx, lang, consultation))
    return Message(paragraphs=[req.t("poll.note_saved", number=consultation.id)])


def close_job(ctx: Context, job: ConsultationClose) -> str | None:
    """The job ``consultation.close``: at the deadline (or on start-up if it passed meanwhile)."""
    consultation = ctx.store.consultations.get(job.consultation_id)
    if (consultation is None or consultation.status != "open"
            or consultation.deadline != job.deadline
            or datetime.fromisoformat(job.deadline) > ctx.now()):
        return None
    return close(ctx, consultation, "deadline")
