"""What each person's standing to-do view (Slack's App Home) last showed, by identity: a
fingerprint of the view, so that it is published again only when what it shows changed."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Record, Time
from storage.repository import Keyed


@dataclass
class TodoView(Record):
    """The last view queued for one identity (``platform:user``)."""

    id: str  # the identity
    digest: str  # a fingerprint of the view's content and language
    at: Time
    row: int = 0  # the outbox row that carries it: replaced if still waiting


class TodoViews(Keyed[TodoView]):
    """One record per identity whose to-do view was ever published."""
