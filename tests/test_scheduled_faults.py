"""Scheduled work under faults: a job that raises is retried by the schedule itself, then given
up with one notice; work done far later than due (downtime, a clock jump) is logged and told;
tokens end on the monotonic clock too."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import jobs_table
from bot.app import BotApp
from bot.config.network import load_network
from bot.config.problems import ConfigError
from handlers import scheduled
from handlers.knowledge import check_token, issue_token
from handlers.settings import Network
from scheduler.jobs import ConsultationClose, Digest, JobSpec, MeetingReminder
from scheduler.retries import backoff
from storage.job_failures import FAILED, RECOVERED
from storage.journal import Journal
from storage.models import SECRETARIAT
from storage.store import Store
from tests.conftest import Clock, say, text_of
from tests.support.previews import say_and_send

START = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
J_MINUS_1 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # the day-before reminder of meeting 1


class Monotonic:
    """``time.monotonic`` moved by hand: it never follows the wall clock's jumps."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


class Bot:
    """One bot process after another on the same data dir, with the same clocks."""

    def __init__(self, data: Path, network: Network, clock: Clock) -> None:
        self.data, self.network, self.clock = data, network, clock
        self.monotonic = Monotonic()
        self.store: Store | None = None
        self.app = self.restart()

    def restart(self) -> BotApp:
        if self.store is not None:
            self.store.close()
        self.monotonic = Monotonic()  # a new process: a new monotonic origin
        self.store = Store.open(self.data)
        self.app = BotApp(self.store, self.network, clock=self.clock, monotonic=self.monotonic)
        return self.app

    def close(self) -> None:
        assert self.store is not None
        self.store.close()


@pytest.fixture
def bot(tmp_path: Path, network: Network, clock: Clock):
    running = Bot(tmp_path / "data", network, clock)
    yield running
    running.close()


def failing(monkeypatch, kind: type) -> list[object]:
    """Make the handler of the job kind ``kind`` raise; the jobs it was called with."""
    calls: list[object] = []

    def broken(ctx, job: object) -> None:
        calls.append(job)
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(jobs_table.JOB_HANDLERS, kind, broken)
    return calls


def notices(app: BotApp, prefix: str) -> list:
    """Outbox rows whose key starts with ``prefix`` (``job-failed:``, ``job-late:``)."""
    return [row for row in app.store.outbox.all() if row.key.startswith(prefix)]


def secretariat(app: BotApp) -> set[str]:
    return {m.id for m in app.store.members.with_role(SECRETARIAT)}


# A failing job retries on its own, with backoff, across a restart, then gives up once.

async def test_a_failing_reminder_is_retried_with_backoff_then_given_up_once(
        bot: Bot, clock: Clock, monkeypatch) -> None:
    say_and_send(bot.app, "aminata", "réunion mardi 1 décembre 10h")
    calls = failing(monkeypatch, MeetingReminder)
    clock.now = J_MINUS_1
    await bot.app.run_due_jobs()
    assert len(calls) == 1
    [failure] = bot.store.job_failures.all()
    assert failure.attempts == 1 and failure.kind == "meeting.reminder"
    assert failure.next_attempt_at == "2026-11-30T10:01:00.000000+00:00"
    assert "No space left" in failure.last_error
    # What APScheduler is given: the same job, put off to its next attempt.
    [spec] = [s for s in bot.app.job_specs() if s.id == failure.id]
    assert spec.run_at == J_MINUS_1 + timedelta(minutes=1) and spec.due_at == J_MINUS_1
    clock.now += timedelta(seconds=59)
    await bot.app.run_due_jobs()
    assert len(calls) == 1  # not before its time
    clock.now = J_MINUS_1 + timedelta(minutes=1)
    await bot.app.run_due_jobs()
    assert len(calls) == 2 and bot.store.job_failures.get(failure.id).attempts == 2

    bot.restart()  # the count survives: no fresh start, no immediate retry
    await bot.app.run_due_jobs()
    assert len(calls) == 2
    for wait in (2, 4, 8):  # minutes after each failure
        assert backoff(len(calls)) == timedelta(minutes=wait)
        clock.now += timedelta(minutes=wait)
        await bot.app.run_due_jobs()
    assert len(calls) == 5
    assert bot.store.job_failures.get(failure.id).status == FAILED
    [notice] = notices(bot.app, "job-failed:")
    assert notice.recipient == {"kind": "member", "ref": "mariam"}
    assert {n.recipient["ref"] for n in notices(bot.app, "job-failed:")} == secretariat(bot.app)
    catalog = bot.app.catalog
    what = catalog.t("fr", "job.what.meeting.reminder", number=1,
                     offset=scheduled.duration("fr", timedelta(days=1)))
    assert notice.message["title"] == catalog.t("fr", "job.failed_title")
    assert notice.message["paragraphs"] == [catalog.t(
        "fr", "job.failed_body", what=what, due=bot.app.ctx.when("fr", J_MINUS_1), attempts=5,
        last=bot.app.ctx.when("fr", clock.now))]

    # Given up: never again by itself, restart or not, and told only once.
    clock.now += timedelta(hours=2)
    await bot.app.run_due_jobs()
    bot.restart()
    await bot.app.run_due_jobs()
    assert len(calls) == 5 and len(notices(bot.app, "job-failed:")) == 1
    assert failure.id not in {s.id for s in bot.app.job_specs()}


