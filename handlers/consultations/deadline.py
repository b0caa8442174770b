"""When a consultation ends: a deadline read as people write it (through ``scheduler.when``),
and ``consultation prolonger``, which moves it later and tells everyone consulted."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.channel_cards import consultation_card
from handlers.consultations.choices import choose_consultation, open_visible
from handlers.consultations.seats import consulted_people
from handlers.consultations.sending import announce, ask
from handlers.consultations.wording import deadline_line
from handlers.context import UserError
from handlers.router import Request
from handlers.types import Message
from handlers.when_text import reading_lines, refusal
from scheduler.when import Reading, WhenError, read_when
from storage.models import Consultation
from storage.records import to_iso

DEFAULT_DEADLINE = timedelta(days=7)


def read_deadline(req: Request, text: str) -> Reading:
    """A deadline as people write it (« vendredi », « d'ici lundi 12h », « fin du mois », « by
    Monday noon »): without a time, the end of that working day (the network's setting); with
    nothing written, ``DEFAULT_DEADLINE`` from now."""
    ctx = req.ctx
    if not text.strip():
        return Reading(ctx.now() + DEFAULT_DEADLINE)
    try:
        return read_when(text, now=ctx.now(), tz=ctx.network.timezone, deadline=True,
                         end_of_day=ctx.network.end_of_day)
    except WhenError as error:
        raise refusal(ctx, error) from None


def read_extension(req: Request) -> tuple[Consultation, str, Reading]:
    """``consultation prolonger [n°] <échéance>`` read without changing anything: the open
    consultation, the words of the new deadline, and the deadline — read from now like any
    deadline (« lundi » is the coming Monday, not the Monday after the old deadline), refused
    when it is not later than the current one."""
    if not req.args.strip():
        raise UserError("poll.extend_usage", name=req.name)
    consultation, when_text = choose_consultation(req, open_visible(req))
    if not when_text:
        raise UserError("poll.extend_usage", name=req.name)
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    reading = read_deadline(req, when_text)
    if to_iso(reading.start) <= consultation.deadline:
        raise UserError("poll.extend_earlier", when=req.ctx.when(
            req.lang, datetime.fromisoformat(consultation.deadline)))
    return consultation, when_text, reading


def extend_command(req: Request) -> Message:
    """``consultation prolonger [n°] <échéance>``: a later deadline; everyone consulted is told."""
    consultation, _, reading = read_extension(req)
    answer = extend(req, consultation, reading.start)
    answer.paragraphs += reading_lines(req.ctx, req.lang, reading)
    return answer


def extend(req: Request, consultation: Consultation, deadline: datetime) -> Message:
    """Move the deadline to ``deadline`` (the earlier one kept), tell everyone consulted and
    the channel, and update the channel card; what the lead is answered. Used by the command
    and by the to-do's « Prolonger » buttons."""
    ctx = req.ctx
    consultation.previous_deadlines.append(consultation.deadline)
    consultation.deadline = to_iso(deadline)
    consultation.told_at = ctx.now_iso()
    ctx.store.consultations.save(consultation)
    key = f"poll:{consultation.id}:extended:{consultation.deadline}"
    ask(ctx, consultation, consulted_people(ctx, consultation), key, "poll.extended_title")
    announce(ctx, consultation, key, lambda lang: Message(
        title=ctx.t(lang, "poll.extended_title", number=consultation.id),
        paragraphs=[deadline_line(ctx, lang, consultation)]), until=deadline)
    consultation_card.changed(ctx, consultation)
    return Message(paragraphs=[req.t("poll.extended", number=consultation.id),
                               deadline_line(ctx, req.lang, consultation)])
