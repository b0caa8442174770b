"""Meetings, their series, the answers to invites, and the record of jobs already done."""

from __future__ import annotations

from collections.abc import Callable

from storage.collection import Collection
from storage.models import JobDone, Meeting, MeetingSeries, Rsvp


class Meetings:
    """Numbered meetings; occurrences of a series are meetings too."""

    record = Meeting

    def __init__(self, collection: Collection[Meeting]) -> None:
        self._c = collection

    def get(self, number: int) -> Meeting | None:
        return self._c.get_number(number)

    def all(self) -> list[Meeting]:
        return sorted(self._c.all(), key=lambda m: (m.start, m.id))

    def upcoming(self, now_iso: str) -> list[Meeting]:
        """Scheduled meetings that have not ended, soonest first."""
        found = self._c.where(lambda doc: doc.get("status") == "scheduled"
                              and doc.get("end", "") > now_iso)
        return sorted(found, key=lambda m: (m.start, m.id))

    def of_series(self, series_id: int) -> list[Meeting]:
        found = self._c.where(lambda doc: doc.get("series_id") == series_id)
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

    def of_meeting(self, meeting_id: int) -> list[Rsvp]:
        return self._c.where(lambda doc: doc.get("meeting_id") == meeting_id)

    def get(self, meeting_id: int, member_id: str) -> Rsvp | None:
        return self._c.get_keyed(f"{meeting_id}:{member_id}")

    def save(self, rsvp: Rsvp) -> None:
        self._c.save_keyed(rsvp)


class JobsDone:
    """Ids of jobs that did their work. Checked before a job acts, written once it has."""

    record = JobDone

    def __init__(self, collection: Collection[JobDone]) -> None:
        self._c = collection
        self._done_at = {job.id: job.done_at for job in collection}
        self._ids = set(self._done_at)

    def all(self) -> list[JobDone]:
        return self._c.all()

    def done_at(self, job_id: str) -> str | None:
        return self._done_at.get(job_id)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self._ids

    def mark(self, job_id: str, at: str, outcome: str = "done") -> bool:
        """Record ``job_id`` as done; ``False`` if it already was."""
        if job_id in self._ids:
            return False
        self._c.insert(JobDone(id=job_id, done_at=at, outcome=outcome))
        self._ids.add(job_id)
        self._done_at[job_id] = at
        return True
