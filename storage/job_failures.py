"""Scheduled jobs that raised: how many times, when to try again, and the ones given up.

Kept on disk, apart from the marks of jobs done (``storage/jobs_done.py``), so that a restart
neither forgets the count (and retries for ever) nor retries at once what was meant to wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from storage.collection import Collection
from storage.records import Record, Time
from storage.repository import Repository

RETRYING = "retrying"
FAILED = "failed"  # given up: never run again by the scheduler
RECOVERED = "recovered"  # a later attempt did the work


@dataclass
class JobFailure(Record):
    """One job id's failed attempts (the last error is kept for the log, never shown in chat).

    Schema 2 dropped ``ref`` (the job's reference as text): the id names the whole job."""

    SCHEMA: ClassVar[int] = 2

    id: str  # the job's stable id (``scheduler.jobs.encode``)
    kind: str
    attempts: int
    first_failed_at: Time
    last_failed_at: Time
    next_attempt_at: Time
    last_error: str = ""
    status: str = RETRYING

    @classmethod
    def upgrade(cls, doc: dict[str, Any], version: int) -> dict[str, Any]:
        doc.pop("ref", None)
        return doc


class JobFailures(Repository[JobFailure]):
    """Looked up by job id on every schedule computation: kept in memory (a handful of rows)."""

    def __init__(self, collection: Collection[JobFailure]) -> None:
        super().__init__(collection)
        self._by_id = {failure.id: failure for failure in collection}

    def get(self, job_id: str) -> JobFailure | None:
        return self._by_id.get(job_id)

    def open(self) -> dict[str, JobFailure]:
        """The failures that still bear on the schedule (retrying or given up), by job id."""
        return {k: f for k, f in self._by_id.items() if f.status != RECOVERED}

    def all(self) -> list[JobFailure]:
        return list(self._by_id.values())

    def save(self, failure: JobFailure) -> None:
        self._c.save_keyed(failure)
        self._by_id[failure.id] = failure
