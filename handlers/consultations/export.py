"""The decision register as a CSV file that opens right in a spreadsheet: one row per closed
consultation, with its positions and the reasons of its outcome."""

from __future__ import annotations

from handlers.consultations.seats import decision_of
from handlers.consultations.wording import acronyms, left_out_text, scope_label
from handlers.context import Context
from handlers.spreadsheet import MEDIA_TYPE, csv_bytes
from handlers.types import Attachment
from storage.models import Consultation


def decisions_csv(ctx: Context, lang: str, closed: list[Consultation]) -> Attachment:
    """The decision register as a file that opens right in a spreadsheet (``spreadsheet``)."""
    header = [ctx.t(lang, f"poll.csv.{h}") for h in (
        "number", "proposal", "mode", "opened", "deadline", "closed", "outcome", "note",
        "positions", "scope", "objected", "silent", "left_out", "blocking", "not_reached")]
    rows = []
    for c in closed:
        current = ctx.store.positions.current(c.id)
        positions = "; ".join(f"{ctx.agency_label(code, lang)}={p.choice}"
                              for code, p in current.items())
        decision = decision_of(ctx, c)
        rows.append([
            str(c.id), c.proposal, c.mode, c.opened_at, c.deadline, c.closed_at or "",
            c.outcome or "", c.outcome_note or "", positions, scope_label(ctx, lang, c),
            acronyms(ctx, lang, decision.objected), acronyms(ctx, lang, decision.silent),
            left_out_text(ctx, lang, decision.left_out),
            acronyms(ctx, lang, decision.blocking), acronyms(ctx, lang, decision.not_reached)])
    return Attachment("decisions.csv", csv_bytes(lang, header, rows), MEDIA_TYPE)
