"""What the end of a statement's approval round means for the statement.

A round is a consultation of the Executive Committee on one version of the text: statements open
rounds (``handlers.statements``), consultations close them. This piece sits apart from both so
that neither imports the other.
"""

from __future__ import annotations

from handlers.context import Context
from storage.models import Consultation


def round_closed(ctx: Context, consultation: Consultation) -> None:
    """A round ended: the statement is adopted or not — for the version that round was on."""
    statement = ctx.store.statements.get(consultation.statement_id or 0)
    if statement is None or not statement.versions:
        return
    if statement.versions[-1].number != consultation.statement_version:
        return  # an older version's round: it does not decide
    statement.status = "adopted" if consultation.outcome == "adopted" else "not_adopted"
    ctx.store.statements.save(statement)
