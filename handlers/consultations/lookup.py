"""The consultation a command names (« consultation 4 »), and the four positions an agency may
take."""

from __future__ import annotations

from handlers.context import UserError, parse_ref
from handlers.router import Request
from storage.models import Consultation

CHOICES = ("agree", "reservations", "objection", "abstain")


def number_of(req: Request, text: str) -> Consultation:
    number = parse_ref(text, "poll.bad_number")
    consultation = req.ctx.store.consultations.get(number)
    if consultation is None:
        raise UserError("poll.not_found", number=number)
    return consultation
