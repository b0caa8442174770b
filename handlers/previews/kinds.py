"""Which commands are previewed, and what each preview holds: the consultation closed early,
the consultation extended, the meeting cancelled, the statement draft put to the Committee;
and what opens something new (``openings``): a consultation, a meeting, a series.
Each ``build`` reads the command as its effect will (same functions, same refusals) and
changes nothing."""

from __future__ import annotations

from dataclasses import replace

from handlers import statements
from handlers.consultations import closing, deadline, opening
from handlers.consultations.choices import choose_consultation, open_visible
from handlers.consultations.seats import audience, consulted_people, decision_of, seats_for
from handlers.consultations.wording import deadline_line, reason_lines
from handlers.context import UserError
from handlers.meetings import changes, scheduling, series
from handlers.meetings.choices import split_number
from handlers.meetings.invitees import invitees
from handlers.meetings.lookup import require_future
from handlers.meetings.wording import full_line, kind_label
from handlers.previews import openings
from handlers.previews.preview import Preview, Previewed
from handlers.previews.warnings import holiday_warnings, silent_executive_seats
from handlers.router import Request
from handlers.when_text import reading_lines
from storage.models import Consultation
from storage.records import to_iso

SHORT_PROPOSAL = 120


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT_PROPOSAL else flat[:SHORT_PROPOSAL - 1] + "…"


def close_poll(req: Request) -> Preview:
    """``consultation clore``: the decision it would take now, and who is told."""
    ctx = req.ctx
    consultation, _ = choose_consultation(req, open_visible(req))
    if consultation.status != "open":
        raise UserError("poll.closed", number=consultation.id)
    return Preview(
        args=str(consultation.id), parsed={"consultation": consultation.id},
        lines=[req.t("preview.poll_close", number=consultation.id,
                     proposal=_short(consultation.proposal)),
               *reason_lines(ctx, req.lang, decision_of(ctx, consultation))],
        people=len(audience(ctx, consultation)),
        warnings=silent_executive_seats(ctx, req.lang, consultation))


def extend_poll(req: Request) -> Preview:
    """``consultation prolonger``: the new deadline, and everyone consulted told again."""
    ctx = req.ctx
    consultation, when_text, reading = deadline.read_extension(req)
    extended = replace(consultation, deadline=to_iso(reading.start))
    return Preview(
        args=f"{consultation.id} {when_text}",
        parsed={"consultation": consultation.id, "deadline": extended.deadline},
        lines=[req.t("preview.poll_extend", number=consultation.id,
                     proposal=_short(consultation.proposal)),
               deadline_line(ctx, req.lang, extended), *reading_lines(ctx, req.lang, reading)],
        people=len(consulted_people(ctx, consultation)),
        warnings=[*holiday_warnings(ctx, req.lang, reading.start),
                  *silent_executive_seats(ctx, req.lang, consultation)])


def cancel_meeting(req: Request) -> Preview:
    """``réunion annuler``: the meeting, and everyone invited told."""
    ctx = req.ctx
    meeting, _ = split_number(req)
    changes.require_lead_for(req, meeting)
    require_future(req, meeting)
    return Preview(
        args=str(meeting.id), parsed={"meeting": meeting.id, "start": meeting.start},
        lines=[req.t("preview.meeting_cancel", number=meeting.id,
                     kind=kind_label(ctx, req.lang, meeting),
                     line=full_line(ctx, req.lang, meeting))],
        people=len(invitees(ctx, meeting)))


def statement_draft(req: Request) -> Preview:
    """``déclaration projet``: the version put to the Executive Committee, who is asked."""
    ctx = req.ctx
    statement, text, reading = statements.read_draft(req)
    seats = seats_for(ctx, "executive", None)
    round_ = Consultation(id=0, proposal=text, deadline=to_iso(reading.start),
                          scope="executive", deciding=list(seats.deciding),
                          empty_seats=list(seats.empty))
    version = len(statement.versions) + 1
    return Preview(
        args=req.args.strip(),
        parsed={"statement": statement.id, "version": version, "text": text,
                "deadline": round_.deadline},
        lines=[req.t("preview.statement_draft", number=statement.id, version=version,
                     text=_short(text)),
               deadline_line(ctx, req.lang, round_), *reading_lines(ctx, req.lang, reading)],
        people=len(consulted_people(ctx, round_)),
        warnings=[*holiday_warnings(ctx, req.lang, reading.start),
                  *silent_executive_seats(ctx, req.lang, round_)])


def _nothing_typed(req: Request) -> bool:
    """The command alone: its own handler opens the form (or gives the usage)."""
    return not req.args.strip()


PREVIEWED: dict[str, Previewed] = {kind.key: kind for kind in (
    Previewed("poll_close", close_poll, closing.close_command),
    Previewed("poll_extend", extend_poll, deadline.extend_command),
    Previewed("meeting_cancel", cancel_meeting, changes.cancel),
    Previewed("statement_draft", statement_draft, statements.draft_command),
    Previewed("poll_open", openings.poll_open, opening.open_command,
              deliver=openings.deliver_poll, passes=_nothing_typed),
    *(Previewed(command, openings.meeting_of(kind), handler,
                deliver=openings.deliver_meeting, passes=_nothing_typed)
      for kind, command, handler in (
          ("network", "meeting", scheduling.schedule_network),
          ("executive", "meeting_executive", scheduling.schedule_executive),
          ("annual", "meeting_annual", scheduling.schedule_annual),
          ("group", "meeting_group", scheduling.schedule_group))),
    Previewed("meeting_series", openings.series, series.schedule_series,
              deliver=openings.deliver_series, passes=series.is_confirmation),
)}
