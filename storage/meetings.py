"""Meetings, their series and the answers to invites."""

from __future__ import annotations

from storage.collection import by_field
from storage.models import Meeting, MeetingSeries, Rsvp
from storage.repository import Keyed, Numbered


class Meetings(Numbered[Meeting]):
    """Numbered meetings; occurrences of a series are meetings too."""

    indexes = {"status": by_field("status"), "series": by_field("series_id")}
    order_by = ("start", "id")

    def upcoming(self, now_iso: str) -> list[Meeting]:
        """Scheduled meetings that have not ended, soonest first (only those are decoded)."""
        found = self.lookup("status", "scheduled", lambda doc: doc.get("end", "") > now_iso)
        return sorted(found, key=lambda m: (m.start, m.id))

    def of_series(self, series_id: int) -> list[Meeting]:
        return sorted(self.lookup("series", series_id), key=lambda m: (m.start, m.id))


class Series(Numbered[MeetingSeries]):
    """Recurrence rules, numbered (a draft's number is its confirmation button's value)."""


class Rsvps(Keyed[Rsvp]):
    """One answer per person and meeting (changing it replaces it), keyed
    ``<meeting>:<member>``."""

    indexes = {"meeting": by_field("meeting_id")}

    def of_meeting(self, meeting_id: int) -> list[Rsvp]:
        return self.lookup("meeting", meeting_id)

    def get(self, meeting_id: int, member_id: str) -> Rsvp | None:  # type: ignore[override]
        return super().get(f"{meeting_id}:{member_id}")
