"""How a workplan action reads, shared by the workplan, the digest and the reports."""

from __future__ import annotations

from datetime import datetime

from handlers.context import Context
from storage.models import PlanAction


def status_label(ctx: Context, lang: str, status: str) -> str:
    return ctx.t(lang, f"plan.status.{status}")


def action_line(ctx: Context, lang: str, action: PlanAction) -> str:
    """« n° 3 — Atelier CEDEAO — pilote OIM — échéance … — en cours »."""
    return ctx.t(lang, "plan.line", number=action.id, title=action.title,
                 agency=ctx.agency_label(action.lead_agency, lang),
                 due=ctx.catalog.date(lang, datetime.fromisoformat(action.due),
                                      ctx.network.timezone),
                 status=status_label(ctx, lang, action.status))