async def test_the_scheduler_itself_holds_the_retry_no_command_needed(app: BotApp, clock: Clock,
                                                                      monkeypatch) -> None:
    """The retry used to wait for someone's unrelated command to re-add the job."""
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    failing(monkeypatch, MeetingReminder)
    clock.now = J_MINUS_1
    app.jobs.scheduler.start(paused=True)  # kept in step, but firing nothing on the real clock
    try:
        [spec] = [s for s in app.job_specs() if s.kind == "meeting.reminder"
                  and s.run_at <= clock.now]
        await app.run_job(spec)
        job = app.jobs.scheduler.get_job(spec.id)
        assert job is not None and job.next_run_time == J_MINUS_1 + timedelta(minutes=1)
    finally:
        app.stop()


async def test_a_job_that_succeeds_on_retry_does_its_work_and_nobody_is_told(
        app: BotApp, clock: Clock, monkeypatch) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    calls = failing(monkeypatch, MeetingReminder)
    clock.now = J_MINUS_1
    await app.run_due_jobs()
    monkeypatch.undo()  # the disk has room again
    clock.now += timedelta(minutes=1)
    await app.run_due_jobs()
    assert len(calls) == 1
    reminders = [r for r in app.store.outbox.all() if r.key.startswith("meeting-reminder:1:")]
    assert len(reminders) == len(app.store.meetings.get(1).invited)  # as on a good day
    [failure] = app.store.job_failures.all()
    assert failure.status == RECOVERED
    assert notices(app, "job-failed:") == [] and notices(app, "job-late:meeting") == []


async def test_a_failing_consultation_close_is_given_up_with_the_number_of_attempts_set(
        tmp_path: Path, network: Network, clock: Clock, monkeypatch) -> None:
    bot = Bot(tmp_path / "data", dataclasses.replace(network, job_attempts=2), clock)
    try:
        say_and_send(bot.app, "aminata",
                     "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
        calls = failing(monkeypatch, ConsultationClose)
        clock.now = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
        await bot.app.run_due_jobs()
        clock.now += timedelta(minutes=1)
        await bot.app.run_due_jobs()
        assert len(calls) == 2 and bot.store.consultations.get(1).status == "open"
        [notice] = notices(bot.app, "job-failed:")
        assert bot.app.catalog.t("fr", "job.what.consultation.close", number=1) in \
            notice.message["paragraphs"][0]
    finally:
        bot.close()


async def test_a_full_disk_while_a_job_fails_stops_nothing_and_loses_no_attempt(
        app: BotApp, clock: Clock, monkeypatch) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    calls = failing(monkeypatch, MeetingReminder)
    append = Journal.append

    def disk_full(journal: Journal, changes: list[str]) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Journal, "append", disk_full)
    clock.now = J_MINUS_1
    await app.run_due_jobs()  # start-up's catch-up survives it
    assert len(calls) == 1 and app.store.job_failures.all() == []  # taken back, not half-kept
    monkeypatch.setattr(Journal, "append", append)
    await app.run_due_jobs()  # not recorded, so still due: tried again, and now counted
    assert len(calls) == 2 and app.store.job_failures.all()[0].attempts == 1


