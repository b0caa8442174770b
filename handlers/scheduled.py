"""Running one scheduled job, and what the secretariat must hear about it: work done far later
than planned (the bot was down, or the server's clock jumped), and work given up after failing.

What is done late is still done — a consultation past its deadline closes, the latest missed
reminder goes — because the clock is the only time the bot has; but never silently: an error in
the log and, once per job, a direct message to the secretariat saying what ran, when it was due
and how late, and whether the clock jumped while the bot was running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date, format_timedelta

from handlers.context import Context
from handlers.types import Message
from scheduler.jobs import (
    ConsultationClose,
    ConsultationReminder,
    ConversationTimeout,
    Digest,
    JobSpec,
    LaterReminder,
    MeetingReminder,
    PlanOverdue,
    PlanReminder,
)
from scheduler.retries import record_failure, record_success
from storage.job_failures import FAILED, JobFailure
from storage.models import CO_CHAIR, SECRETARIAT, Member

log = logging.getLogger(__name__)

JobHandler = Callable[[Context, Any], object]  # called with the spec's typed job


def run(ctx: Context, spec: JobSpec, handler: JobHandler) -> None:
    """Do ``spec``'s work. A failure is counted and retried later by the schedule (see
    ``scheduler.retries``); the last allowed failure gives the job up and tells the secretariat.
    """
    now = ctx.now()
    try:
        result = handler(ctx, spec.job)
    except Exception as error:
        log.exception("job %s failed", spec.id)
        failed(ctx, spec, now, error)
        return
    try:
        if record_success(ctx.store.job_failures, spec) is not None:
            log.info("job %s done after failing", spec.id)
        late = now - spec.due_at
        if late > ctx.network.job_late_grace:
            ran_late(ctx, spec, late, did_work=bool(result))
    except Exception:  # the work is done; its bookkeeping will be tried again (a full disk)
        log.exception("job %s: could not record how it went", spec.id)


def failed(ctx: Context, spec: JobSpec, now: datetime, error: Exception) -> None:
    """Count the failure (the schedule puts the job off accordingly); give up at the limit."""
    try:
        failure = record_failure(ctx.store.job_failures, spec, now, error,
                                 ctx.network.job_attempts)
        if failure.status == FAILED:
            log.error("job %s given up after %s attempts", spec.id, failure.attempts)
            tell_given_up(ctx, spec, failure)
        else:
            log.warning("job %s: attempt %s of %s failed, next attempt at %s", spec.id,
                        failure.attempts, ctx.network.job_attempts, failure.next_attempt_at)
    except Exception:  # storage itself failing (a full disk): the next reconcile tries again
        log.exception("job %s: could not record its failure", spec.id)


def ran_late(ctx: Context, spec: JobSpec, late: timedelta, did_work: bool) -> None:
    """Once per job: log it as an error and, if the job did something, tell the secretariat."""
    if not ctx.store.jobs_done.mark(f"late:{spec.id}", ctx.now_iso(),
                                    "told" if did_work else "nothing done"):
        return
    jump = ctx.process_clock.jump()
    log.log(logging.ERROR if did_work else logging.WARNING,
            "job %s ran %s late (due %s)%s", spec.id, late, spec.due_at.isoformat(),
            f"; the wall clock jumped {jump} ahead of the monotonic clock"
            if jump > ctx.network.job_late_grace else "",
            extra={"job": spec.id, "kind": spec.kind, "late_s": int(late.total_seconds()),
                   "clock_jump_s": int(jump.total_seconds())})
    if not did_work:
        return
    jumped = jump > ctx.network.job_late_grace

    def build(lang: str) -> Message:
        return Message(title=ctx.t(lang, "job.late_title"), paragraphs=[ctx.t(
            lang, "job.late_body_jump" if jumped else "job.late_body",
            what=describe(ctx, lang, spec), due=ctx.when(lang, spec.due_at),
            done=ctx.when(lang, ctx.now()), late=duration(lang, late),
            jump=duration(lang, jump))])

    ctx.send_to_members(told(ctx), f"job-late:{spec.id}", build)


def tell_given_up(ctx: Context, spec: JobSpec, failure: JobFailure) -> None:
    """One direct message to the secretariat naming the work that did not happen."""

    def build(lang: str) -> Message:
        return Message(title=ctx.t(lang, "job.failed_title"), paragraphs=[ctx.t(
            lang, "job.failed_body", what=describe(ctx, lang, spec),
            due=ctx.when(lang, spec.due_at), attempts=failure.attempts,
            last=ctx.when(lang, datetime.fromisoformat(failure.last_failed_at)))])

    ctx.send_to_members(told(ctx), f"job-failed:{spec.id}", build)


def told(ctx: Context) -> list[Member]:
    """Who hears about scheduled work: the secretariat, else (none active) the co-chairs."""
    return ctx.store.members.with_role(SECRETARIAT) or ctx.store.members.with_role(CO_CHAIR)


def duration(lang: str, span: timedelta) -> str:
    """« 3 jours », « 2 hours » (rounded to the largest unit that fits)."""
    return format_timedelta(span, locale=lang)


def describe(ctx: Context, lang: str, spec: JobSpec) -> str:
    """A job in words: « le rappel de la réunion n° 3, 1 jour avant »."""
    job = spec.job
    match job:
        case MeetingReminder(number, _, offset) | ConsultationReminder(number, _, offset) \
                | PlanReminder(number, _, offset):
            return ctx.t(lang, f"job.what.{job.kind}", number=number,
                         offset=duration(lang, offset))
        case ConsultationClose(number, _) | PlanOverdue(number, _):
            return ctx.t(lang, f"job.what.{job.kind}", number=number)
        case LaterReminder(number, _):
            return ctx.t(lang, "later.what", number=number)
        case ConversationTimeout(number, _):
            return ctx.t(lang, "flow.what", number=number)
        case Digest(day):
            return ctx.t(lang, "job.what.digest", date=format_date(
                day, ctx.t(lang, "format.date"), locale=lang))
    raise TypeError(f"not a job: {job!r}")
