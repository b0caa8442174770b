"""What the bot answers to words that may be a position: a direct message that is no command, a
reply to one of its cards, a reply in a thread under its message in the network channel.

A position read is never recorded on the spot: the bot says what it read (the consultation, the
agency, the choice and the reason) and asks for one tap (``taps``). When the person's agency has
several consultations open, it offers them; when it read no position, it says what it understood
and shows the buttons; when the words name another agency, it refuses and says why. Ordinary
conversation in a direct message that reads as nothing stays the router's (an unknown command);
a reply addressed to the bot in a group is always answered.
"""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.lookup import number_of
from handlers.consultations.seats import consulted_agencies
from handlers.consultations.wording import acronyms, choice_label, position_buttons
from handlers.context import Context, UserError
from handlers.info import meant_for_capture
from handlers.natural.positions import Reading, read_position
from handlers.router import Request
from handlers.types import Button, CardRef, Message, Reply
from storage.models import FOCAL_POINT, Consultation, Member
from storage.position_readings import PositionReading

EXCERPT = 160  # of the proposal, on a confirmation card
LABEL = 48  # of a proposal on a button (Telegram shows 64 characters at most)


def card_consultation(card: CardRef | None) -> int | None:
    """The consultation a card's position buttons name (``position.agree`` with ``12.3`` or
    ``12``), if the card is one."""
    for action, value in card.buttons if card is not None else ():
        number = value.partition(".")[0]
        if action.startswith("position.") and number.isdigit():
            return int(number)
    return None


def open_for(ctx: Context, member: Member) -> list[Consultation]:
    """The consultations open to the member's agency, oldest first."""
    now = ctx.now()
    return [c for c in ctx.store.consultations.open()
            if datetime.fromisoformat(c.deadline) > now
            and member.agency in {a.code for a in consulted_agencies(ctx, c)}]


def excerpt(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def natural_reply(req: Request) -> Message | Reply | None:
    """The answer to words that may be a position; ``None``: not for this handler (a direct
    message that reads as nothing, a link shared in the channel, a stranger)."""
    inbound, member = req.inbound, req.member
    if member is None or (inbound.capture and meant_for_capture(req.args)):
        return None
    addressed = inbound.in_reply_to is not None or inbound.capture
    focal = FOCAL_POINT in member.roles
    reading = read_position(req.args, req.ctx.network.agencies)
    card = card_consultation(inbound.in_reply_to)
    if reading.choice is None:
        return not_understood(req, member, reading, card) if addressed and focal else None
    if not focal:
        if not addressed:
            return None
        raise UserError("poll.not_focal_point")
    others = [code for code in reading.agencies if code != member.agency]
    if others:
        raise UserError("natural.other_agency", named=acronyms(req.ctx, req.lang, others),
                        agency=req.ctx.agency_label(member.agency, req.lang))
    if reading.choice == "objection" and not reading.reason:
        raise UserError("natural.reason_needed")
    number = card or reading.number
    candidates = [number_of(req, str(number))] if number else open_for(req.ctx, member)
    if not candidates:
        raise UserError("natural.none_open",
                        agency=req.ctx.agency_label(member.agency, req.lang))
    stored = req.ctx.store.readings.add(lambda n: PositionReading(
        id=n, member_id=member.id, choice=reading.choice or "", reason=reading.reason,
        consultation_id=candidates[0].id if len(candidates) == 1 else None,
        candidates=[c.id for c in candidates], created_at=req.ctx.now_iso()))
    if len(candidates) == 1:
        return confirmation(req, stored, candidates[0])
    return Message(paragraphs=[req.t("natural.which", count=len(candidates),
                                     choice=choice_label(req.ctx, req.lang, stored.choice))],
                   buttons=[Button("natural.pick", f"{stored.id}.{c.id}",
                                   req.t("natural.pick_label", number=c.id,
                                         proposal=excerpt(c.proposal, LABEL)))
                            for c in candidates] + [cancel_button(req, stored)])


def confirmation(req: Request, reading: PositionReading, consultation: Consultation) -> Message:
    """What was read, for one tap: Confirm, the other choices (the reason kept), Cancel."""
    ctx, lang = req.ctx, req.lang
    member = req.member
    assert member is not None
    paragraphs = [excerpt(consultation.proposal, EXCERPT),
                  req.t("natural.confirm", agency=ctx.agency_label(member.agency, lang),
                        choice=choice_label(ctx, lang, reading.choice))]
    if reading.reason:
        paragraphs.append(req.t("natural.confirm_reason", reason=reading.reason))
    others = [c for c in ("agree", "reservations", "objection", "abstain")
              if c != reading.choice and (c != "objection" or reading.reason)]
    buttons = [Button("natural.confirm", f"{reading.id}.{reading.choice}",
                      req.t("natural.button.confirm",
                            choice=choice_label(ctx, lang, reading.choice)), style="primary")]
    buttons += [Button("natural.confirm", f"{reading.id}.{choice}",
                       choice_label(ctx, lang, choice)) for choice in others]
    buttons.append(cancel_button(req, reading))
    return Message(title=req.t("natural.confirm_title", number=consultation.id),
                   paragraphs=paragraphs, buttons=buttons)


def cancel_button(req: Request, reading: PositionReading) -> Button:
    return Button("natural.cancel", str(reading.id), req.t("natural.button.cancel"))


def not_understood(req: Request, member: Member, reading: Reading,
                   card: int | None) -> Message:
    """No position read: what was understood, and the buttons of the consultation the card is
    about, or of the one open to the agency."""
    ctx, lang = req.ctx, req.lang
    paragraphs = [req.t("natural.not_understood")]
    if reading.agencies:
        paragraphs.append(req.t("natural.understood_agencies",
                                agencies=acronyms(ctx, lang, list(reading.agencies))))
    if card is not None:
        candidates = [c for c in [ctx.store.consultations.get(card)]
                      if c is not None and c.status == "open"]
    else:
        candidates = open_for(ctx, member)
    if len(candidates) == 1:
        paragraphs.append(req.t("natural.use_buttons", number=candidates[0].id))
        return Message(paragraphs=paragraphs,
                       buttons=position_buttons(ctx, lang, candidates[0]))
    if candidates:
        paragraphs.append(req.t("natural.several_open", numbers=", ".join(
            str(c.id) for c in candidates)))
    return Message(paragraphs=paragraphs)
