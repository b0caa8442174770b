"""The period report to the Regional UN Network on Migration: meetings held and attendance,
decisions and joint statements, information shared by Global Compact objective, participation of
each agency in consultations. Every number is computed from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import info
from handlers.consultations.seats import consulted_agencies
from handlers.context import Context, UserError
from handlers.markdown import to_html, to_markdown
from handlers.meetings.wording import kind_label
from handlers.plan_view import status_label
from handlers.router import Request
from handlers.types import Attachment, Message
from handlers.when_text import refusal
from scheduler import when
from storage.records import to_iso


@dataclass(frozen=True)
class Figures:
    """What the report counts, kept apart from how it is written (tests check these)."""

    meetings: list[tuple[int, str, dict[str, int]]]  # number, start ISO, attendance per agency
    decisions: list[tuple[int, str, str]]  # number, outcome, proposal
    statements: list[tuple[int, str]]  # number, subject
    items_by_objective: dict[int, int]  # 0 = no objective
    items_total: int
    participation: dict[str, tuple[int, int]]  # agency → (answered, consulted)
    actions: dict[str, int]  # workplan actions due in the period, by status


def period(req: Request) -> tuple[datetime, datetime]:
    """The report's period, read by the time-expression parser (``scheduler.when.parse_period``):
    « 01/11/2026 04/12/2026 », « du 1er novembre au 4 décembre 2026 », « from 1 November to 4
    December 2026 »; from the start of its first day to the end of its last."""
    ctx = req.ctx
    zone = ZoneInfo(ctx.network.timezone)
    try:
        first, last = when.parse_period(req.args, now=ctx.now(), tz=ctx.network.timezone)
    except when.WhenError as error:
        if error.reason in ("empty", "unrecognised"):
            raise UserError("report.usage", name=req.name) from None
        raise refusal(ctx, error) from None
    return (datetime.combine(first, time(0), zone),
            datetime.combine(last, time(0), zone) + timedelta(days=1))


def figures(ctx: Context, start: datetime, end: datetime) -> Figures:
    """Counts for ``start`` ≤ moment < ``end``."""
    lo, hi, now = to_iso(start), to_iso(end), ctx.now_iso()
    held = []
    for meeting in ctx.store.meetings.all():
        if meeting.status == "scheduled" and lo <= meeting.start < hi and meeting.start <= now:
            attendance: dict[str, int] = {}
            for rsvp in ctx.store.rsvps.of_meeting(meeting.id):
                if rsvp.status in ("present", "online"):
                    attendance[rsvp.agency] = attendance.get(rsvp.agency, 0) + 1
            held.append((meeting.id, meeting.start, attendance))
    decided = [(c.id, c.outcome or "", c.proposal) for c in ctx.store.consultations.all()
               if c.status == "closed" and c.outcome in ("adopted", "not_adopted")
               and lo <= (c.closed_at or "") < hi]
    published = [(s.id, s.subject) for s in ctx.store.statements.all()
                 if s.status == "published" and lo <= (s.published_at or "") < hi]
    items = [i for i in ctx.store.items.newest_first() if lo <= i.at < hi]
    by_objective: dict[int, int] = {}
    for item in items:
        for number in item.objectives or [0]:
            by_objective[number] = by_objective.get(number, 0) + 1
    participation: dict[str, tuple[int, int]] = {}
    for c in ctx.store.consultations.all():
        if not lo <= c.opened_at < hi or c.outcome == "superseded":
            continue
        answered = ctx.store.positions.current(c.id)
        for agency in consulted_agencies(ctx, c):
            done, asked = participation.get(agency.code, (0, 0))
            participation[agency.code] = (done + (agency.code in answered), asked + 1)
    actions: dict[str, int] = {}
    for action in ctx.store.plan.all():
        if lo <= action.due < hi:
            actions[action.status] = actions.get(action.status, 0) + 1
    return Figures(held, decided, published, dict(sorted(by_objective.items())), len(items),
                   participation, actions)


def report_sections(ctx: Context, lang: str, data: Figures) -> list[tuple[str, list[str]]]:
    t = ctx.t
    meeting_lines = []
    for number, start, attendance in data.meetings:
        meeting = ctx.store.meetings.get(number)
        people = ", ".join(f"{ctx.agency_label(code, lang)} {count}"
                           for code, count in sorted(attendance.items())) or "—"
        meeting_lines.append(t(lang, "report.meeting_line", number=number,
                               kind=kind_label(ctx, lang, meeting),
                               date=ctx.catalog.date(lang, datetime.fromisoformat(start),
                                                     ctx.network.timezone),
                               attendance=people, agencies=len(attendance)))
    item_lines = [t(lang, "report.objective_line", number=n,
                    label=info.objective_label(ctx, lang, n) if n else t(lang,
                                                                         "info.no_objective"),
                    count=count) for n, count in data.items_by_objective.items()]
    participation_lines = [t(lang, "report.participation_line",
                             agency=ctx.agency_label(code, lang), answered=done, asked=asked)
                           for code, (done, asked) in sorted(
                               data.participation.items(),
                               key=lambda kv: ctx.agency_label(kv[0], lang))]
    return [
        (t(lang, "report.meetings", count=len(data.meetings)), meeting_lines),
        (t(lang, "report.decisions", count=len(data.decisions)), [
            t(lang, "poll.decision_line_short", number=n,
              outcome=t(lang, f"poll.outcome_short.{o}"), proposal=p[:200])
            for n, o, p in data.decisions]),
        (t(lang, "report.statements", count=len(data.statements)), [
            t(lang, "report.statement_line", number=n, subject=s) for n, s in data.statements]),
        (t(lang, "report.items", count=data.items_total), item_lines),
        (t(lang, "report.participation"), participation_lines),
        (t(lang, "report.workplan", count=sum(data.actions.values())), [
            t(lang, "report.workplan_line", status=status_label(ctx, lang, status), count=count)
            for status, count in data.actions.items()]),
    ]


def report_command(req: Request) -> Message:
    """``rapport <début> <fin>``: Markdown and HTML files, and the headline figures."""
    ctx, lang = req.ctx, req.lang
    start, end = period(req)
    if end <= start:
        raise UserError("report.order")
    data = figures(ctx, start, end)
    tz = ctx.network.timezone
    title = ctx.t(lang, "report.title", network=ctx.network.name(lang),
                  start=ctx.catalog.date(lang, start, tz),
                  end=ctx.catalog.date(lang, end - timedelta(seconds=1), tz))
    found = report_sections(ctx, lang, data)
    name = f"rapport-{start.date().isoformat()}-{(end - timedelta(days=1)).date().isoformat()}"
    return Message(
        title=title,
        paragraphs=[ctx.t(lang, "report.summary", meetings=len(data.meetings),
                          decisions=len(data.decisions), statements=len(data.statements),
                          items=data.items_total)],
        attachments=[
            Attachment(f"{name}.md", to_markdown(title, found).encode("utf-8"),
                       "text/markdown"),
            Attachment(f"{name}.html", to_html(title, found, lang).encode("utf-8"),
                       "text/html")])
