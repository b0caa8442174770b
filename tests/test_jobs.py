"""Scheduled jobs are typed: one dataclass per kind, one text form (their id, the same as the
marks already stored), handlers given the typed job; and the schedule is derived again only for
the records a request changed, staying exactly what a whole derivation gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import app as app_module
from bot import jobs_table
from bot.app import BotApp
from scheduler.jobs import (
    KINDS,
    ConsultationClose,
    ConsultationReminder,
    Digest,
    JobIdError,
    MeetingReminder,
    PlanOverdue,
    PlanReminder,
    decode,
    encode,
)
from storage.job_failures import JobFailure
from tests.conftest import Clock, click, say
from tests.support.previews import say_and_send

WHEN = "2026-12-01T10:00:00.000000+00:00"
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.just(UTC)).map(lambda d: d.isoformat(timespec="microseconds"))
numbers = st.integers(min_value=1, max_value=10**6)
offsets = st.integers(min_value=0, max_value=10**7).map(lambda s: timedelta(seconds=s))
jobs = st.one_of(
    st.builds(MeetingReminder, numbers, times, offsets),
    st.builds(ConsultationReminder, numbers, times, offsets),
    st.builds(ConsultationClose, numbers, times),
    st.builds(Digest, st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))),
    st.builds(PlanReminder, numbers, times, offsets),
    st.builds(PlanOverdue, numbers, times))


@given(jobs)
def test_a_job_reads_back_from_its_id(job) -> None:
    assert decode(encode(job)) == job


def test_ids_are_the_ones_already_stored_as_marks() -> None:
    """Marks written before jobs were typed must still stop the same jobs after an upgrade."""
    day = timedelta(days=1)
    assert encode(MeetingReminder(3, WHEN, day)) == f"meeting-reminder:3:{WHEN}:86400"
    assert encode(ConsultationReminder(4, WHEN, timedelta(hours=4))) == \
        f"consultation-reminder:4:{WHEN}:14400"
    assert encode(ConsultationClose(4, WHEN)) == f"consultation-close:4:{WHEN}"
    assert encode(Digest(date(2026, 11, 30))) == "digest:2026-11-30"
    assert encode(PlanReminder(7, WHEN, 2 * day)) == f"plan-reminder:7:{WHEN}:172800"
    assert encode(PlanOverdue(7, WHEN)) == f"plan-overdue:7:{WHEN}"


@pytest.mark.parametrize("text", ["bot:installed", "late:digest:2026-11-30", "digest:hier",
                                  f"meeting-reminder:x:{WHEN}:60", "meeting-reminder:1:mardi:60",
                                  "meeting-reminder:1:2026-12-01T10:00:00:60", "mystery:1"])
def test_other_texts_are_not_jobs(text: str) -> None:
    with pytest.raises(JobIdError):
        decode(text)


def test_every_kind_has_a_handler_given_the_typed_job() -> None:
    assert set(jobs_table.JOB_HANDLERS) == set(KINDS)


def test_a_job_failure_stored_with_its_text_reference_still_reads() -> None:
    failure = JobFailure.from_doc({
        "id": f"meeting-reminder:1:{WHEN}:86400", "kind": "meeting.reminder",
        "ref": f"1|{WHEN}|86400", "attempts": 2, "first_failed_at": WHEN,
        "last_failed_at": WHEN, "next_attempt_at": WHEN, "v": 1})
    assert failure.attempts == 2 and "ref" not in failure.to_doc()


def held(app: BotApp) -> list[str]:
    return app.jobs.job_ids()


def derived(app: BotApp) -> list[str]:
    return sorted(spec.id for spec in app.job_specs())


async def test_a_request_derives_again_only_the_jobs_of_what_it_changed(
        app: BotApp, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request used to derive the whole schedule again and touch every APScheduler job."""
    app.jobs.scheduler.start(paused=True)  # kept in step, firing nothing on the real clock
    try:
        say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")
        say_and_send(app, "aminata",
                     "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
        assert held(app) == derived(app)
        asked: list[tuple[str, int]] = []
        real = app_module.jobs_of

        def spying(store, source, rules, now):
            asked.append(source)
            return real(store, source, rules, now)

        monkeypatch.setattr(app_module, "jobs_of", spying)
        monkeypatch.setattr(app_module, "all_jobs", None)  # never the whole schedule again
        click(app, "awa", "position.agree", "1")
        click(app, "sarah", "rsvp.present", "1")
        say(app, "awa", "réunions")
        assert asked == []
        say_and_send(app, "aminata", "consultation prolonger 1 lundi 7 décembre 17h")
        assert asked == [("consultation", 1)]
        say(app, "aminata", "réunion déplacer 1 mercredi 9 décembre 10h")
        assert asked[1:] == [("meeting", 1)]
        monkeypatch.setattr(app_module, "all_jobs", real.__globals__["all_jobs"])
        assert held(app) == derived(app)
        say_and_send(app, "aminata", "réunion annuler 1")
        say_and_send(app, "aminata", "consultation clore 1")
        assert held(app) == derived(app) == ["digest:2026-11-30"]
    finally:
        app.stop()


async def test_after_a_job_runs_its_source_is_derived_again(app: BotApp, clock: Clock) -> None:
    app.jobs.scheduler.start(paused=True)
    try:
        say_and_send(app, "aminata",
                     "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
        clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # the 48-hour reminder
        [reminder] = [s for s in app.job_specs()
                      if s.kind == "consultation.reminder" and s.run_at <= clock.now]
        await app.run_job(reminder)
        assert reminder.id not in held(app)
        consultation = [i for i in derived(app) if i.startswith("consultation")]
        assert [i for i in held(app) if i.startswith("consultation")] == consultation
        clock.now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # past the close and the digest
        for spec in [s for s in app.job_specs() if s.run_at <= clock.now]:
            await app.run_job(spec)
        assert held(app) == derived(app) == ["digest:2026-12-14"]
    finally:
        app.stop()
