"""The previews of what opens something new — a consultation, a meeting, a series of meetings —
typed on one line or sent from a form. ``*_preview`` reads the values and changes nothing;
``deliver_*`` creates, on « Envoyer », what the draft holds: the moment the lead saw in words
(« demain » stays the day previewed), checked again (still ahead, the person still allowed,
no similar series started meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from handlers import groups
from handlers.consultations.opening import deciding_seats, open_typed, read_open
from handlers.consultations.seats import consulted_people
from handlers.consultations.wording import deadline_line, rule_line
from handlers.meetings.invitees import eligible
from handlers.meetings.scheduling import create_meeting, read_meeting
from handlers.meetings.series import (
    DEFAULT_MINUTES,
    create_series,
    read_series,
    series_starts,
    similar_series,
)
from handlers.meetings.times import stored_time
from handlers.meetings.wording import full_line, kind_label
from handlers.previews.preview import Outdated, Preview
from handlers.previews.warnings import (
    executive_seats_empty,
    holiday_warnings,
    short_notice,
    silent_executive_seats,
)
from handlers.router import Request
from handlers.types import Message
from handlers.when_text import reading_lines
from storage.drafts import Draft
from storage.models import Consultation, Meeting, MeetingSeries
from storage.parts import AgendaItem
from storage.records import to_iso

SHORT_PROPOSAL = 120
# The command of each meeting kind: whose roles a draft of that kind needs on « Envoyer ».
MEETING_COMMANDS = {"network": "meeting", "executive": "meeting_executive",
                    "annual": "meeting_annual", "group": "meeting_group"}


def short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT_PROPOSAL else flat[:SHORT_PROPOSAL - 1] + "…"


def _ahead(req: Request, stamp: str) -> datetime:
    """A moment a draft holds, refused (``Outdated``) once it has passed."""
    moment = datetime.fromisoformat(stamp)
    if moment <= req.ctx.now():
        raise Outdated
    return moment


# --- a consultation ---------------------------------------------------------------------------


def poll_open(req: Request) -> Preview:
    """``consultation ouvrir …``: the proposal, its deadline and rule, who is asked."""
    opening = read_open(req)
    return poll_preview(req, proposal=opening.proposal, deadline=opening.reading.start,
                        mode=opening.mode, group=opening.group, args=req.args.strip(),
                        extra=reading_lines(req.ctx, req.lang, opening.reading))


def poll_preview(req: Request, *, proposal: str, deadline: datetime, mode: str,
                 group: str | None, args: str = "", extra: list[str] | None = None) -> Preview:
    """A consultation as it would open (refused, as opening would be, when nobody can
    decide it)."""
    ctx, lang = req.ctx, req.lang
    scope = "group" if group else "network"
    seats = deciding_seats(ctx, scope, group, lang)
    consultation = Consultation(
        id=0, proposal=proposal, deadline=to_iso(deadline), mode=mode, scope=scope, group=group,
        deciding=list(seats.deciding), empty_seats=list(seats.empty),
        empty_seat_blocks=seats.empty_seat_blocks)
    return Preview(
        args=args,
        parsed={"proposal": proposal, "deadline": consultation.deadline, "mode": mode,
                "group": group},
        lines=[req.t("preview.poll_open", proposal=short(proposal)),
               deadline_line(ctx, lang, consultation), *(extra or []),
               rule_line(ctx, lang, consultation)],
        people=len(consulted_people(ctx, consultation)),
        warnings=[*short_notice(ctx, lang, deadline, ctx.network.consultation_reminders),
                  *holiday_warnings(ctx, lang, deadline),
                  *silent_executive_seats(ctx, lang, consultation)])


def deliver_poll(req: Request, draft: Draft) -> Message:
    held = draft.parsed
    return open_typed(req, proposal=held["proposal"], deadline=_ahead(req, held["deadline"]),
                      mode=held["mode"], group=held["group"])


# --- one meeting ------------------------------------------------------------------------------


def meeting_of(kind: str) -> Callable[[Request], Preview]:
    """``réunion [exco|annuelle|groupe <nom>] <quand>``'s build for ``kind``."""

    def build(req: Request) -> Preview:
        asked = read_meeting(req, kind)
        return meeting_preview(req, kind=kind, start=asked.start, end=asked.end,
                               group=asked.group, args=req.args.strip(),
                               extra=reading_lines(req.ctx, req.lang, asked.reading))

    return build


