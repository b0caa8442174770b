"""The meeting a command names (« réunion voir 12 »), and whether it can still change: a
cancelled or past meeting is refused with a message that says why."""

from __future__ import annotations

from datetime import datetime

from handlers.context import UserError, find_numbered
from handlers.router import Request
from storage.models import Meeting


def meeting_number(req: Request, text: str) -> Meeting:
    return find_numbered(req.ctx.store.meetings, text, "meeting.bad_number",
                         "meeting.not_found")


def require_future(req: Request, meeting: Meeting) -> None:
    """Only a meeting still to come can be answered or changed."""
    if meeting.status == "cancelled":
        raise UserError("meeting.cancelled", number=meeting.id)
    if datetime.fromisoformat(meeting.start) <= req.ctx.now():
        raise UserError("meeting.past", number=meeting.id)
