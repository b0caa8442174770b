"""Meetings, their series and the answers to invites."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection, by_field
from storage.models import Meeting, MeetingSeries, Rsvp


class Meetings:
    """Numbered meetings; occurrences of a series are meetings too."""

    record = Meeting

    def __init__(self, collection: Collection[Meeting]) -> None:
        self._c = collection
        collection.add_index("status", by_field("status"))
        collection.add_index("series", by_field("series_id"))

    def get(self, number: int) -> Meeting | None:
        return self._c.get_number(number)

    def all(self) -> list[Meeting]:
        return sorted(self._c.all(), key=lambda m: (m.start, m.id))

    def upcoming(self, now_iso: str) -> list[Meeting]:
        """Scheduled meetings that have not ended, soonest first (only those are decoded)."""
        found = self._c.lookup("status", "scheduled", lambda doc: doc.get("end", "") > now_iso)
        return sorted(found, key=lambda m: (m.start, m.id))

    def of_series(self, series_id: int) -> list[Meeting]:
        found = self._c.lookup("series", series_id)
        return sorted(found, key=lambda m: (m.start, m.id))

    def add(self, build: Callable[[int], Meeting]) -> Meeting:
        return self._c.add_numbered(build)

    def save(self, meeting: Meeting) -> None:
        self._c.save_numbered(meeting)


class Series:
    record = MeetingSeries

    def __init__(self, collection: Collection[MeetingSeries]) -> None:
        self._c = collection

    def get(self, number: int) -> MeetingSeries | None:
        return self._c.get_number(number)

    def all(self) -> list[MeetingSeries]:
        return sorted(self._c.all(), key=lambda s: s.id)

    def add(self, build: Callable[[int], MeetingSeries]) -> MeetingSeries:
        return self._c.add_numbered(build)

    def save(self, series: MeetingSeries) -> None:
        self._c.save_numbered(series)


class Rsvps:
    """One answer per person and meeting (changing it replaces it)."""

    record = Rsvp

    def __init__(self, collection: Collection[Rsvp]) -> None:
        self._c = collection
        collection.add_index("meeting", by_field("meeting_id"))

    def of_meeting(self, meeting_id: int) -> list[Rsvp]:
        return self._c.lookup("meeting", meeting_id)

    def get(self, meeting_id: int, member_id: str) -> Rsvp | None:
        return self._c.get_keyed(f"{meeting_id}:{member_id}")

    def save(self, rsvp: Rsvp) -> None:
        self._c.save_keyed(rsvp)