def meeting_preview(req: Request, *, kind: str, start: datetime, end: datetime,
                    group: str | None = None, place: str = "", link: str | None = None,
                    agenda: list[str] | None = None, args: str = "",
                    extra: list[str] | None = None) -> Preview:
    """A meeting as it would be created: when, where, the agenda, who is invited."""
    ctx, lang = req.ctx, req.lang
    meeting = Meeting(id=0, kind=kind, start=stored_time(start), end=stored_time(end),
                      group=group, place=place, link=link or None,
                      agenda=[AgendaItem(text=t, by="", at="") for t in agenda or []])
    items = [f"{n}. {text}" for n, text in enumerate(agenda or [], start=1)]
    return Preview(
        args=args,
        parsed={"kind": kind, "start": meeting.start, "end": meeting.end, "group": group,
                "place": place, "link": link or None, "agenda": list(agenda or [])},
        lines=[req.t("preview.meeting", kind=kind_label(ctx, lang, meeting)),
               full_line(ctx, lang, meeting), *(extra or []), *items],
        people=len(eligible(ctx, meeting)),
        warnings=[*short_notice(ctx, lang, start, ctx.network.meeting_reminders),
                  *holiday_warnings(ctx, lang, start),
                  *(executive_seats_empty(ctx, lang) if kind == "executive" else [])])


def deliver_meeting(req: Request, draft: Draft) -> Message:
    held = draft.parsed
    start = _ahead(req, held["start"])
    if held["kind"] == "group":
        group = groups.find_group(req.ctx, held["group"] or "")
        if group is None:
            raise Outdated
        groups.require_group_lead(req, group)
    return create_meeting(req, held["kind"], start, datetime.fromisoformat(held["end"]),
                          group=held["group"], place=held["place"], link=held["link"],
                          agenda=held["agenda"])


# --- a series of meetings ---------------------------------------------------------------------


def series(req: Request) -> Preview:
    """``réunion série <règle>``: every occurrence, and whether such a series already runs."""
    first, rule = read_series(req)
    return series_preview(req, first=first, rule=rule, minutes=DEFAULT_MINUTES,
                          args=req.args.strip())


def series_preview(req: Request, *, first: datetime, rule: str, minutes: int,
                   place: str = "", link: str | None = None, args: str = "") -> Preview:
    ctx, lang = req.ctx, req.lang
    starts = series_starts(ctx, first, rule)
    similar = similar_series(ctx, "network", rule, starts)
    sample = MeetingSeries(id=0, kind="network", rrule=rule, first_start=stored_time(starts[0]),
                           duration_minutes=minutes)
    occurrences = [Meeting(id=0, kind="network", start=stored_time(s),
                           end=stored_time(s + timedelta(minutes=minutes)), place=place)
                   for s in starts]
    lines = "\n".join(f"• {full_line(ctx, lang, m)}" for m in occurrences)
    holidays = [w for s in starts for w in holiday_warnings(ctx, lang, s)]
    return Preview(
        args=args,
        parsed={"first": stored_time(starts[0]), "rule": rule, "minutes": minutes,
                "place": place, "link": link or None,
                "similar": similar.id if similar else None},
        lines=[req.t("preview.meeting_series", count=len(starts)), lines],
        people=len(eligible(ctx, sample)),
        warnings=[*short_notice(ctx, lang, starts[0], ctx.network.meeting_reminders),
                  *holidays,
                  *([req.t("preview.warn.series_exists", number=similar.id)]
                    if similar else [])])


def deliver_series(req: Request, draft: Draft) -> Message:
    """The series, created without asking again when the preview already said a similar one
    runs; refused when a similar one appeared since the preview."""
    held = draft.parsed
    first = _ahead(req, held["first"])
    similar = similar_series(req.ctx, "network", held["rule"],
                             series_starts(req.ctx, first, held["rule"]))
    if similar is not None and similar.id != held["similar"]:
        raise Outdated
    return create_series(req, first, held["rule"], held["minutes"], place=held["place"],
                         link=held["link"], warned=True)
