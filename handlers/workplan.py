"""The annual workplan: actions with a lead agency, Global Compact objectives, a due date and a
status, followed up from the chat; and the annual review that prepares the yearly meeting.

Co-chairs and the secretariat add and edit actions; the lead agency's focal points update status
and notes (``action <n°> en cours <note>``, or the buttons on a reminder).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers import info, report
from handlers.consultations.seats import focal_points
from handlers.context import Context, UserError, find_numbered, is_number
from handlers.markdown import to_html, to_markdown
from handlers.plan_view import action_line, status_label
from handlers.roles import LEADS
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Attachment, Button, Message
from handlers.when_text import refusal
from scheduler.jobs import PlanOverdue, PlanReminder, encode
from scheduler.when import WhenError, parse_deadline
from storage.models import FOCAL_POINT, PlanAction
from storage.parts import PlanNote
from storage.plan import OPEN
from storage.records import to_iso

STATUSES = ("planned", "in_progress", "done", "postponed", "abandoned")
STATUS_WORDS = {
    "prevue": "planned", "prevu": "planned", "planned": "planned",
    "en cours": "in_progress", "encours": "in_progress", "in progress": "in_progress",
    "ongoing": "in_progress", "realisee": "done", "realise": "done", "faite": "done",
    "done": "done", "reportee": "postponed", "reporte": "postponed", "postponed": "postponed",
    "abandonnee": "abandoned", "abandonne": "abandoned", "abandoned": "abandoned",
}
MAX_TITLE = 300


def number_of(req: Request, text: str) -> PlanAction:
    return find_numbered(req.ctx.store.plan, text, "plan.bad_number",
                         "plan.not_found")


def add_command(req: Request) -> Message:
    """``plan ajouter <année> | <titre> | <agence pilote> | <échéance> [| #N …]
    [| partenaires A, B]``."""
    ctx = req.ctx
    fields = [f.strip() for f in req.args.split("|")]
    if len(fields) < 4 or not is_number(fields[0]) or not fields[1]:
        raise UserError("plan.add_usage", name=req.name)
    year, title = int(fields[0]), fields[1][:MAX_TITLE]
    lead = ctx.network.find_agency(fields[2])
    if lead is None:
        raise UserError("members.unknown_agency", typed=fields[2][:40], codes=", ".join(
            a.acronym(req.lang) for a in ctx.network.agencies))
    try:
        due = parse_deadline(fields[3], now=ctx.now(), tz=ctx.network.timezone,
                             end_of_day=ctx.network.end_of_day)
    except WhenError as error:
        raise refusal(ctx, error) from None
    objectives: list[int] = []
    partners: list[str] = []
    for extra in fields[4:]:
        words = extra.split()
        if words and fold(words[0]) in ("partenaires", "partners"):
            for typed in " ".join(words[1:]).split(","):
                agency = ctx.network.find_agency(typed)
                if agency is None and typed.strip():
                    raise UserError("members.unknown_agency", typed=typed.strip()[:40],
                                    codes=", ".join(a.acronym(req.lang)
                                                    for a in ctx.network.agencies))
                if agency:
                    partners.append(agency.code)
        else:
            objectives += [int(n) for n in re.findall(r"#(\d{1,2})\b", extra)
                           if int(n) in info.OBJECTIVES]
    now = ctx.now_iso()
    action = ctx.store.plan.add(lambda n: PlanAction(
        id=n, year=year, title=title, lead_agency=lead.code, due=to_iso(due),
        objectives=sorted(set(objectives)), partners=partners,
        created_by=req.member.id if req.member else "", created_at=now, updated_at=now))
    return Message(paragraphs=[req.t("plan.added", number=action.id, year=year),
                               action_line(ctx, req.lang, action)])


def list_command(req: Request) -> Message:
    """``plan [année]``: the year's actions with their status."""
    ctx = req.ctx
    words = req.args.split()
    year = int(words[0]) if words and is_number(words[0]) else ctx.now().astimezone(
        ZoneInfo(ctx.network.timezone)).year
    actions = ctx.store.plan.of_year(year)
    if not actions:
        return Message(paragraphs=[req.t("plan.empty", year=year)])
    return Message(title=req.t("plan.title", year=year, count=len(actions)),
                   paragraphs=["\n".join(action_line(ctx, req.lang, a) for a in actions)])


def _can_update(req: Request, action: PlanAction) -> None:
    member = req.member
    if req.roles & LEADS:
        return
    if member is None or FOCAL_POINT not in member.roles or member.agency != action.lead_agency:
        raise UserError("plan.not_lead", agency=req.ctx.agency_label(action.lead_agency,
                                                                     req.lang))


def update(req: Request, action: PlanAction, status: str | None, note: str) -> Message:
    """A new status and/or a dated note, kept in the action's history."""
    _can_update(req, action)
    ctx = req.ctx
    if status is None and not note:
        raise UserError("plan.update_usage", name=req.t("cmd.plan_action.name"))
    if status is not None and status == action.status and not note:
        return Message(paragraphs=[req.t("plan.unchanged", number=action.id,
                                         status=status_label(ctx, req.lang, status))])
    if status is not None:
        action.status = status
    action.notes.append(PlanNote(at=ctx.now_iso(), by=req.member.id if req.member else "",
                                 status=action.status, text=note[:1000]))
    action.updated_at = ctx.now_iso()
    ctx.store.plan.save(action)
    return Message(paragraphs=[req.t("plan.updated", number=action.id,
                                     status=status_label(ctx, req.lang, action.status))])


def action_command(req: Request) -> Message:
    """``action <n°>`` shows; ``action <n°> en cours|réalisée|… [note]``, ``action <n°> note
    <texte>``, ``action <n°> échéance <quand>`` (leads) change it."""
    ctx = req.ctx
    words = req.args.split(None, 1)
    if not words:
        raise UserError("plan.update_usage", name=req.name)
    action = number_of(req, words[0])
    rest = words[1].strip() if len(words) > 1 else ""
    if not rest:
        return show(ctx, req.lang, action)
    folded = fold(rest)
    if folded.startswith(("echeance ", "due ")):
        if not req.roles & LEADS:
            raise UserError("plan.leads_only")
        try:
            due = parse_deadline(rest.split(None, 1)[1], now=ctx.now(),
                                 tz=ctx.network.timezone, end_of_day=ctx.network.end_of_day)
        except WhenError as error:
            raise refusal(ctx, error) from None
        action.due = to_iso(due)
        action.updated_at = ctx.now_iso()
        ctx.store.plan.save(action)
        return Message(paragraphs=[req.t("plan.due_changed", number=action.id),
                                   action_line(ctx, req.lang, action)])
    if folded.startswith("note "):
        return update(req, action, None, rest.split(None, 1)[1])
    for words_count in (2, 1):
        key = " ".join(folded.split()[:words_count])
        if key in STATUS_WORDS:
            note = " ".join(rest.split()[words_count:])
            return update(req, action, STATUS_WORDS[key], note)
    raise UserError("plan.update_usage", name=req.name)


def show(ctx: Context, lang: str, action: PlanAction) -> Message:
    lines = [action_line(ctx, lang, action),
             ctx.t(lang, "info.objectives_line",
                   objectives=info.objectives_words(ctx, lang, action.objectives))]
    if action.partners:
        lines.append(ctx.t(lang, "plan.partners", agencies=", ".join(
            ctx.agency_label(code, lang) for code in action.partners)))
    for note in action.notes:
        lines.append(ctx.t(lang, "plan.note_line", date=ctx.catalog.date(
            lang, datetime.fromisoformat(note.at), ctx.network.timezone),
            status=status_label(ctx, lang, note.status), text=note.text or "—"))
    return Message(title=ctx.t(lang, "plan.action_title", number=action.id),
                   paragraphs=["\n".join(lines)])


def status_click(status: str) -> Callable[[Request, str], Message]:
    def handler(req: Request, value: str) -> Message:
        return update(req, number_of(req, value), status, "")
    return handler


def buttons(ctx: Context, lang: str, action: PlanAction) -> list[Button]:
    name = ctx.t(lang, "cmd.plan_action.name")
    return [Button(f"plan.{status}", str(action.id), ctx.t(lang, f"plan.button.{status}"),
                   hint=f"{name} {action.id} {ctx.t(lang, f'plan.word.{status}')}")
            for status in ("in_progress", "done", "postponed")]


# Scheduled work: reminders before the due date, an update request once overdue.

def _followed(ctx: Context, job: PlanReminder | PlanOverdue) -> PlanAction | None:
    """The job's action, if it is still open with that due date and the job not done."""
    action = ctx.store.plan.get(job.action_id)
    if action is None or action.due != job.due or action.status not in OPEN:
        return None
    if encode(job) in ctx.store.jobs_done:
        return None
    return action


def _chase(ctx: Context, action: PlanAction, job_id: str, kind: str,
           until: datetime | None = None) -> int:
    """Ask the lead agency's focal points where the action stands, with the buttons."""
    return ctx.send_to_members(focal_points(ctx, action.lead_agency), job_id, lambda lang: Message(
        title=ctx.t(lang, f"plan.{kind}_title", number=action.id),
        paragraphs=[action_line(ctx, lang, action), ctx.t(lang, f"plan.{kind}_body")],
        buttons=buttons(ctx, lang, action)), until=until)


def send_reminder(ctx: Context, job: PlanReminder) -> int:
    """The job ``plan.reminder``: before the due date (the earlier offsets, now moot, are marked
    done with it)."""
    action = _followed(ctx, job)
    if action is None:
        return 0
    sent = _chase(ctx, action, encode(job), "reminder",
                  until=datetime.fromisoformat(action.due))  # a reminder before the due date
    for other in ctx.network.workplan_reminders:
        if other >= job.offset:
            ctx.store.jobs_done.mark(encode(PlanReminder(action.id, action.due, other)),
                                     ctx.now_iso())
    return sent


def send_overdue(ctx: Context, job: PlanOverdue) -> int:
    """The job ``plan.overdue``: the due date passed and the action is still open."""
    action = _followed(ctx, job)
    if action is None:
        return 0
    sent = _chase(ctx, action, encode(job), "overdue")
    ctx.store.jobs_done.mark(encode(job), ctx.now_iso())
    return sent


# The annual review.

def workplan_lines(ctx: Context, lang: str, actions: list[PlanAction]) -> list[str]:
    lines = []
    for action in actions:
        lines.append(action_line(ctx, lang, action))
        lines += [ctx.t(lang, "plan.note_line", date=ctx.catalog.date(
            lang, datetime.fromisoformat(n.at), ctx.network.timezone),
            status=status_label(ctx, lang, n.status), text=n.text or "—")
            for n in action.notes]
    return lines


def review_command(req: Request) -> Message:
    """``bilan <année>``: the workplan, meetings held, decisions and statements, information by
    objective — a summary and Markdown and HTML files for the annual review meeting."""
    ctx, lang = req.ctx, req.lang
    words = req.args.split()
    if len(words) != 1 or not is_number(words[0]) or not 2000 <= int(words[0]) <= 2100:
        raise UserError("plan.review_usage", name=req.name)
    year = int(words[0])
    tz = ZoneInfo(ctx.network.timezone)
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    data = report.figures(ctx, start, end)
    actions = ctx.store.plan.of_year(year)
    counts = {status: sum(1 for a in actions if a.status == status) for status in STATUSES}
    title = ctx.t(lang, "plan.review_title", network=ctx.network.name(lang), year=year)
    sections = [(ctx.t(lang, "plan.review_workplan", count=len(actions)),
                 workplan_lines(ctx, lang, actions))] + report.report_sections(ctx, lang, data)
    summary = ctx.t(lang, "plan.review_summary", actions=len(actions), done=counts["done"],
                    in_progress=counts["in_progress"], meetings=len(data.meetings),
                    decisions=len(data.decisions), statements=len(data.statements),
                    items=data.items_total)
    return Message(title=title, paragraphs=[summary], attachments=[
        Attachment(f"bilan-{year}.md", to_markdown(title, sections).encode("utf-8"),
                   "text/markdown"),
        Attachment(f"bilan-{year}.html", to_html(title, sections, lang).encode("utf-8"),
                   "text/html")])
