"""The leads' buttons on their to-do, one per open consultation with silent agencies:
« Relancer » (the silent agencies' focal points get the proposal again, now, at most once an
hour per consultation), « Prolonger » (+2 days or +1 week, offered as buttons), « Clore »
(after a confirmation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.consultations.choices import choose_consultation, open_visible
from handlers.consultations.closing import close
from handlers.consultations.deadline import extend
from handlers.consultations.lookup import number_of
from handlers.consultations.seats import consulted_agencies, consulted_people, decision_of
from handlers.consultations.sending import ask
from handlers.consultations.wording import deadline_line, outcome_line, reason_lines
from handlers.context import UserError
from handlers.router import Request
from handlers.types import Button, Message
from storage.models import Consultation

NUDGE_EVERY = timedelta(hours=1)
NUDGE_MARK = "todo-nudge"  # jobs_done marks: ``todo-nudge:<n°>:<when>``
EXTENSIONS = {"2d": timedelta(days=2), "1w": timedelta(weeks=1)}


def _open(req: Request, value: str) -> Consultation:
    consultation = number_of(req, value)
    if consultation.status != "open" or datetime.fromisoformat(
            consultation.deadline) <= req.ctx.now():
        raise UserError("poll.closed", number=consultation.id)
    return consultation


def nudge_click(req: Request, value: str) -> Message:
    """« Relancer »: the focal points of the agencies that have not answered — only those —
    get the proposal and its buttons again now, as the scheduled reminder sends it."""
    ctx = req.ctx
    consultation = _open(req, value)
    last = ctx.store.jobs_done.latest(f"{NUDGE_MARK}:{consultation.id}:")
    if last is not None and datetime.fromisoformat(last) + NUDGE_EVERY > ctx.now():
        raise UserError("todo.nudge_too_soon", number=consultation.id,
                        when=ctx.when(req.lang, datetime.fromisoformat(last) + NUDGE_EVERY))
    answered = ctx.store.positions.current(consultation.id)
    silent = [a.code for a in consulted_agencies(ctx, consultation) if a.code not in answered]
    people = consulted_people(ctx, consultation, silent)
    if not people:
        raise UserError("todo.nudge_nobody", number=consultation.id)
    now = ctx.now_iso()
    ctx.store.jobs_done.mark(f"{NUDGE_MARK}:{consultation.id}:{now}", now, "sent")
    ask(ctx, consultation, people, f"poll:{consultation.id}:nudge:{now}", "poll.reminder_title")
    reminded = sorted({m.agency for m in people}, key=silent.index)
    return Message(paragraphs=[req.t("todo.nudged", number=consultation.id, agencies=", ".join(
        ctx.agency_label(code, req.lang) for code in reminded))])


def nudge_command(req: Request) -> Message:
    """``consultation relancer [n°]``: « Relancer » typed — the same reminder, the same rule."""
    consultation, _ = choose_consultation(req, open_visible(req))
    return nudge_click(req, str(consultation.id))


def extend_click(req: Request, value: str) -> Message:
    """« Prolonger »: the two usual extensions, as buttons."""
    consultation = _open(req, value)
    version = len(consultation.previous_deadlines)  # a second click extends nothing more
    return Message(paragraphs=[req.t("todo.extend_choose", number=consultation.id),
                               deadline_line(req.ctx, req.lang, consultation)],
                   buttons=[Button("todo.extend_by", f"{consultation.id}:{span}:{version}",
                                   req.t(f"todo.button.extend_{span}"))
                            for span in EXTENSIONS])


def extend_by_click(req: Request, value: str) -> Message:
    """+2 days or +1 week from the current deadline; everyone consulted is told, as with
    ``consultation prolonger``. A second click on the same card extends nothing more."""
    number, _, rest = value.partition(":")
    span, _, version = rest.partition(":")
    consultation = _open(req, number)
    if span not in EXTENSIONS:
        raise UserError("error.unknown_action")
    if version != str(len(consultation.previous_deadlines)):
        raise UserError("todo.extend_already", number=consultation.id,
                        when=req.ctx.when(req.lang, datetime.fromisoformat(
                            consultation.deadline)))
    return extend(req, consultation,
                  datetime.fromisoformat(consultation.deadline) + EXTENSIONS[span])


def close_click(req: Request, value: str) -> Message:
    """« Clore »: asks to confirm, saying what would be decided now."""
    ctx = req.ctx
    consultation = _open(req, value)
    return Message(paragraphs=[req.t("todo.close_confirm", number=consultation.id),
                               *reason_lines(ctx, req.lang, decision_of(ctx, consultation))],
                   buttons=[Button("todo.close_confirmed", str(consultation.id),
                                   req.t("todo.button.close_confirmed"), style="danger")])


def close_confirmed_click(req: Request, value: str) -> Message:
    """The confirmation: closed as ``consultation clore`` closes it."""
    ctx = req.ctx
    consultation = number_of(req, value)
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    close(ctx, consultation, req.member.id if req.member else "")
    return Message(paragraphs=[outcome_line(ctx, req.lang, consultation),
                               *reason_lines(ctx, req.lang, decision_of(ctx, consultation))])
