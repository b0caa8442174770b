"""The reason for an objection or reservations, asked where the button was pressed.

Pressing « Objection » or « Réserves » records nothing yet: it asks the reason (an ``Ask``), which
each platform shows natively — a Slack modal, a Telegram reply prompt, a question on the
console — and the answer records the position with it (``answer``). A reason is required for an
objection and welcome otherwise (the network's practice): an empty one is refused for an
objection (asked again, with why), and means "none given" for reservations. The card's version
travels with the question, so an answer given after a colleague changed the agency's position
is refused as a click on that older card would be.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.consultations.lookup import number_of
from handlers.consultations.positions import (
    CHOICE_WORDS,
    REASON_ACTION,
    check_may_answer,
    older_card,
    position_command,
    record_position,
)
from handlers.consultations.wording import card_version
from handlers.context import UserError, parse_ref
from handlers.prompts import until
from handlers.router import Request, clean
from handlers.settings import fold
from handlers.types import Ask, Button, Message
from storage.models import Consultation

ASKED = ("objection", "reservations")  # the buttons that ask a reason first
REQUIRED = frozenset({"objection"})
NONE_GIVEN = frozenset({"-", "—", "–", "."})  # "no reason" in a text reply


def reason_click(choice: str) -> Callable[[Request, str], Message]:
    """The « Objection » / « Réserves » button (``<n°>.<card version>``): asks the reason."""
    def handler(req: Request, value: str) -> Message:
        number, dot, version = value.partition(".")
        consultation = number_of(req, number)
        seen = parse_ref(version, "poll.bad_number") if dot else None
        return ask_reason(req, consultation, choice, seen)
    return handler


def position_or_ask(req: Request) -> Message:
    """``position <n°> objection`` typed without a reason asks it (as the button does); any
    other ``position …`` is recorded as typed."""
    words = req.args.split(None, 2)
    if len(words) == 2 and CHOICE_WORDS.get(fold(words[1])) in REQUIRED:
        return ask_reason(req, number_of(req, words[0]), CHOICE_WORDS[fold(words[1])], None)
    return position_command(req)


def ask_reason(req: Request, consultation: Consultation, choice: str,
               seen: int | None) -> Message:
    """The question, once the person may answer and the card is not older than the agency's
    current position (then the refusal with fresh buttons, as for any click)."""
    check_may_answer(req, consultation)
    assert req.member is not None
    current = req.ctx.store.positions.latest_of(consultation.id, req.member.agency)
    if current is not None and seen is not None and current.id > seen:
        return older_card(req, consultation, current, choice)
    version = seen if seen is not None else card_version(req.ctx, consultation)
    return asking(req, consultation, choice, version)


def asking(req: Request, consultation: Consultation, choice: str, version: int,
           problem: str = "") -> Message:
    """The message that asks: what is asked (after ``problem``, the catalog key of why a
    previous answer was refused), the ``Ask``, and a button that asks again (where a form
    could not be shown, a tap opens it)."""
    ctx, number = req.ctx, consultation.id
    required = choice in REQUIRED
    ask = Ask(action=REASON_ACTION, value=f"{number}.{choice}.{version}",
              title=req.t("reason.form_title", number=number),
              label=req.t(f"reason.label.{choice}"),
              placeholder=req.t(f"reason.placeholder.{choice}"), required=required,
              submit=req.t("reason.submit"), cancel=req.t("reason.close"),
              until=until(ctx, datetime.fromisoformat(consultation.deadline)))
    paragraphs = [req.t(problem)] if problem else []
    paragraphs.append(req.t(f"reason.prompt.{choice}", number=number,
                            proposal=consultation.proposal[:300]))
    word = req.t(f"poll.word.{choice}")
    return Message(paragraphs=paragraphs, ask=ask, buttons=[Button(
        f"position.{choice}", f"{number}.{version}", req.t("reason.write"),
        hint=f"{req.t('cmd.position.name')} {number} {word} <{req.t('poll.reason_word')}>")])


def answer(req: Request, value: str) -> Message:
    """The text given for a question ``asking`` asked (``<n°>.<choice>.<card version>``): the
    position recorded with it, or, for an objection without one, asked again with why."""
    number, choice, version = (value.split(".") + ["", ""])[:3]
    consultation = number_of(req, number)
    if choice not in ASKED:
        raise UserError("poll.bad_number", typed=value[:20] or "—")
    seen = parse_ref(version, "poll.bad_number")
    reason = clean(req.inbound.text or "")
    if reason in NONE_GIVEN:
        reason = ""
    if choice in REQUIRED and not reason:
        check_may_answer(req, consultation)
        return asking(req, consultation, choice, seen, problem="reason.required")
    return record_position(req, consultation, choice, reason, seen)
