"""Preview, then send, for what opens something new: ``consultation ouvrir …``, ``réunion …``
(each kind), ``réunion série …`` and the Slack forms' submissions. Nothing is stored or sent
before « Envoyer »; the preview says how many people it reaches and warns (short notice, a
public holiday in Mali, an Executive Committee seat that cannot answer, a series that already
runs); « Envoyer » acts once, « Annuler » drops, « Modifier » gives the command or the form
back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import BotApp
from handlers.consultations.seats import consulted_people
from handlers.meetings.invitees import eligible
from handlers.settings import Network
from handlers.types import Inbound, Reply
from storage.drafts import DROPPED, SENT, WAITING
from storage.store import Store
from tests.support.chat import Clock, click, say
from tests.support.previews import send_preview
from tests.support.spoken import Spoken

OPEN = "consultation ouvrir Adopter le plan de travail 2027 | vendredi 4 décembre 17h"
MEETING = "réunion mardi 1 décembre 10h"
MOUSSA = "U0DEMOMK"  # a co-chair, on Slack


def buttons(reply: Reply) -> list[str]:
    return [b.action for b in reply.message.buttons]


def invitations(app: BotApp, prefix: str) -> int:
    return sum(1 for r in app.store.outbox.all()
               if r.key.startswith(prefix) and r.recipient["kind"] == "member")


def test_a_consultation_is_previewed_and_nothing_opens_before_send(app: BotApp,
                                                                   spoken: Spoken) -> None:
    reply = say(app, "aminata", OPEN)
    assert spoken.shown(reply, "preview.title")
    assert spoken.shown(reply, "preview.poll_open",
                        proposal="Adopter le plan de travail 2027")
    assert buttons(reply) == ["preview.send", "preview.edit", "preview.cancel"]
    assert app.store.consultations.all() == []
    assert invitations(app, "poll:") == 0
    draft = app.store.drafts.all()[-1]
    assert (draft.command, draft.status, draft.member_id) == ("poll_open", WAITING, "aminata")
    assert draft.parsed == {"proposal": "Adopter le plan de travail 2027",
                            "deadline": "2026-12-04T17:00:00.000000+00:00",
                            "mode": "consensus", "group": None}

    sent = send_preview(app, "aminata", reply)
    assert spoken.shown(sent, "poll.opened", number=1)
    consultation = app.store.consultations.get(1)
    people = len(consulted_people(app.ctx, consultation))
    assert spoken.shown(reply, "preview.reach", count=people)  # the count the preview gave
    assert invitations(app, "poll:1:open") == people
    assert app.store.drafts.get(draft.id).status == SENT


def test_a_consultation_preview_warns_of_short_notice_holiday_and_silent_seats(
        app: BotApp, spoken: Spoken) -> None:
    """Saturday 28 November 17:00; the first consultation reminder is 2 days before; four
    Executive Committee entities of the built-in network have no focal point."""
    short = say(app, "aminata", "consultation ouvrir Note | lundi 30 novembre 9h")
    assert spoken.shown(short, "preview.warn.short_notice", "fr")
    assert spoken.shown(short, "preview.warn.executive_seat", count=4)
    spoken.clear()
    holiday = say(app, "aminata", "consultation ouvrir Note | vendredi 25 décembre 17h")
    assert spoken.shown(holiday, "preview.warn.holiday", "fr", holiday="Fête de Noël")
    assert not spoken.has("preview.warn.short_notice")
    spoken.clear()
    plain = say(app, "aminata", OPEN)
    assert not spoken.has("preview.warn.short_notice") and not spoken.has("preview.warn.holiday")
    assert spoken.shown(plain, "preview.warn.executive_seat", count=4)


def test_a_consultation_nobody_can_decide_is_refused_at_the_preview(app: BotApp,
                                                                    spoken: Spoken) -> None:
    say(app, "aminata", "groupe créer Vide")
    say(app, "mariam", "groupe ajouter Vide | aminata")  # a co-chair, not a focal point
    reply = say(app, "aminata", "consultation ouvrir X | vendredi 4 décembre 17h | groupe Vide")
    assert spoken.shown(reply, "poll.nobody_can_answer")
    assert buttons(reply) == [] and app.store.drafts.all() == []


def test_a_meeting_is_previewed_with_who_is_invited_then_created_once(app: BotApp,
                                                                      spoken: Spoken) -> None:
    reply = say(app, "aminata", MEETING)
    assert spoken.shown(reply, "preview.meeting")
    assert spoken.shown(reply, "preview.warn.short_notice", "fr")  # in 3 days: reminder 7 days
    assert not spoken.has("preview.warn.executive_seat")  # a network meeting
    assert app.store.meetings.all() == [] and invitations(app, "meeting:") == 0
    sent = send_preview(app, "aminata", reply)
    assert spoken.shown(sent, "meeting.scheduled", number=1)
    meeting = app.store.meetings.get(1)
    assert spoken.shown(reply, "preview.reach", count=len(meeting.invited or []))
    assert len(meeting.invited or []) == len(eligible(app.ctx, meeting))
    queued = len(app.store.outbox.all())
    assert spoken.shown(send_preview(app, "aminata", reply), "preview.already_sent")
    assert len(app.store.meetings.all()) == 1 and len(app.store.outbox.all()) == queued


def test_an_executive_committee_meeting_warns_of_seats_that_cannot_answer(
        app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", "réunion comité vendredi 18 décembre 10h")
    assert spoken.shown(reply, "preview.warn.executive_seat", count=4)
    assert not spoken.has("preview.warn.short_notice")  # three weeks ahead


def test_a_meeting_on_a_mali_public_holiday_is_warned(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", "réunion vendredi 25 décembre 10h")
    assert spoken.shown(reply, "preview.warn.holiday", "fr", holiday="Fête de Noël")


def test_a_group_meeting_is_previewed_for_its_members(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "sarah", "réunion groupe Données migratoires jeudi 3 décembre 10h")
    assert spoken.shown(reply, "preview.meeting")
    assert app.store.meetings.all() == []
    send_preview(app, "sarah", reply)
    meeting = app.store.meetings.get(1)
    assert (meeting.kind, meeting.group) == ("group", "Données migratoires")
    assert spoken.shown(reply, "preview.reach", count=len(meeting.invited or []))


def test_a_series_is_previewed_with_its_occurrences_and_created_on_send(
        app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    assert spoken.shown(reply, "preview.meeting_series", count=6)
    assert not spoken.has("preview.warn.series_exists")
    assert app.store.series.all() == [] and app.store.meetings.all() == []
    send_preview(app, "aminata", reply)
    assert len(app.store.meetings.of_series(1)) == 6


def test_a_series_started_by_someone_else_since_the_preview_is_not_sent_twice(
        app: BotApp, spoken: Spoken) -> None:
    """Two leads preview the same series; the first sends it; the second's preview no longer
    says what would happen (no warning was shown), so nothing is sent."""
    rule = "réunion série tous les deux mois le premier mardi à 10h"
    first = say(app, "aminata", rule)
    second = say(app, "mariam", rule)
    send_preview(app, "aminata", first)
    refused = send_preview(app, "mariam", second)
    assert spoken.shown(refused, "preview.changed")
    assert len(app.store.series.all()) == 1 and len(app.store.meetings.all()) == 6


def test_cancel_drops_an_opening_and_nothing_is_stored(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", OPEN)
    value = reply.message.buttons[0].value
    assert spoken.shown(click(app, "aminata", "preview.cancel", value), "preview.cancelled")
    assert app.store.drafts.get(int(value)).status == DROPPED
    assert spoken.shown(send_preview(app, "aminata", reply), "preview.already_dropped")
    assert app.store.consultations.all() == [] and invitations(app, "poll:") == 0


def test_edit_gives_the_typed_opening_back(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", MEETING)
    edited = click(app, "aminata", "preview.edit", reply.message.buttons[0].value)
    assert spoken.shown(edited, "preview.edit_hint", command=MEETING)
    assert spoken.shown(send_preview(app, "aminata", reply), "preview.already_dropped")
    assert app.store.meetings.all() == []


def test_another_lead_cannot_send_someone_elses_opening(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", OPEN)
    assert spoken.shown(send_preview(app, "mariam", reply), "preview.unknown")
    assert app.store.consultations.all() == []
    send_preview(app, "aminata", reply)
    assert len(app.store.consultations.all()) == 1


def test_a_meeting_whose_moment_passed_before_send_is_not_created(app: BotApp, clock: Clock,
                                                                  spoken: Spoken) -> None:
    reply = say(app, "aminata", "réunion dans 2 heures")
    clock.now += timedelta(hours=3)
    assert spoken.shown(send_preview(app, "aminata", reply), "preview.changed")
    assert app.store.meetings.all() == []


def test_a_restart_between_the_press_and_the_delivery_sends_nothing_twice(
        tmp_path: Path, network: Network, spoken: Spoken) -> None:
    """The press is one transaction with what it queues: after a restart the invitations are
    queued once, and the same press (replayed) queues nothing more."""
    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    reply = say(app, "aminata", OPEN)
    send_preview(app, "aminata", reply)  # pressed; the dispatcher has delivered nothing yet
    store.close()
    store = Store.open(tmp_path / "d")
    again = BotApp(store, network, clock=clock)
    queued = invitations(again, "poll:1:open")
    assert queued == len(consulted_people(again.ctx, again.store.consultations.get(1)))
    assert spoken.shown(send_preview(again, "aminata", reply), "preview.already_sent")
    assert invitations(again, "poll:1:open") == queued
    assert len(again.store.consultations.all()) == 1
    store.close()


def submit(app: BotApp, form: str, answers: dict[str, str]) -> Reply:
    """A co-chair sends a form from Slack (as the Slack adapter hands it over)."""
    return app.handle(Inbound(platform="slack", user_id=MOUSSA, action=f"form.{form}.send",
                              answers=tuple(answers.items()), forms=True))


CONSULTATION_FORM = {"proposal": "Adopter le plan 2027", "document": "",
                     "deadline_date": "2026-12-04", "deadline_time": "17:00",
                     "mode": "silence", "scope": "network"}


def test_a_consultation_form_is_previewed_and_edit_reopens_it_filled(app: BotApp,
                                                                     spoken: Spoken) -> None:
    reply = submit(app, "consultation", CONSULTATION_FORM)
    assert spoken.shown(reply, "preview.poll_open", proposal="Adopter le plan 2027")
    assert buttons(reply) == ["preview.send", "preview.edit", "preview.cancel"]
    assert reply.message.form is None  # the modal closes; the preview is said in the chat
    assert app.store.consultations.all() == []
    draft = app.store.drafts.all()[-1]
    assert (draft.command, draft.form, draft.answers) == (
        "poll_open", "consultation", CONSULTATION_FORM)
    edited = click(app, f"slack:{MOUSSA}", "preview.edit", str(draft.id))
    form = edited.message.form
    assert form is not None and form.action == "form.consultation.send"
    assert {f.name: f.initial for f in form.fields} == CONSULTATION_FORM
    assert spoken.shown(edited, "preview.edit_form")
    assert app.store.drafts.get(draft.id).status == DROPPED


def test_a_consultation_form_is_opened_on_send(app: BotApp, spoken: Spoken) -> None:
    reply = submit(app, "consultation", CONSULTATION_FORM)
    sent = send_preview(app, f"slack:{MOUSSA}", reply)
    assert spoken.shown(sent, "poll.opened", number=1)
    consultation = app.store.consultations.get(1)
    assert (consultation.mode, consultation.proposal) == ("silence", "Adopter le plan 2027")
    assert spoken.shown(reply, "preview.reach",
                        count=len(consulted_people(app.ctx, consultation)))


def test_a_meeting_form_is_previewed_then_created_with_its_place_and_agenda(
        app: BotApp, spoken: Spoken) -> None:
    reply = submit(app, "meeting", {
        "kind": "executive", "date": "2026-12-18", "time": "09:30", "duration": "90",
        "place": "PNUD, salle 2", "link": "", "purpose": "Plan 2027",
        "agenda": "Budget\nCalendrier", "repeat": "once"})
    assert spoken.shown(reply, "preview.meeting")
    assert spoken.shown(reply, "preview.warn.executive_seat", count=4)
    assert app.store.meetings.all() == []
    assert app.store.drafts.all()[-1].command == "meeting_executive"
    send_preview(app, f"slack:{MOUSSA}", reply)
    meeting = app.store.meetings.get(1)
    assert (meeting.kind, meeting.place) == ("executive", "PNUD, salle 2")
    assert [i.text for i in meeting.agenda] == ["Plan 2027", "Budget", "Calendrier"]
    assert meeting.end == "2026-12-18T11:00:00.000000+00:00"


def test_a_bimonthly_meeting_form_is_previewed_as_a_series(app: BotApp,
                                                           spoken: Spoken) -> None:
    reply = submit(app, "meeting", {
        "kind": "network", "date": "2026-12-08", "time": "10:00", "duration": "120",
        "place": "", "link": "", "purpose": "", "agenda": "", "repeat": "bimonthly"})
    assert spoken.shown(reply, "preview.meeting_series", count=6)
    assert app.store.series.all() == []
    send_preview(app, f"slack:{MOUSSA}", reply)
    assert len(app.store.meetings.of_series(1)) == 6


def test_the_buttons_can_be_typed_where_a_chat_shows_none(app: BotApp, spoken: Spoken) -> None:
    """The console shows each button with its typed form (its hint): ``aperçu 1 envoyer``."""
    reply = say(app, "aminata", MEETING)
    assert [b.hint for b in reply.message.buttons] == [
        "aperçu 1 envoyer", "aperçu 1 modifier", "aperçu 1 annuler"]
    assert spoken.shown(say(app, "aminata", "aperçu 1"), "preview.usage")
    assert spoken.shown(say(app, "mariam", "aperçu 1 envoyer"), "preview.unknown")
    assert app.store.meetings.all() == []
    assert spoken.shown(say(app, "aminata", "aperçu 1 envoyer"), "meeting.scheduled", number=1)
    assert spoken.shown(say(app, "aminata", "apercu 1 envoyer"), "preview.already_sent")
    english = say(app, "moussa", "meeting Tuesday 8 December 10am", locale="en")
    assert [b.hint for b in english.message.buttons][0] == "preview 2 send"
    assert spoken.shown(say(app, "moussa", "preview 2 cancel", locale="en"),
                        "preview.cancelled")
    assert len(app.store.meetings.all()) == 1


def test_a_series_warns_of_each_occurrence_on_a_mali_public_holiday(app: BotApp,
                                                                    spoken: Spoken) -> None:
    reply = say(app, "aminata", "réunion série tous les mois le 25 à 10h")
    assert spoken.shown(reply, "preview.warn.holiday", "fr", holiday="Fête de Noël")
    assert not spoken.has("preview.warn.short_notice")  # the first is four weeks ahead
