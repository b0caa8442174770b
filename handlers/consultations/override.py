"""A colleague is not overridden by surprise: changing the position another focal point of the
same agency gave asks first, naming who answered what and when, with « Confirmer » and
« Garder » buttons. The change waits in storage (``storage/pending_overrides.py``); a confirmation
records it once (a replay says it is done), and not after the deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.consultations.lookup import number_of
from handlers.consultations.wording import choice_label
from handlers.context import UserError
from handlers.router import Request
from handlers.types import Button, Message
from storage.models import Consultation, Position
from storage.pending_overrides import ASKED, CONFIRMED, KEPT, PendingOverride

Record = Callable[..., Message]


def ask_first(req: Request, consultation: Consultation, previous: Position, choice: str,
              reason: str) -> Message:
    """Keep the change aside and ask: « UNICEF's position is Agree, given by Awa Traoré on
    … Replace it with Objection? »."""
    ctx, member = req.ctx, req.member
    assert member is not None
    pending = PendingOverride(id=f"{consultation.id}:{member.id}",
                              consultation_id=consultation.id, member_id=member.id,
                              choice=choice, reason=reason, previous_id=previous.id,
                              asked_at=ctx.now_iso())
    ctx.store.overrides.save(pending)
    by = ctx.store.members.get(previous.member_id)
    value = f"{consultation.id}.{previous.id}"
    return Message(
        paragraphs=[req.t("override.question", agency=ctx.agency_label(previous.agency,
                                                                        req.lang),
                          number=consultation.id, name=by.name if by else "—",
                          before=choice_label(ctx, req.lang, previous.choice),
                          when=ctx.when(req.lang, datetime.fromisoformat(previous.at)),
                          after=choice_label(ctx, req.lang, choice))],
        buttons=[Button("override.confirm", value, req.t("override.confirm"), style="danger"),
                 Button("override.keep", value, req.t("override.keep"))])


def _pending(req: Request, value: str) -> tuple[Consultation, PendingOverride | None]:
    """The consultation a button names (``<n°>.<replaced position n°>``) and the question it
    answers, if it is still the one asked."""
    number, _, previous = value.partition(".")
    consultation = number_of(req, number)
    assert req.member is not None
    pending = req.ctx.store.overrides.get(f"{consultation.id}:{req.member.id}")
    if pending is None or str(pending.previous_id) != previous or pending.status != ASKED:
        return consultation, None
    return consultation, pending


def confirm_click(record: Record) -> Callable[[Request, str], Message]:
    """``override.confirm``: the change is recorded (``record``: ``record_position``, told to
    the colleague as any change is); a replay or an outdated question records nothing."""
    def handler(req: Request, value: str) -> Message:
        consultation, pending = _pending(req, value)
        if pending is None:
            raise UserError("override.not_pending", number=consultation.id)
        current = req.ctx.store.positions.latest_of(consultation.id, req.member.agency) \
            if req.member else None
        if current is None or current.id != pending.previous_id:
            pending.status = KEPT
            req.ctx.store.overrides.save(pending)
            raise UserError("override.outdated", number=consultation.id)
        answer = record(req, consultation, pending.choice, pending.reason, confirmed=True)
        pending.status = CONFIRMED
        req.ctx.store.overrides.save(pending)
        return answer
    return handler


def keep_click(req: Request, value: str) -> Message:
    """``override.keep``: the colleague's position stays; nothing is recorded."""
    consultation, pending = _pending(req, value)
    if pending is not None:
        pending.status = KEPT
        req.ctx.store.overrides.save(pending)
    return Message(paragraphs=[req.t("override.kept", number=consultation.id)])
