"""What people read of consultations: one in full (``consultation <n°>``), the open ones, and the
decision register (``décisions``, or as a CSV file)."""

from __future__ import annotations

from datetime import datetime

from handlers.consultations.choices import choose_consultation, open_visible
from handlers.consultations.export import decisions_csv
from handlers.consultations.seats import decision_of, may_see, silent_agencies
from handlers.consultations.wording import reason_summary, scope_label, status_message
from handlers.context import UserError
from handlers.router import Request
from handlers.settings import fold
from handlers.types import Message


def status_command(req: Request) -> Message:
    """``consultation [n°]``: proposal, deadline, positions, reasons, who has not answered."""
    consultation, _ = choose_consultation(req, open_visible(req))
    if not may_see(req, consultation):
        raise UserError("poll.executive_only", number=consultation.id)
    return status_message(req.ctx, req.lang, consultation)


def list_command(req: Request) -> Message:
    ctx = req.ctx
    open_ones = [c for c in ctx.store.consultations.open() if may_see(req, c)]
    if not open_ones:
        return Message(paragraphs=[req.t("poll.none_open")])
    lines = []
    for consultation in open_ones:
        executive, others = silent_agencies(ctx, consultation)
        lines.append(req.t("poll.list_line", number=consultation.id,
                           proposal=consultation.proposal[:80],
                           deadline=ctx.when(req.lang, datetime.fromisoformat(
                               consultation.deadline)),
                           silent=len(executive) + len(others)))
    return Message(title=req.t("poll.list_title", count=len(open_ones)),
                   paragraphs=["\n".join(lines)])


def decisions_command(req: Request) -> Message:
    """``décisions`` lists the decision register; ``décisions csv`` attaches it as a file. Each
    line says whose decision it is (the network, the Executive Committee, a group) and why."""
    ctx, lang = req.ctx, req.lang
    closed = [c for c in ctx.store.consultations.all()
              if c.status == "closed" and may_see(req, c)]
    if fold(req.args.strip()) == "csv":
        return Message(paragraphs=[req.t("poll.csv_ready", count=len(closed))],
                       attachments=[decisions_csv(ctx, lang, closed)])
    if not closed:
        return Message(paragraphs=[req.t("poll.no_decisions")])
    lines = []
    for c in reversed(closed[-30:]):
        why = reason_summary(ctx, lang, decision_of(ctx, c))
        lines.append(req.t("poll.decision_line_why" if why else "poll.decision_line",
                           number=c.id, proposal=c.proposal[:100],
                           scope=scope_label(ctx, lang, c), why=why,
                           outcome=req.t(f"poll.outcome_short.{c.outcome}"),
                           date=ctx.catalog.date(lang, datetime.fromisoformat(
                               c.closed_at or c.deadline), ctx.network.timezone)))
    return Message(title=req.t("poll.decisions_title", count=len(closed)),
                   paragraphs=["\n".join(lines), req.t("poll.csv_hint")])
