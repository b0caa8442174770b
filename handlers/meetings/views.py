"""``réunions`` and ``réunion voir <n°>``: what is coming with the answers so far, and one
meeting's details with the answers per agency (and, for leads, who has not answered)."""

from __future__ import annotations

from handlers.meetings.apology import apology_lines
from handlers.meetings.choices import choose_meeting, to_manage_or_read
from handlers.meetings.invitees import invitees
from handlers.meetings.rsvp import RSVP_CHOICES, tally
from handlers.meetings.wording import details, full_line, kind_label
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Message


def list_upcoming(req: Request) -> Message:
    """``réunions``: what is coming, with the answers so far."""
    ctx = req.ctx
    upcoming = ctx.store.meetings.upcoming(ctx.now_iso())
    if not upcoming:
        return Message(paragraphs=[req.t("meeting.none_upcoming")])
    lines = []
    for meeting in upcoming[:15]:
        counts = tally(ctx, meeting)
        lines.append(req.t("meeting.list_line", number=meeting.id,
                           kind=kind_label(ctx, req.lang, meeting),
                           line=full_line(ctx, req.lang, meeting), present=counts["present"],
                           online=counts["online"], excused=counts["excused"]))
    return Message(title=req.t("meeting.upcoming_title", count=len(upcoming)),
                   paragraphs=["\n".join(lines)])


def show(req: Request) -> Message:
    """``réunion voir <n°>``: details, answers per agency, and who has not answered (leads)."""
    ctx, lang = req.ctx, req.lang
    meeting, _ = choose_meeting(req, to_manage_or_read(req))
    title_key = "meeting.show_title_cancelled" if meeting.status == "cancelled" else \
        "meeting.show_title"
    paragraphs = details(ctx, lang, meeting)
    per_agency: dict[str, dict[str, int]] = {}
    for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
        per_agency.setdefault(rsvp.agency, dict.fromkeys(RSVP_CHOICES, 0))[rsvp.status] += 1
    if per_agency:
        rows = [req.t("meeting.agency_line", agency=ctx.agency_label(code, lang), **counts)
                for code, counts in sorted(per_agency.items(),
                                           key=lambda kv: ctx.agency_label(kv[0], lang))]
        paragraphs.append(req.t("meeting.answers_heading") + "\n" + "\n".join(rows))
    else:
        paragraphs.append(req.t("meeting.no_answers"))
    if not req.roles.isdisjoint(LEADS):
        answered = {r.member_id for r in ctx.store.rsvps.of_meeting(meeting.id)}
        silent = [m for m in invitees(ctx, meeting) if m.id not in answered]
        names = "; ".join(f"{m.name} ({ctx.agency_label(m.agency, lang)})"
                          for m in sorted(silent, key=lambda m: (m.agency, fold(m.name))))
        paragraphs.append(req.t("meeting.silent", count=len(silent), names=names or "—"))
        paragraphs += apology_lines(ctx, lang, ctx.store.rsvps.of_meeting(meeting.id))
    return Message(title=req.t(title_key, kind=kind_label(ctx, lang, meeting),
                               number=meeting.id), paragraphs=paragraphs)
