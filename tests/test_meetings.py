"""Meetings: scheduling in both languages, invitees by kind, calendar files that hold exactly
what the bot announces, answers, the agenda, changes and cancellations."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from bot.app import BotApp
from handlers.types import Message, Recipient
from storage.models import EXTERNAL_PARTNER, Member
from tests.conftest import click, say, text_of
from tests.support.previews import say_and_send, send_preview
from tests.support.spoken import Spoken

BAMAKO = ZoneInfo("Africa/Bamako")


def sent_to(app: BotApp, member_id: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient("member", member_id)]


def recipients(app: BotApp, number: int) -> set[str]:
    """Who was invited to meeting ``number`` (the outbox rows of its invitation)."""
    return {Recipient.from_dict(r.recipient).ref for r in app.store.outbox.all()
            if r.key.startswith(f"meeting:{number}:invite:")}


def calendar_of(message: Message) -> icalendar.Calendar:
    [ics] = [a for a in message.attachments if a.media_type == "text/calendar"]
    return icalendar.Calendar.from_ical(ics.content)


def starts(cal: icalendar.Calendar) -> list[datetime]:
    events = recurring_ical_events.of(cal).between(datetime(2026, 1, 1), datetime(2030, 1, 1))
    return sorted(e["DTSTART"].dt for e in events)


def test_a_network_meeting_is_confirmed_in_full_words_and_everyone_is_invited(
        app, spoken: Spoken) -> None:
    reply = text_of(say_and_send(app, "aminata", "réunion mardi 1 décembre 10h"))
    assert reply.splitlines()[:2] == [
        spoken.text("meeting.scheduled", "fr", number=1,
                    kind=spoken.text("meeting.kind.network", "fr")),
        "mardi 1er décembre 2026, 10:00–12:00 (GMT), Maison Commune des Nations Unies (MCNU), "
        "Bamako"]  # the date, times, zone and place in words: the point of this test
    assert spoken.shown(reply, "meeting.invites_sent", count=7)
    assert recipients(app, 1) == {
        "aminata", "moussa", "mariam", "awa", "sarah", "ibrahim", "fatoumata"}
    [invite] = sent_to(app, "sarah")
    assert invite.title == spoken.text("meeting.invite_title", "en", number=1,
                                       kind=spoken.text("meeting.kind.network", "en"))
    assert invite.paragraphs[0] == ("Tuesday 1 December 2026, 10:00–12:00 (GMT), UN House "
                                    "(Maison Commune des Nations Unies), Bamako")
    assert [(b.action, b.value, b.label) for b in invite.buttons] == [
        (f"rsvp.{choice}", "1", spoken.text(f"rsvp.button.{choice}", "en"))
        for choice in ("present", "online", "excused")] + [
        ("later", "meeting.1", spoken.text("later.button", "en"))]
    cal = calendar_of(invite)
    assert cal["METHOD"] == "PUBLISH"
    [event] = cal.walk("VEVENT")
    assert event["UID"] == app.store.meetings.get(1).uid and event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Africa/Bamako"
    assert starts(cal) == [datetime(2026, 12, 1, 10, tzinfo=BAMAKO)]
    assert "Maison Commune" in str(event["LOCATION"])


def test_only_co_chairs_and_secretariat_convene(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say_and_send(app, "awa",
                                     "réunion mardi 1 décembre 10h"), "error.not_allowed",
                        who=app.catalog.join("fr", [app.catalog.t("fr", "role.secretariat"),
                                                    app.catalog.t("fr", "role.co_chair")]))
    assert app.store.meetings.all() == []
    assert spoken.shown(say_and_send(app, "mariam", "reunion mardi 1 decembre 10h"),
                        "meeting.scheduled",
                        number=1)


def test_a_bad_date_is_refused_with_a_usable_message(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say_and_send(app, "aminata", "réunion 30 février 2027 10h"),
                        "when.impossible_date")
    assert spoken.shown(say_and_send(app, "aminata", "réunion 2 novembre 2026 10h"), "when.past")
    reply = say_and_send(app, "aminata", "réunion mardi 13 janvier 2027 10h")
    assert spoken.shown(reply, "when.weekday_mismatch")
    assert "mercredi" in str(spoken.last("when.weekday_mismatch").params["weekday"])
    assert app.store.meetings.all() == []


def test_invitees_follow_the_kind_of_meeting(app: BotApp, store, spoken: Spoken) -> None:
    store.members.save(Member(id="croix-rouge", name="Croix-Rouge malienne", agency="RCO",
                              roles=[EXTERNAL_PARTNER], identities=["telegram:900"]))
    say_and_send(app, "aminata", "réunion comité jeudi 3 décembre 9h")
    assert [m.kind for m in app.store.meetings.all()] == ["executive"]
    assert recipients(app, 1) == {"aminata", "moussa", "mariam", "awa", "sarah", "ibrahim"}
    say_and_send(app, "aminata", "réunion groupe données migratoires vendredi 4 décembre 15h")
    assert recipients(app, 2) == {"sarah", "awa", "ibrahim", "mariam"}
    say_and_send(app, "aminata", "réunion annuelle 15/06/2027 9h")
    assert "croix-rouge" in recipients(app, 3)
    say_and_send(app, "aminata", "réunion lundi 7 décembre 10h")
    assert {m.id: m.kind for m in app.store.meetings.all()} == {
        1: "executive", 2: "group", 3: "annual", 4: "network"}
    assert recipients(app, 4) and "croix-rouge" not in recipients(app, 4)
    assert spoken.shown(say_and_send(app, "aminata", "réunion groupe inconnu lundi 10h"),
                        "meeting.unknown_group", groups="Données migratoires")


def test_place_and_link_changes_reach_invitees_with_a_new_sequence(app: BotApp,
                                                                   spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    reply = text_of(say(app, "aminata", "réunion lieu 1 Salle Niger, MCNU"))
    assert "Salle Niger, MCNU" in reply
    assert spoken.shown(say(app, "aminata", "réunion lien 1 javascript:alert(1)"),
                        "meeting.link_usage")
    assert app.store.meetings.get(1).link in (None, "")
    say(app, "aminata", "réunion lien 1 https://meet.example.org/reseau")
    latest = sent_to(app, "awa")[-1]
    assert latest.title == spoken.text("meeting.updated_title", "fr", number=1,
                                       kind=spoken.text("meeting.kind.network", "fr"))
    event = calendar_of(latest).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 2 and str(event["LOCATION"]) == "Salle Niger, MCNU"
    assert str(event["URL"]) == "https://meet.example.org/reseau"


def test_moving_and_cancelling_notify_with_updated_files(app: BotApp, spoken: Spoken) -> None:
    network_meeting = app.catalog.t("fr", "meeting.kind.network")
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    reply = text_of(say(app, "aminata", "réunion déplacer 1 mercredi 2 décembre 14h30"))
    assert spoken.shown(reply, "meeting.was") and spoken.shown(reply, "meeting.now")
    # the old and the new time, in words (the date format is the catalog's own test)
    assert str(spoken.last("meeting.was").params["line"]).startswith(
        "mardi 1er décembre 2026, 10:00–12:00")
    assert str(spoken.last("meeting.now").params["line"]).startswith(
        "mercredi 2 décembre 2026, 14:30–16:30")
    moved = sent_to(app, "ibrahim")[-1]
    assert moved.title == spoken.text("meeting.moved_title", "fr", number=1,
                                      kind=network_meeting)
    assert starts(calendar_of(moved)) == [datetime(2026, 12, 2, 14, 30, tzinfo=BAMAKO)]
    assert calendar_of(moved).walk("VEVENT")[0]["SEQUENCE"] == 1

    say_and_send(app, "aminata", "réunion annuler 1")
    cancelled = sent_to(app, "ibrahim")[-1]
    assert cancelled.title == spoken.text("meeting.cancelled_title", "fr", number=1,
                                          kind=network_meeting)
    cal = calendar_of(cancelled)
    assert cal["METHOD"] == "PUBLISH" and cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert cal.walk("VEVENT")[0]["SEQUENCE"] == 2
    spoken.clear()
    assert spoken.shown(say(app, "awa", "présent 1"), "meeting.cancelled", number=1)
    assert app.store.rsvps.get(1, "awa") is None
    assert spoken.shown(say(app, "aminata", "réunion annuler 1"), "meeting.cancelled", number=1)
    assert not spoken.has("meeting.cancel_done")


def test_a_series_is_one_file_that_expands_to_exactly_the_announced_meetings(
        app, spoken: Spoken) -> None:
    reply = text_of(say_and_send(app, "aminata",
                                 "réunion série tous les deux mois le premier mardi à 10h"))
    assert spoken.shown(reply, "meeting.series_scheduled", number=1, count=6)
    assert "• mardi 2 février 2027, 10:00–12:00 (GMT)" in reply
    announced = [datetime.fromisoformat(m.start) for m in app.store.meetings.all()]
    assert [d.astimezone(BAMAKO).date().isoformat() for d in announced] == [
        "2026-12-01", "2027-02-02", "2027-04-06", "2027-06-01", "2027-08-03", "2027-10-05"]
    invites = sent_to(app, "awa")
    assert len(invites) == 1  # one invite for the whole series
    assert invites[0].attachments[0].filename == "serie-1.ics"
    assert starts(calendar_of(invites[0])) == announced

    say(app, "aminata", "réunion déplacer 2 mercredi 3 février 2027 15h")
    moved = sent_to(app, "awa")[-1]
    expected = [*announced]
    expected[1] = datetime(2027, 2, 3, 15, tzinfo=BAMAKO)
    assert starts(calendar_of(moved)) == expected

    say_and_send(app, "aminata", "réunion annuler 3")
    cancelled = calendar_of(sent_to(app, "awa")[-1])  # the series, without that date
    assert cancelled["METHOD"] == "PUBLISH"
    assert starts(cancelled) == [expected[0], expected[1], expected[3], expected[4], expected[5]]
    say(app, "aminata", "réunion lieu 4 Salle Djoliba")
    updated = calendar_of(sent_to(app, "awa")[-1])
    assert starts(updated) == [expected[0], expected[1], expected[3], expected[4], expected[5]]
    # The other occurrences were not touched.
    assert app.store.meetings.get(5).place == "" and app.store.meetings.get(5).sequence == 0


def test_an_english_series_numbers_meetings_no_never_n_degree(app) -> None:
    reply = text_of(say_and_send(app, "moussa",
                                 "réunion série tous les deux mois le premier mardi à 10h",
                        locale="en"))
    assert "Series no. 1: 6 meetings scheduled" in reply and "(no. 2)" in reply
    [invite] = sent_to(app, "sarah")  # Sarah reads English
    assert invite.paragraphs[0].startswith("no. 1 — Tuesday 1 December 2026")
    assert "n°" not in reply + text_of(invite)
    assert "n° 1 — mardi 1er décembre 2026" in text_of(sent_to(app, "awa")[0])


def test_answers_by_button_and_command_per_person_and_agency(app: BotApp, clock,
                                                             spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    assert spoken.shown(click(app, "awa", "rsvp.present", "1"), "rsvp.done.present", number=1)
    say(app, "telegram:100000001", "excusé 1")  # Awa changes her mind, from Telegram
    say(app, "sarah", "online 1")
    click(app, "ibrahim", "rsvp.present", "1")
    click(app, "ibrahim", "rsvp.present", "1")  # a double click
    rsvps = {r.member_id: r.status for r in app.store.rsvps.of_meeting(1)}
    assert rsvps == {"awa": "excused", "sarah": "online", "ibrahim": "present"}
    spoken.clear()
    shown = say(app, "aminata", "réunion voir 1")
    assert spoken.shown(shown, "meeting.agency_line", agency="UNICEF", present=0, online=0,
                        excused=1)
    assert spoken.shown(shown, "meeting.silent", count=4)
    assert "Fatoumata Sidibé (PAM)" in str(spoken.last("meeting.silent").params["names"])
    spoken.clear()
    say(app, "awa", "réunion voir 1")
    assert spoken.has("meeting.show_title") and not spoken.has("meeting.silent")
    assert spoken.shown(say(app, "awa", "réunions"), "meeting.list_line", number=1, present=1,
                        online=1, excused=1)

    # Not invited: the committee meeting is not for WFP.
    say_and_send(app, "aminata", "réunion comité jeudi 3 décembre 9h")
    assert spoken.shown(say(app, "fatoumata", "présent 2"), "rsvp.not_invited", number=2)
    assert app.store.rsvps.get(2, "fatoumata") is None
    # After the start, answers are closed.
    clock.now = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
    assert spoken.shown(say(app, "sarah", "excused 1"), "meeting.past", "en", number=1)
    assert app.store.rsvps.get(1, "sarah").status == "online"


def test_agenda_items_by_any_member(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    added = say(app, "awa", "ordre du jour 1 ajouter Point sur les retours volontaires")
    assert spoken.shown(added, "meeting.agenda_added", position=1, number=1)
    say(app, "sarah", "agenda 1 add Data sharing protocol, 2027")
    shown = text_of(say(app, "fatoumata", "ordre du jour 1"))
    assert "1. Point sur les retours volontaires\n2. Data sharing protocol, 2027" in shown
    assert spoken.shown(say(app, "awa", "ordre du jour 1 supprimer 2"), "meeting.agenda_usage")
    assert len(app.store.meetings.get(1).agenda) == 2
    # No number: the one meeting to come is meant, and « x » is not « ajouter ».
    assert spoken.shown(say(app, "awa", "ordre du jour x"), "meeting.agenda_usage")


def test_a_move_keeps_the_length_even_when_the_date_has_dashes(app: BotApp) -> None:
    """« 15-12-2026 14h » has dashes but no end: a one-hour meeting stays one hour long."""
    say_and_send(app, "aminata", "réunion mardi 1 décembre de 14h à 15h")
    say(app, "aminata", "réunion déplacer 1 15-12-2026 14h")
    meeting = app.store.meetings.get(1)
    assert (datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)) == (
        datetime(2026, 12, 15, 14, tzinfo=BAMAKO), datetime(2026, 12, 15, 15, tzinfo=BAMAKO))
    say(app, "aminata", "réunion déplacer 1 16/12/2026 de 9h à 12h")  # an end written: taken
    meeting = app.store.meetings.get(1)
    assert datetime.fromisoformat(meeting.end) == datetime(2026, 12, 16, 12, tzinfo=BAMAKO)


def test_a_move_to_the_same_time_changes_nothing_and_tells_nobody(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    before = app.store.meetings.get(1)
    queued = len(app.store.outbox.all())
    reply = say(app, "aminata", "réunion déplacer 1 1/12/2026 10h")
    assert text_of(reply) == app.ctx.t("fr", "meeting.move_unchanged", number=1,
                                       line="mardi 1er décembre 2026, 10:00–12:00 (GMT), "
                                            "Maison Commune des Nations Unies (MCNU), Bamako")
    after = app.store.meetings.get(1)
    assert (after.sequence, after.updated_at, after.start, after.end) == (
        before.sequence, before.updated_at, before.start, before.end)
    assert len(app.store.outbox.all()) == queued


def test_a_meeting_in_62_minutes_is_stored_and_shown_on_the_whole_minute(app: BotApp,
                                                                         clock) -> None:
    clock.now = datetime(2026, 11, 28, 2, 18, 13, 250_000, tzinfo=UTC)
    reply = text_of(say_and_send(app, "aminata", "réunion dans 62 minutes"))
    meeting = app.store.meetings.get(1)
    assert meeting.start == "2026-11-28T03:20:00.000000+00:00"
    assert meeting.end == "2026-11-28T05:20:00.000000+00:00"
    assert "03:20–05:20" in reply


def test_typing_the_same_series_again_is_previewed_with_a_warning_before_a_second(
        tmp_path, network, clock, spoken: Spoken) -> None:
    from storage.store import Store

    rule = "réunion série tous les deux mois le premier mardi à 10h"
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    say_and_send(app, "aminata", rule)
    invitations = len(app.store.outbox.all())
    again = say(app, "mariam", rule)
    assert spoken.shown(again, "preview.warn.series_exists", number=1)
    assert len(app.store.series.all()) == 1  # nothing stored, not even a draft series
    assert len(app.store.meetings.all()) == 6 and len(app.store.outbox.all()) == invitations
    # Another rule is no duplicate: no warning.
    other = say(app, "aminata", "réunion série tous les mois le 15 à 9h")
    assert not spoken.shown(other, "preview.warn.series_exists")
    send_preview(app, "aminata", other)
    assert len(app.store.meetings.all()) == 12
    store.close()

    store = Store.open(tmp_path / "d")  # the preview can still be sent after a restart
    app = BotApp(store, network, clock=clock)
    reply = click(app, "moussa", "rsvp.present", "1")  # unrelated click, nothing breaks
    assert spoken.shown(reply, "rsvp.done.present", number=1)
    created = send_preview(app, "mariam", again).message
    assert created.title == app.ctx.t("fr", "meeting.series_scheduled", number=3, count=6)
    assert len(app.store.meetings.of_series(3)) == 6
    assert len(sent_to(app, "awa")) == 3  # one invitation per series
    # A second press creates nothing more; the old typed confirmation neither.
    assert spoken.shown(send_preview(app, "mariam", again), "preview.already_sent")
    assert text_of(say(app, "aminata", "réunion série confirmer 3")) == app.ctx.t(
        "fr", "meeting.series_already_confirmed", number=3)
    assert len(app.store.meetings.all()) == 18
    spoken.clear()
    assert spoken.shown(click(app, "awa", "series.confirm", "3"), "error.not_allowed")
    assert len(app.store.meetings.all()) == 18
    store.close()


def test_the_same_series_in_other_words_is_warned_then_created_on_send(
        app: BotApp, spoken: Spoken) -> None:
    """Same rule in other words (English): the preview warns, « Envoyer » creates it."""
    say_and_send(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    asked = say(app, "moussa", "meeting series every two months on the first Tuesday at 10am")
    assert spoken.shown(asked, "preview.warn.series_exists", number=1)
    assert len(app.store.meetings.all()) == 6
    done = send_preview(app, "moussa", asked).message
    assert done.title == app.ctx.t("fr", "meeting.series_scheduled", number=2, count=6)
    assert len(app.store.meetings.of_series(2)) == 6
