"""Broadcasts a lead started and has not sent yet: the preview they were shown, kept until they
press « Envoyer », « Modifier » or « Annuler », or until it expires. On disk, so that a preview
survives a restart, and so that a replayed « Envoyer » sends nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.records import Record, Time
from storage.repository import Numbered

WAITING = "waiting"
SENT = "sent"
DROPPED = "dropped"  # « Annuler », or « Modifier » (the command is typed again)


@dataclass
class Draft(Record):
    """One previewed broadcast: who started it, the command (its key and the words after its
    name, the item's number written in) and what they were read as (``parsed``: what the
    preview showed; sent only if the command still reads the same)."""

    id: int
    member_id: str
    command: str
    args: str
    created_at: Time
    expires_at: Time
    parsed: dict[str, Any] = field(default_factory=dict)
    status: str = WAITING  # waiting | sent | dropped
    closed_at: str = ""
    form: str = ""  # the form it was sent from (« Modifier » opens it again), if any
    answers: dict[str, str] = field(default_factory=dict)  # that form's answers


class Drafts(Numbered[Draft]):
    """Numbered, so that a button carries only the draft's number."""

    def close(self, draft: Draft, status: str, now_iso: str) -> None:
        draft.status = status
        draft.closed_at = now_iso
        self.save(draft)
