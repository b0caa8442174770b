"""A job that raised is tried again by the scheduler itself, later and later, then given up.

The schedule stays derived from storage: a failing job's ``JobSpec`` is put off to its next
attempt (1, 2, 4, 8 … minutes after the failure, at most an hour), and a job given up is left out
for good. Nobody has to send a command for a retry to happen, and a restart keeps the count.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta

from scheduler.jobs import JobSpec
from storage.job_failures import FAILED, RECOVERED, RETRYING, JobFailure, JobFailures
from storage.records import to_iso

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
ATTEMPTS = 5  # the default of the network's [jobs] attempts


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def with_retries(specs: Iterable[JobSpec], failures: JobFailures) -> list[JobSpec]:
    """``specs`` with the given-up jobs left out and the failing ones put off to their next
    attempt (keeping when they were due, to measure how late they run)."""
    open_failures = failures.open()
    if not open_failures:
        return sorted(specs)
    kept: list[JobSpec] = []
    for spec in specs:
        failure = open_failures.get(spec.id)
        if failure is None:
            kept.append(spec)
        elif failure.status == RETRYING:
            retry_at = datetime.fromisoformat(failure.next_attempt_at)
            kept.append(dataclasses.replace(spec, run_at=max(spec.run_at, retry_at),
                                            due=spec.due_at))
    return sorted(kept)


def record_failure(failures: JobFailures, spec: JobSpec, now: datetime, error: BaseException,
                   max_attempts: int) -> JobFailure:
    """Count one more failed attempt of ``spec``; ``FAILED`` once ``max_attempts`` were made."""
    known = failures.get(spec.id)
    if known is None or known.status == RECOVERED:
        failure = JobFailure(id=spec.id, kind=spec.kind, attempts=0,
                             first_failed_at=to_iso(now), last_failed_at=to_iso(now),
                             next_attempt_at=to_iso(now))
    else:
        failure = dataclasses.replace(known)  # memory changes only once the disk has it
    failure.attempts += 1
    failure.last_failed_at = to_iso(now)
    failure.last_error = f"{type(error).__name__}: {error}"[:500]
    failure.next_attempt_at = to_iso(now + backoff(failure.attempts))
    failure.status = FAILED if failure.attempts >= max_attempts else RETRYING
    failures.save(failure)
    return failure


def record_success(failures: JobFailures, spec: JobSpec) -> JobFailure | None:
    """A job that had failed did its work: its failures no longer put it off."""
    failure = failures.get(spec.id)
    if failure is None or failure.status != RETRYING:
        return None
    recovered = dataclasses.replace(failure, status=RECOVERED)
    failures.save(recovered)
    return recovered
