"""Reminders: at the configured offsets, to invitees who have not declined, once — across
restarts, including those that fell due while the bot was down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import format_timedelta

from bot.app import BotApp
from handlers.types import Recipient
from storage.store import Store
from tests.conftest import Clock, click, ran, say
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken


def reminders(app: BotApp) -> list[tuple[str, str]]:
    return [(Recipient.from_dict(r.recipient).ref, r.message["title"])
            for r in app.store.outbox.all() if r.key.startswith("meeting-reminder:")]


async def test_reminders_go_once_to_those_who_have_not_declined(app: BotApp, clock: Clock,
                                                                spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say(app, "awa", "ordre du jour 1 ajouter Retours volontaires")
    click(app, "fatoumata", "rsvp.excused", "1")
    # the 7-day reminder was due before the invite: moot
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 0
    clock.now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 1
    sent = reminders(app)
    assert {who for who, _ in sent} == {"aminata", "moussa", "mariam", "awa", "sarah",
                                        "ibrahim"}
    for who, lang in (("awa", "fr"), ("sarah", "en")):
        day_ahead = format_timedelta(timedelta(hours=24), threshold=1.1, add_direction=True,
                                     locale=lang)
        assert (who, spoken.text("meeting.reminder_title", lang, number=1, delay=day_ahead,
                                 kind=spoken.text("meeting.kind.network", lang))) in sent
    awa = [r for r in app.store.outbox.all() if r.key.startswith("meeting-reminder:")
           and r.recipient["ref"] == "awa"][0]
    assert "1. Retours volontaires" in "\n".join(awa.message["paragraphs"])
    assert [b["action"] for b in awa.message["buttons"]][0] == "rsvp.present"
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 0  # never twice
    assert len(reminders(app)) == 6
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 1
    assert len(reminders(app)) == 12


async def test_a_reminder_missed_while_down_is_sent_once_on_start_up(tmp_path, network) -> None:
    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    first = BotApp(store, network, clock=clock)
    say_and_send(first, "aminata", "réunion mardi 15 décembre 10h")
    assert ran(await first.run_due_jobs(), "meeting.reminder") == 0
    store.close()  # the bot stops; the 7-day and 1-day reminders fall due meanwhile

    clock.now = datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
    store = Store.open(tmp_path / "d")
    second = BotApp(store, network, clock=clock)
    assert ran(await second.run_due_jobs(), "meeting.reminder") == 1  # only the latest missed one
    sent = reminders(second)
    assert len(sent) == 7 and all("dans 22 heures" in t or "in 22 hours" in t for _, t in sent)
    assert ran(await second.run_due_jobs(), "meeting.reminder") == 0
    store.close()

    store = Store.open(tmp_path / "d")  # and again: nothing repeats
    third = BotApp(store, network, clock=clock)
    assert ran(await third.run_due_jobs(), "meeting.reminder") == 0
    assert len(reminders(third)) == 7
    clock.now = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    # the 1-hour reminder still comes
    assert ran(await third.run_due_jobs(), "meeting.reminder") == 1
    assert len(reminders(third)) == 14
    store.close()


async def test_a_moved_meeting_gets_fresh_reminders(app: BotApp, clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    clock.now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    await app.run_due_jobs()
    say(app, "aminata", "réunion déplacer 1 mardi 8 décembre 10h")
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 1
    assert len(reminders(app)) == 14


async def test_a_cancelled_meeting_sends_no_reminder(app: BotApp, clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion annuler 1")
    clock.now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 0 and reminders(app) == []


async def test_apscheduler_holds_exactly_the_jobs_derived_from_storage(app: BotApp,
                                                                     clock: Clock) -> None:
    app.jobs.start()
    try:
        say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")
        assert app.jobs.job_ids()[0] == "digest:2026-11-30"  # the weekly digest, Monday 08:00
        ids = app.jobs.job_ids()[1:]
        assert len(ids) == 3 and all(i.startswith("meeting-reminder:1:") for i in ids)
        job = app.jobs.scheduler.get_job(ids[0])
        assert job.next_run_time is not None
        say(app, "aminata", "réunion déplacer 1 mercredi 9 décembre 10h")
        moved = app.jobs.job_ids()[1:]
        assert len(moved) == 3 and not set(moved) & set(ids)
        say_and_send(app, "aminata", "réunion annuler 1")
        assert app.jobs.job_ids() == ["digest:2026-11-30"]
    finally:
        app.stop()


def keys_to(app: BotApp, member_id: str) -> list[str]:
    return [r.key for r in app.store.outbox.all() if r.recipient["ref"] == member_id]


async def test_reminders_go_only_to_those_invited(app: BotApp, clock: Clock,
                                                  spoken: Spoken) -> None:
    """Someone who became a member of the committee's agencies after the invitations went out,
    without being invited (a configuration edit, a data fix), is not reminded."""
    from storage.models import FOCAL_POINT, Member

    say_and_send(app, "aminata", "réunion comité mardi 1 décembre 10h")
    app.store.members.save(Member(id="oumar", name="Oumar Touré", agency="UNHCR",
                                  roles=[FOCAL_POINT], identities=["telegram:777"]))
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert ran(await app.run_due_jobs(), "meeting.reminder") == 1
    assert {who for who, _ in reminders(app)} == set(app.store.meetings.get(1).invited)
    assert keys_to(app, "oumar") == []
    refused = say(app, "telegram:777", "présent 1")
    assert spoken.shown(refused.message.paragraphs[0], "rsvp.not_invited", number=1)
    assert app.store.rsvps.get(1, "oumar") is None


async def test_a_focal_point_approved_later_is_invited_before_any_reminder(app: BotApp,
                                                                          clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion comité mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")
    say(app, "console:kadiatou", "rejoindre UNICEF Kadiatou Konaté")
    say(app, "mariam", "membre approuver 1")
    member = app.store.members.by_identity("console:kadiatou")
    # Invited to both meetings to come of the kinds her agency is invited to, once each.
    assert keys_to(app, member.id) == ["join:1:welcome:" + member.id,
                                       "meeting:1:invited:" + member.id,
                                       "meeting:2:invited:" + member.id]
    assert member.id in app.store.meetings.get(1).invited
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await app.run_due_jobs()
    assert keys_to(app, member.id)[-1].startswith("meeting-reminder:1:")
    assert len(keys_to(app, member.id)) == 4  # the invitation came first, nothing twice


async def test_a_fp_approved_for_an_agency_not_on_the_committee_is_not_invited_to_it(
        app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion comité mardi 1 décembre 10h")
    say(app, "console:oumar", "rejoindre PAM Oumar Touré")
    say(app, "mariam", "membre approuver 1")
    member = app.store.members.by_identity("console:oumar")
    assert keys_to(app, member.id) == ["join:1:welcome:" + member.id]
    assert member.id not in app.store.meetings.get(1).invited


def test_an_added_member_gets_one_invitation_to_the_series_still_to_come(app: BotApp,
                                                                        clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # the first occurrence is past
    say(app, "mariam", "membre ajouter HCR telegram:778 Oumar Touré")
    member = app.store.members.by_identity("telegram:778")
    assert keys_to(app, member.id) == ["member:added:" + member.id,
                                       "series:1:invite:" + member.id]
    [invitation] = [r for r in app.store.outbox.all()
                    if r.key == "series:1:invite:" + member.id]
    assert invitation.message["title"] == app.ctx.t("fr", "meeting.series_invite_title",
                                                    count=5)
    invited = {m.id: member.id in (m.invited or []) for m in app.store.meetings.of_series(1)}
    assert invited == {1: False, 2: True, 3: True, 4: True, 5: True, 6: True}


def test_a_new_group_member_is_invited_to_the_groups_meetings_to_come(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion groupe données migratoires vendredi 4 décembre 15h")
    say(app, "sarah", "group add Données migratoires | fatoumata")
    say(app, "sarah", "group add Données migratoires | fatoumata")  # twice: one invitation
    assert keys_to(app, "fatoumata") == ["meeting:1:invited:fatoumata"]
    assert "fatoumata" in app.store.meetings.get(1).invited
