"""The small typed values records hold in lists — an agenda item, a version of a statement, a
group's review, a workplan note — each stored as the plain JSON object it always was
(``Part.to_dict``, keys in the order they always had), so data written before they were typed
still loads. Keyword-only: ``AgendaItem(text=…, by=…, at=…)``."""

from __future__ import annotations

from dataclasses import dataclass

from storage.records import Part


@dataclass(frozen=True, kw_only=True)
class AgendaItem(Part):
    """One item of a meeting's agenda, in the order it was added."""

    text: str
    by: str = ""  # the member who added it
    at: str = ""  # when (UTC ISO 8601)


@dataclass(frozen=True, kw_only=True)
class StatementVersion(Part):
    """One drafted version of a joint statement, with the approval round opened on it."""

    number: int
    text: str
    by: str = ""
    at: str = ""
    poll: int | None = None  # the consultation of the Executive Committee on this version


@dataclass(frozen=True, kw_only=True)
class GroupReview(Part):
    """A dated review note on a working group."""

    at: str = ""  # when (UTC ISO 8601)
    by: str = ""  # the member who wrote it
    note: str


@dataclass(frozen=True, kw_only=True)
class PlanNote(Part):
    """A step in a workplan action's history: the status it was given, with an optional note."""

    at: str = ""
    by: str = ""
    status: str
    text: str = ""
