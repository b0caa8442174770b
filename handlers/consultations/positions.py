"""An agency's position — agree, reservations, objection (with a reason) or abstain — given by a
button or by ``position <n°> …``, changed at will until the deadline, every earlier one kept; a
click on a card older than the agency's current position never overwrites it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from handlers.consultations.choices import choose_consultation, open_for_agency
from handlers.consultations.lookup import number_of
from handlers.consultations.override import ask_first
from handlers.consultations.seats import consulted_agencies
from handlers.consultations.told import tell_later
from handlers.consultations.wording import choice_label, position_buttons, proposal_message
from handlers.context import UserError, parse_ref
from handlers.prompts import settled
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Message, Reply
from storage.models import FOCAL_POINT, Consultation, Position

CHOICE_WORDS = {
    "accord": "agree", "agree": "agree", "oui": "agree", "yes": "agree",
    "reserves": "reservations", "reserve": "reservations", "reservations": "reservations",
    "reservation": "reservations", "objection": "objection", "object": "objection",
    "abstention": "abstain", "abstain": "abstain", "abstenir": "abstain",
}
MAX_REASON = 1000
REASON_ACTION = "position.reason"  # what an asked reason is handed to (``reasons.answer``)


def check_may_answer(req: Request, consultation: Consultation) -> None:
    """A ``UserError`` unless the person may give their agency's position now."""
    ctx, member = req.ctx, req.member
    assert member is not None
    if consultation.status != "open" or datetime.fromisoformat(
            consultation.deadline) <= ctx.now():
        raise UserError("poll.closed", number=consultation.id)
    if FOCAL_POINT not in member.roles:
        raise UserError("poll.not_focal_point")
    if member.agency not in {a.code for a in consulted_agencies(ctx, consultation)}:
        raise UserError("poll.agency_not_consulted", number=consultation.id,
                        agency=ctx.agency_label(member.agency, req.lang))


def record_position(req: Request, consultation: Consultation, choice: str,
                    reason: str, version: int | None = None,
                    clicked: bool = False, confirmed: bool = False) -> Message:
    """Give or change the agency's position; every earlier one stays in the history.

    ``version`` is a clicked card's (``card_version``); a typed command has none. A click made
    on a card older than the agency's current position — a colleague answered since, or the
    same signed click is replayed after a later one — does not overwrite it: the same choice
    changes nothing, another is refused with the current position and fresh buttons, so that a
    click made after seeing the current state goes through. Changing a colleague's position
    asks first (``override.ask_first``) unless ``confirmed``."""
    ctx, member = req.ctx, req.member
    assert member is not None
    check_may_answer(req, consultation)
    reason = reason.strip()[:MAX_REASON]
    if choice == "objection" and not reason:
        raise UserError("poll.reason_needed", number=consultation.id,
                        command=f"{req.t('cmd.position.name')} {consultation.id} "
                                f"{req.t('poll.word.objection')}")
    previous = ctx.store.positions.latest_of(consultation.id, member.agency)
    if previous is not None and version is not None and previous.id > version:
        return older_card(req, consultation, previous, choice)
    if (not confirmed and previous is not None and previous.member_id != member.id
            and previous.choice != choice):
        return ask_first(req, consultation, previous, choice, reason)
    if previous and (previous.member_id, previous.choice, previous.reason) == (
            member.id, choice, reason):
        return Message(paragraphs=[req.t("poll.unchanged", number=consultation.id,
                                         choice=choice_label(ctx, req.lang, choice))])
    position = ctx.store.positions.add(lambda n: Position(
        id=n, consultation_id=consultation.id, agency=member.agency, member_id=member.id,
        choice=choice, reason=reason, at=ctx.now_iso()))
    settled(ctx, req.inbound.identity, REASON_ACTION, f"{consultation.id}.")
    # Every card of the agency shows it, but the copy just clicked: its answer shows it.
    tell_later(ctx, position, previous, shown=req.inbound.identity if clicked else None)
    return Message(paragraphs=[req.t("poll.recorded", number=consultation.id,
                                     agency=ctx.agency_label(member.agency, req.lang),
                                     choice=choice_label(ctx, req.lang, choice))])


def older_card(req: Request, consultation: Consultation, current: Position,
                choice: str) -> Message:
    """A click on a card older than the agency's current position: nothing is written."""
    ctx = req.ctx
    by = ctx.store.members.get(current.member_id)
    params = {"agency": ctx.agency_label(current.agency, req.lang), "number": consultation.id,
              "choice": choice_label(ctx, req.lang, current.choice),
              "name": by.name if by else "—"}
    if current.choice == choice:
        return Message(paragraphs=[req.t("poll.already_current", **params)])
    return Message(paragraphs=[req.t("poll.older_card", **params, when=ctx.when(
                       req.lang, datetime.fromisoformat(current.at)))],
                   buttons=position_buttons(ctx, req.lang, consultation))


def position_command(req: Request) -> Message:
    """``position [n°] [accord|réserves|objection|abstention [raison]]``: without a number, the
    consultation open for the agency (or a choice of them); without a position, its card."""
    consultation, rest = choose_consultation(req, open_for_agency(req))
    words = rest.split(None, 1)
    if not words:
        return proposal_message(req.ctx, req.lang, consultation, "poll.status_title")
    choice = CHOICE_WORDS.get(fold(words[0]))
    if choice is None:
        raise UserError("poll.position_usage", name=req.name)
    return record_position(req, consultation, choice, words[1] if len(words) > 1 else "")


def position_click(choice: str) -> Callable[[Request, str], Message | Reply]:
    """A position button: ``<n°>.<card version>`` (``<n°>`` alone on cards sent before
    versions: not checked). A click taken in (``accepted``) answers with the card's fresh
    buttons, the choice marked, so the next click on it counts as made after this position;
    a refused one offers them too (``older_card``). (An objection's and reservations' buttons
    ask the reason first: ``reasons.reason_click``.)"""
    def handler(req: Request, value: str) -> Message | Reply:
        number, dot, version = value.partition(".")
        consultation = number_of(req, number)
        seen = parse_ref(version, "poll.bad_number") if dot else None
        answer = record_position(req, consultation, choice, "", seen, clicked=True)
        if answer.buttons:
            return answer
        return Reply(replace(answer, buttons=position_buttons(req.ctx, req.lang, consultation,
                                                              current=choice)),
                     req.lang, accepted=True)
    return handler
