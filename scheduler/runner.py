"""Keeps APScheduler in step with the jobs derived from storage.

APScheduler holds no state of its own here: its memory job store is rebuilt from ``JobSpec``s at
start-up and after every change, with stable ids and ``replace_existing``, so a restart rebuilds
exactly the same schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from scheduler.jobs import JobSpec

log = logging.getLogger(__name__)

RunJob = Callable[[JobSpec], Awaitable[None]]


class JobRunner:
    """Owns the ``AsyncIOScheduler`` (start it inside the running loop) and reconciles it."""

    def __init__(self, timezone: str, run: RunJob) -> None:
        from zoneinfo import ZoneInfo

        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(timezone), job_defaults={
            # A job is never dropped for being late (the bot may have been busy or down),
            # never runs twice at once, and late runs collapse into one.
            "misfire_grace_time": None, "coalesce": True, "max_instances": 1})
        self._run = run

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def reconcile(self, specs: Iterable[JobSpec]) -> None:
        """Make the scheduler hold exactly ``specs``: add or move these, remove the rest."""
        wanted = {spec.id: spec for spec in specs}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
        for spec in wanted.values():
            existing = self.scheduler.get_job(spec.id)
            if existing is not None and _same_time(existing.trigger, spec.run_at):
                continue
            self.scheduler.add_job(self._run, DateTrigger(spec.run_at), args=[spec],
                                   id=spec.id, name=spec.kind, replace_existing=True)

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())


def _same_time(trigger: object, when: datetime) -> bool:
    return isinstance(trigger, DateTrigger) and trigger.run_date == when
