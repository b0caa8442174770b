"""Answers to an invitation — present, online or excused (with a reason and a delegate) — by
button or command, and their count. Only someone invited may answer, and only before the
meeting. Without a number, the next meeting the person is invited to is meant (or the
candidates are offered: ``handlers.choosing``); a series' invitation answers for the whole
series or for its first meeting, as the person chooses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.context import Context, UserError
from handlers.meetings.apology import apology_parts, read_apology
from handlers.meetings.choices import choose_meeting, invited, to_answer
from handlers.meetings.lookup import meeting_number, require_future
from handlers.meetings.wording import full_line
from handlers.router import Request
from handlers.types import Button, Message, Reply
from storage.models import Meeting, Rsvp

RSVP_CHOICES = ("present", "online", "excused")
SERIES = "series."  # a series invitation's buttons: ``series.<n°>``, then ``series.<n°>.all``
WHOLE = ".all"


def rsvp_buttons(ctx: Context, lang: str, meeting: Meeting, value: str = "") -> list[Button]:
    """The three answers; ``value`` another than the meeting's number (a series')."""
    return [Button(f"rsvp.{choice}", value or str(meeting.id),
                   ctx.t(lang, f"rsvp.button.{choice}"),
                   hint=f"{ctx.t(lang, f'cmd.rsvp_{choice}.name')} {meeting.id}",
                   style="primary" if choice == "present" else None)
            for choice in RSVP_CHOICES]


def tally(ctx: Context, meeting: Meeting) -> dict[str, int]:
    counts = dict.fromkeys(RSVP_CHOICES, 0)
    for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
        counts[rsvp.status] += 1
    return counts


def save_answer(req: Request, meeting: Meeting, choice: str, reason: str = "",
                delegate: str = "") -> Rsvp:
    """Record the person's answer to ``meeting`` (nothing written when it is the same)."""
    ctx, member = req.ctx, req.member
    assert member is not None
    if not invited(ctx, meeting, member):
        raise UserError("rsvp.not_invited", number=meeting.id)
    require_future(req, meeting)
    previous = ctx.store.rsvps.get(meeting.id, member.id)
    answer = Rsvp(id=f"{meeting.id}:{member.id}", meeting_id=meeting.id, member_id=member.id,
                  agency=member.agency, status=choice, at=ctx.now_iso(), reason=reason,
                  delegate=delegate)
    if previous is None or (previous.status, previous.reason, previous.delegate) != (
            choice, reason, delegate):
        ctx.store.rsvps.save(answer)
        return answer
    return previous


def _answer(req: Request, meeting: Meeting, choice: str, said: str = "") -> Message:
    reason, delegate = read_apology(said) if choice == "excused" else ("", "")
    saved = save_answer(req, meeting, choice, reason, delegate)
    return Message(paragraphs=[req.t(f"rsvp.done.{choice}", number=meeting.id,
                                     line=full_line(req.ctx, req.lang, meeting)),
                               *apology_parts(req.ctx, req.lang, saved)])


def rsvp_command(choice: str) -> Callable[[Request], Message]:
    def handler(req: Request) -> Message:
        meeting, rest = choose_meeting(req, to_answer(req))
        return _answer(req, meeting, choice, rest)
    handler.__doc__ = f"``{choice} [n°] [motif, représenté·e par …]``: answer an invite."
    return handler


def series_coming(req: Request, series_id: int) -> list[Meeting]:
    """The occurrences of a series still to come that the person is invited to."""
    member, now = req.member, req.ctx.now()
    return [m for m in req.ctx.store.meetings.of_series(series_id)
            if m.status == "scheduled" and datetime.fromisoformat(m.start) > now
            and member is not None and invited(req.ctx, m, member)]


def _series_answer(req: Request, value: str, choice: str) -> Message:
    """``series.<n°>``: whole series or first meeting? ``series.<n°>.all``: every occurrence
    still to come the person is invited to."""
    whole = value.endswith(WHOLE)
    number = value[len(SERIES):-len(WHOLE)] if whole else value[len(SERIES):]
    if not number.isdigit():
        raise UserError("meeting.bad_number", typed=value[:20])
    coming = series_coming(req, int(number))
    if not coming:
        raise UserError("rsvp.series_nothing", number=int(number))
    if not whole:
        first = coming[0]
        return Message(
            paragraphs=[req.t("rsvp.series_which", choice=req.t(f"rsvp.button.{choice}"),
                              count=len(coming), number=first.id)],
            buttons=[Button(f"rsvp.{choice}", f"{SERIES}{number}{WHOLE}",
                            req.t("rsvp.series_all", count=len(coming)), style="primary"),
                     Button(f"rsvp.{choice}", str(first.id),
                            req.t("rsvp.series_first", number=first.id))])
    for meeting in coming:
        save_answer(req, meeting, choice)
    return Message(paragraphs=[req.t(f"rsvp.series_done.{choice}", number=int(number),
                                     count=len(coming))])


def rsvp_click(choice: str) -> Callable[[Request, str], Message | Reply]:
    def handler(req: Request, value: str) -> Message:
        if value.startswith(SERIES):
            return _series_answer(req, value, choice)
        return _answer(req, meeting_number(req, value), choice)
    return handler
