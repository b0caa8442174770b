"""Guided conversations in progress: a command typed without its arguments where the platform
has no forms (Telegram, the console) asks for each answer in turn. One open conversation per
person and chat, on disk, so that a restart resumes it at the same question; numbered, so that
its buttons carry only its number and its timeout is a job derived from it
(``scheduler.jobs.ConversationTimeout``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from storage.collection import by_field
from storage.records import Record, Time
from storage.repository import Numbered

# A conversation left untouched this long is closed, and the person told how to start again.
IDLE_LIMIT = timedelta(minutes=30)
OPEN = "open"
DONE = "done"  # submitted: the record (or its preview) made
CANCELLED = "cancelled"  # « annuler », or another conversation started in the same chat
EXPIRED = "expired"  # left untouched too long: closed politely by its job


@dataclass
class Conversation(Record):
    """``identity`` answering the flow ``flow`` in ``chat``: the answers given so far by field
    name (an optional field skipped holds ``""``), and a moment read but not yet confirmed
    (``pending``, UTC ISO 8601, for the field ``pending_field``)."""

    id: int
    identity: str  # ``telegram:100000001``
    chat: str
    flow: str
    started_at: Time
    updated_at: Time
    answers: dict[str, str] = field(default_factory=dict)
    pending: str = ""
    pending_field: str = ""
    status: str = OPEN  # open | done | cancelled | expired
    closed_at: str = ""


class Conversations(Numbered[Conversation]):
    """Numbered conversations; the open ones are found through an index, by person."""

    indexes = {"status": by_field("status"), "identity": by_field("identity")}

    def open(self) -> list[Conversation]:
        return self.lookup("status", OPEN)

    def open_in(self, identity: str, chat: str) -> Conversation | None:
        """The conversation ``identity`` is having in ``chat``, if any: another person's, or
        the same person's in another chat, is never it."""
        found = [c for c in self.lookup("identity", identity)
                 if c.status == OPEN and c.chat == chat]
        return max(found, key=lambda c: c.id) if found else None

    def close(self, conversation: Conversation, status: str, now_iso: str) -> None:
        conversation.status = status
        conversation.closed_at = now_iso
        conversation.pending = conversation.pending_field = ""
        self.save(conversation)
