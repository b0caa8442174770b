"""The consultation a command names (« consultation 4 »), and the four positions an agency may
take."""

from __future__ import annotations

from handlers.context import find_numbered
from handlers.router import Request
from storage.models import Consultation

CHOICES = ("agree", "reservations", "objection", "abstain")


def number_of(req: Request, text: str) -> Consultation:
    return find_numbered(req.ctx.store.consultations, text, "poll.bad_number",
                         "poll.not_found")
