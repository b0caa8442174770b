"""The marks of scheduled jobs that did their work (a reminder sent, a consultation closed, a
digest sent), by job id: checked before a job acts, written in the same transaction as its work,
so that it never acts twice, restart or not (``scheduler/jobs/__init__.py`` tells the whole
story)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.collection import Collection
from storage.records import Record, Time
from storage.repository import Repository


@dataclass
class JobDone(Record):
    """A scheduled job that did its work: never run again, restart or not."""

    id: str  # the job's id (``scheduler.jobs.encode``), or a mark such as ``bot:installed``
    done_at: Time
    outcome: str = "done"  # done | sent | skipped (a later reminder made it moot) | told …


class JobsDone(Repository[JobDone]):
    """Job ids and when they were marked, held in memory (a few thousand short strings after
    ten years): ``in`` and ``mark`` cost the same on the first day and the last."""

    def __init__(self, collection: Collection[JobDone]) -> None:
        super().__init__(collection)
        self._done_at = {doc["id"]: doc["done_at"] for doc in collection.stored()}

    def done_at(self, job_id: str) -> str | None:
        return self._done_at.get(job_id)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self._done_at

    def latest(self, prefix: str) -> str | None:
        """When the last job whose id starts with ``prefix`` was marked (``digest:``)."""
        return max((at for job_id, at in self._done_at.items() if job_id.startswith(prefix)),
                   default=None)

    def mark(self, job_id: str, at: str, outcome: str = "done") -> bool:
        """Record ``job_id`` as done; ``False`` if it already was."""
        if job_id in self._done_at:
            return False
        self._c.insert(JobDone(id=job_id, done_at=at, outcome=outcome))
        self._done_at[job_id] = at
        return True
