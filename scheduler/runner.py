"""Keeps APScheduler in step with the jobs derived from storage (``scheduler/jobs``).

APScheduler holds no state of its own here: its memory job store is filled from ``JobSpec``s,
all of them at start-up (``reconcile``), then one source at a time as records change
(``replace``), with stable ids and ``replace_existing``, so a restart rebuilds exactly the same
schedule.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from scheduler.jobs import JobSpec, Source

log = logging.getLogger(__name__)

RunJob = Callable[[JobSpec], Awaitable[None]]


class JobRunner:
    """Owns the ``AsyncIOScheduler`` (start it inside the running loop) and keeps it in step."""

    def __init__(self, timezone: str, run: RunJob) -> None:
        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(timezone), job_defaults={
            # A job is never dropped for being late (the bot may have been busy or down),
            # never runs twice at once, and late runs collapse into one.
            "misfire_grace_time": None, "coalesce": True, "max_instances": 1})
        self._run = run
        self._ids: dict[Source, set[str]] = {}  # the job ids each source gave last time
        self.synced = False  # a whole reconcile happened since the scheduler started

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()
            self.synced = False

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def reconcile(self, schedule: Mapping[Source, Iterable[JobSpec]]) -> None:
        """Make the scheduler hold exactly ``schedule``: add or move these, remove the rest."""
        wanted = {source: list(specs) for source, specs in schedule.items()}
        ids = {spec.id for specs in wanted.values() for spec in specs}
        for job in self.scheduler.get_jobs():
            if job.id not in ids:
                job.remove()
        self._ids = {}
        for source, specs in wanted.items():
            self._add(source, specs)
        self.synced = True

    def replace(self, source: Source, specs: Iterable[JobSpec]) -> None:
        """The jobs of one source, derived again: add or move these, remove the source's
        others."""
        specs = list(specs)
        for job_id in self._ids.pop(source, set()) - {spec.id for spec in specs}:
            # A job that ran already is gone: a date job leaves the scheduler when it fires.
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(job_id)
        self._add(source, specs)

    def _add(self, source: Source, specs: list[JobSpec]) -> None:
        if specs:
            self._ids[source] = {spec.id for spec in specs}
        for spec in specs:
            existing = self.scheduler.get_job(spec.id)
            if existing is not None and _same_time(existing.trigger, spec.run_at):
                continue
            self.scheduler.add_job(self._run, DateTrigger(spec.run_at), args=[spec],
                                   id=spec.id, name=spec.kind, replace_existing=True)

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())


def _same_time(trigger: object, when: datetime) -> bool:
    return isinstance(trigger, DateTrigger) and trigger.run_date == when