# Work done far later than due: still done, but logged loudly and told once.

async def test_a_clock_jump_closing_a_consultation_is_logged_and_told_once(
        bot: Bot, clock: Clock, caplog) -> None:
    say_and_send(bot.app, "aminata",
                 "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    deadline = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    bot.monotonic.now += 60  # a minute really passes…
    clock.now = deadline + timedelta(days=3)  # …and the wall clock says nine days did
    with caplog.at_level(logging.ERROR, logger="handlers.scheduled"):
        await bot.app.run_due_jobs()
    consultation = bot.store.consultations.get(1)
    assert consultation.status == "closed" and consultation.closed_by == "deadline"  # decided
    [error] = [r for r in caplog.records if getattr(r, "kind", "") == "consultation.close"]
    assert error.levelno == logging.ERROR and "consultation-close:1:" in error.getMessage()
    assert error.late_s == 3 * 86400 and error.clock_jump_s == 9 * 86400 - 60
    told = notices(bot.app, "job-late:consultation-close:")
    assert {n.recipient["ref"] for n in told} == secretariat(bot.app) == {"mariam"}
    ctx, catalog = bot.app.ctx, bot.app.catalog
    assert told[0].message["title"] == catalog.t("fr", "job.late_title")
    assert told[0].message["paragraphs"] == [catalog.t(
        "fr", "job.late_body_jump", what=catalog.t("fr", "job.what.consultation.close", number=1),
        due=ctx.when("fr", deadline), done=ctx.when("fr", clock.now),
        late=scheduled.duration("fr", timedelta(days=3)),
        jump=scheduled.duration("fr", timedelta(days=9, minutes=-1)))]

    # (the Monday digest, missed while the clock jumped, is told about too)
    assert {n.key.split(":")[1] for n in notices(bot.app, "job-late:")} == {
        "consultation-close", "digest"}
    caplog.clear()
    await bot.app.run_due_jobs()
    bot.restart()
    await bot.app.run_due_jobs()
    assert len(notices(bot.app, "job-late:")) == 2
    assert not [r for r in caplog.records if r.name == "handlers.scheduled"]  # logged once


async def test_work_missed_while_the_bot_was_down_says_so(bot: Bot, clock: Clock) -> None:
    say_and_send(bot.app, "aminata", "réunion mardi 15 décembre 10h")
    bot.store.close()
    bot.store = None
    clock.now = datetime(2026, 12, 14, 14, 0, tzinfo=UTC)  # the day-before reminder: 4 h ago
    app = bot.restart()
    await app.run_due_jobs()
    assert [r for r in app.store.outbox.all() if r.key.startswith("meeting-reminder:1:")]
    [notice] = notices(app, "job-late:meeting-reminder:")
    assert notice.message["paragraphs"] == [app.catalog.t(
        "fr", "job.late_body",
        what=app.catalog.t("fr", "job.what.meeting.reminder", number=1,
                           offset=scheduled.duration("fr", timedelta(days=1))),
        due=app.ctx.when("fr", datetime(2026, 12, 14, 10, 0, tzinfo=UTC)),
        done=app.ctx.when("fr", clock.now), late=scheduled.duration("fr", timedelta(hours=4)),
        jump=scheduled.duration("fr", timedelta(0)))]


async def test_work_done_within_the_grace_is_not_told(tmp_path: Path, network: Network,
                                                      clock: Clock) -> None:
    bot = Bot(tmp_path / "data", dataclasses.replace(network, job_late_grace=timedelta(days=1)),
              clock)
    try:
        say_and_send(bot.app, "aminata",
                     "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
        clock.now = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
        await bot.app.run_due_jobs()
        clock.now = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)  # 23 hours after the deadline
        await bot.app.run_due_jobs()
        assert bot.store.consultations.get(1).status == "closed"
        assert notices(bot.app, "job-late:consultation") == []
    finally:
        bot.close()


async def test_a_late_job_that_had_nothing_left_to_do_is_only_logged(app: BotApp, clock: Clock,
                                                                     caplog) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion annuler 1")
    start = app.store.meetings.get(1).start
    clock.now = J_MINUS_1 + timedelta(hours=5)
    with caplog.at_level(logging.WARNING, logger="handlers.scheduled"):
        await app.run_job(JobSpec.of(MeetingReminder(1, start, timedelta(days=1)), clock.now,
                                     due=J_MINUS_1))
    assert [r.levelno for r in caplog.records if r.name == "handlers.scheduled"] == [
        logging.WARNING]
    assert notices(app, "job-late:") == []


def test_a_job_is_named_in_words_in_each_language(app: BotApp) -> None:
    """The catalog's wording of the job kinds the secretariat may be told about."""
    day = datetime(2026, 12, 1, tzinfo=UTC)
    cases = {
        JobSpec.of(MeetingReminder(3, "2026-12-02T10:00:00+00:00", timedelta(days=1)), day): (
            "le rappel de la réunion n° 3, 1\u00a0jour avant",
            "the reminder of meeting no. 3, 1 day before"),
        JobSpec.of(ConsultationClose(12, "2026-12-02T10:00:00+00:00"), day): (
            "la clôture de la consultation n° 12 à son échéance",
            "closing consultation no. 12 at its deadline"),
        JobSpec.of(Digest(date(2026, 11, 30)), day): (
            "le digest du lundi 30 novembre 2026", "the digest of Monday 30 November 2026"),
    }
    for spec, (fr, en) in cases.items():
        assert (scheduled.describe(app.ctx, "fr", spec),
                scheduled.describe(app.ctx, "en", spec)) == (fr, en)


def test_the_grace_and_the_attempts_are_settings(tmp_path: Path) -> None:
    assert (load_network().job_late_grace, load_network().job_attempts) == (timedelta(hours=1), 5)
    path = tmp_path / "net.toml"
    path.write_text('[jobs]\nlate_grace = "30m"\nattempts = 3\n')
    network = load_network(path)
    assert (network.job_late_grace, network.job_attempts) == (timedelta(minutes=30), 3)
    path.write_text('[jobs]\nlate_grace = "soon"\nattempts = 0\n')
    with pytest.raises(ConfigError) as caught:
        load_network(path)
    assert {p.key for p in caught.value.problems} == {"jobs.late_grace", "jobs.attempts"}


# Tokens end on the monotonic clock too: setting the wall clock back revives none.

def test_a_knowledge_token_ends_when_its_lifetime_passed_even_if_the_clock_went_back(
        bot: Bot, clock: Clock) -> None:
    ctx = bot.app.ctx
    awa = bot.store.members.get("awa")
    token, _ = issue_token(ctx, awa)
    assert check_token(ctx, token) == awa
    bot.monotonic.now += 24 * 3600 - 1
    clock.now -= timedelta(days=2)  # the wall clock was set back meanwhile
    assert check_token(ctx, token) == awa
    bot.monotonic.now += 1
    assert check_token(ctx, token) is None  # the wall clock alone would still accept it
    fresh, _ = issue_token(ctx, awa)
    clock.now += timedelta(days=3)  # and the wall clock still bounds it on its own
    assert check_token(ctx, fresh) is None


def test_a_link_code_ends_after_its_minutes_even_if_the_clock_went_back(bot: Bot,
                                                                        clock: Clock) -> None:
    reply = text_of(say(bot.app, "awa", "lier"))
    code = reply.split("« lier ")[1].split(" »")[0]
    bot.monotonic.now += 16 * 60
    clock.now -= timedelta(hours=1)
    refused = text_of(say(bot.app, "telegram:77", f"lier {code}"))
    assert refused == bot.app.catalog.t("fr", "link.bad_code", name="lier")
    assert "telegram:77" not in bot.store.members.get("awa").identities
