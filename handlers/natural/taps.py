"""The buttons under a position read from words: Confirm (or another choice, the reason kept),
the consultation picked among several, Cancel.

A confirmation records the position through ``record_position``, as a position button does, so
the same checks hold (deadline, deciding set, a reason for an objection, a colleague told). The
reading is marked confirmed in the same transaction: a confirmation tapped again, or a click
the platform sends twice, records nothing more."""

from __future__ import annotations

from dataclasses import replace

from handlers.consultations.lookup import CHOICES, number_of
from handlers.consultations.positions import record_position
from handlers.consultations.wording import position_buttons
from handlers.context import UserError, parse_ref
from handlers.natural.replies import confirmation
from handlers.router import Request
from handlers.types import Message, Reply
from storage.position_readings import PositionReading


def _reading(req: Request, value: str) -> tuple[PositionReading, str]:
    """The reading a button names (``<reading>.<rest>``), the tapper's own, and the rest."""
    number, _, rest = value.partition(".")
    reading = req.ctx.store.readings.get(parse_ref(number, "natural.gone"))
    if reading is None:
        raise UserError("natural.gone")
    if req.member is None or reading.member_id != req.member.id:
        raise UserError("natural.not_yours")
    return reading, rest


def _settled(req: Request, reading: PositionReading) -> Message | None:
    """What to say when the reading was already confirmed or cancelled: nothing is written.
    Confirmed, the consultation's own buttons come with it, to change the position there."""
    if reading.status == "confirmed":
        consultation = req.ctx.store.consultations.get(reading.consultation_id or 0)
        return Message(paragraphs=[req.t("natural.already_confirmed",
                                         number=reading.consultation_id or 0)],
                       buttons=position_buttons(req.ctx, req.lang, consultation)
                       if consultation is not None and consultation.status == "open" else [])
    if reading.status == "cancelled":
        return Message(paragraphs=[req.t("natural.already_cancelled")])
    return None


def confirm_click(req: Request, value: str) -> Message | Reply:
    """``natural.confirm`` with ``<reading>.<choice>``: the position recorded, once. As for a
    position button, the answer carries the consultation's fresh buttons: they replace the
    confirmation's on the card (a later tap there changes the position, with the card's
    version checked)."""
    reading, choice = _reading(req, value)
    settled = _settled(req, reading)
    if settled is not None:
        return settled
    if choice not in CHOICES or reading.consultation_id is None:
        raise UserError("natural.gone")
    consultation = number_of(req, str(reading.consultation_id))
    before = req.ctx.store.positions.last_number(consultation.id)
    answer = record_position(req, consultation, choice, reading.reason)
    reading.status, reading.choice, reading.decided_at = "confirmed", choice, req.ctx.now_iso()
    after = req.ctx.store.positions.last_number(consultation.id)
    reading.position_id = after if after != before else None
    req.ctx.store.readings.save(reading)
    if answer.buttons:
        return answer
    return Reply(replace(answer, buttons=position_buttons(req.ctx, req.lang, consultation)),
                 req.lang, accepted=True)


def pick_click(req: Request, value: str) -> Message:
    """``natural.pick`` with ``<reading>.<consultation>``: the confirmation for that one."""
    reading, number = _reading(req, value)
    settled = _settled(req, reading)
    if settled is not None:
        return settled
    consultation = number_of(req, number)
    if consultation.id not in reading.candidates:
        raise UserError("natural.gone")
    reading.consultation_id = consultation.id
    req.ctx.store.readings.save(reading)
    return confirmation(req, reading, consultation)


def cancel_click(req: Request, value: str) -> Message:
    """``natural.cancel`` with ``<reading>``: nothing recorded, and the buttons say so."""
    reading, _ = _reading(req, value)
    settled = _settled(req, reading)
    if settled is not None:
        return settled
    reading.status, reading.decided_at = "cancelled", req.ctx.now_iso()
    req.ctx.store.readings.save(reading)
    return Message(paragraphs=[req.t("natural.cancelled")])
