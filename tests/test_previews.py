"""Preview, then send: a lead's broadcast (a consultation closed early or extended, a meeting
cancelled) is first shown with what goes out, to how many, and its warnings; « Envoyer » does
it once, « Annuler » drops it, an expired or outdated draft is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import BotApp
from handlers.consultations.seats import audience, consulted_people
from handlers.meetings.invitees import invitees
from handlers.settings import Network
from storage.drafts import DROPPED, SENT, WAITING
from storage.store import Store
from tests.support.chat import Clock, click, say
from tests.support.previews import say_and_send, send_preview
from tests.support.spoken import Spoken

EXTEND = "consultation prolonger 1 vendredi 11 décembre 17h"


def open_poll(app: BotApp, deadline: str = "vendredi 4 décembre 17h") -> None:
    say_and_send(app, "aminata",
                 f"consultation ouvrir Adopter le plan de travail 2027 | {deadline}")


def extensions_queued(app: BotApp) -> int:
    return sum(1 for row in app.store.outbox.all() if ":extended:" in row.key)


def test_an_extension_is_previewed_with_its_count_and_buttons(app: BotApp,
                                                              spoken: Spoken) -> None:
    open_poll(app)
    before = app.store.consultations.get(1).deadline
    reply = say(app, "aminata", EXTEND)
    assert spoken.shown(reply, "preview.title")
    assert spoken.shown(reply, "preview.poll_extend", number=1)
    people = len(consulted_people(app.ctx, app.store.consultations.get(1)))
    assert spoken.shown(reply, "preview.reach", count=people)
    assert [b.action for b in reply.message.buttons] == [
        "preview.send", "preview.edit", "preview.cancel"]
    assert app.store.consultations.get(1).deadline == before  # nothing done yet
    assert extensions_queued(app) == 0
    draft = app.store.drafts.all()[-1]
    assert (draft.member_id, draft.command, draft.args, draft.status) == (
        "aminata", "poll_extend", "1 vendredi 11 décembre 17h", WAITING)
    assert draft.parsed == {"consultation": 1, "deadline": "2026-12-11T17:00:00.000000+00:00"}


def test_send_acts_once_and_a_replayed_click_does_nothing_more(app: BotApp,
                                                                spoken: Spoken) -> None:
    open_poll(app)
    preview = say(app, "aminata", EXTEND)
    sent = send_preview(app, "aminata", preview)
    assert spoken.shown(sent, "poll.extended", number=1)
    assert app.store.consultations.get(1).deadline == "2026-12-11T17:00:00.000000+00:00"
    queued = extensions_queued(app)
    assert queued > 0
    assert app.store.drafts.all()[-1].status == SENT
    again = send_preview(app, "aminata", preview)
    assert spoken.shown(again, "preview.already_sent")
    assert extensions_queued(app) == queued
    assert app.store.consultations.get(1).previous_deadlines == [
        "2026-12-04T17:00:00.000000+00:00"]


def test_a_draft_survives_a_restart(tmp_path: Path, network: Network, spoken: Spoken) -> None:
    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    open_poll(app)
    preview = say(app, "aminata", "consultation clore 1")
    store.close()
    store = Store.open(tmp_path / "d")
    again = BotApp(store, network, clock=clock)
    assert again.store.consultations.get(1).status == "open"
    send_preview(again, "aminata", preview)
    assert again.store.consultations.get(1).status == "closed"
    assert again.store.drafts.all()[-1].status == SENT
    store.close()


def test_cancel_drops_the_draft_and_sends_nothing(app: BotApp, spoken: Spoken) -> None:
    open_poll(app)
    preview = say(app, "aminata", "consultation clore 1")
    value = preview.message.buttons[0].value
    assert spoken.shown(click(app, "aminata", "preview.cancel", value), "preview.cancelled")
    assert app.store.drafts.all()[-1].status == DROPPED
    assert spoken.shown(send_preview(app, "aminata", preview), "preview.already_dropped")
    assert app.store.consultations.get(1).status == "open"
    assert not [r for r in app.store.outbox.all() if r.key.startswith("poll:1:outcome")]


def test_edit_gives_the_command_back_to_retype(app: BotApp, spoken: Spoken) -> None:
    open_poll(app)
    preview = say(app, "aminata", EXTEND)
    reply = click(app, "aminata", "preview.edit", preview.message.buttons[0].value)
    assert spoken.shown(reply, "preview.edit_hint", command=EXTEND)
    assert app.store.drafts.all()[-1].status == DROPPED
    assert spoken.shown(send_preview(app, "aminata", preview), "preview.already_dropped")


def test_an_expired_draft_is_refused(app: BotApp, clock: Clock, spoken: Spoken) -> None:
    open_poll(app)
    preview = say(app, "aminata", EXTEND)
    clock.now += timedelta(hours=25)
    reply = send_preview(app, "aminata", preview)
    assert spoken.shown(reply, "preview.expired", command=EXTEND)
    assert app.store.consultations.get(1).deadline == "2026-12-04T17:00:00.000000+00:00"
    assert extensions_queued(app) == 0


def test_a_draft_whose_words_now_mean_another_day_is_not_sent(app: BotApp, clock: Clock,
                                                              spoken: Spoken) -> None:
    """« demain » previewed on Saturday is Sunday; sent on Sunday it would be Monday."""
    open_poll(app, "dimanche 29 novembre 12h")
    preview = say(app, "aminata", "consultation prolonger 1 demain 17h")
    clock.now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    reply = send_preview(app, "aminata", preview)
    assert spoken.shown(reply, "preview.changed")
    assert app.store.consultations.get(1).deadline == "2026-11-29T12:00:00.000000+00:00"


def test_only_the_lead_who_started_a_draft_sends_it(app: BotApp, spoken: Spoken) -> None:
    open_poll(app)
    preview = say(app, "aminata", "consultation clore 1")
    assert spoken.shown(send_preview(app, "moussa", preview), "preview.unknown")
    assert app.store.consultations.get(1).status == "open"


def test_closing_warns_of_executive_seats_that_cannot_answer(app: BotApp,
                                                             spoken: Spoken) -> None:
    """The built-in network has no focal point for four Executive Committee entities."""
    open_poll(app)
    reply = say(app, "aminata", "consultation clore 1")
    assert spoken.shown(reply, "preview.poll_close", number=1)
    assert spoken.shown(reply, "preview.warn.executive_seat", count=4)
    people = len(audience(app.ctx, app.store.consultations.get(1)))
    assert spoken.shown(reply, "preview.reach", count=people)


def test_an_extension_to_a_mali_public_holiday_is_warned(app: BotApp, spoken: Spoken) -> None:
    open_poll(app)
    reply = say(app, "aminata", "consultation prolonger 1 vendredi 25 décembre 17h")
    assert spoken.shown(reply, "preview.warn.holiday", "fr", holiday="Fête de Noël")
    plain = say(app, "aminata", EXTEND)
    assert not spoken.shown(plain, "preview.warn.holiday")


def test_an_extension_reads_monday_from_now_not_from_the_old_deadline(app: BotApp,
                                                                      spoken: Spoken) -> None:
    """Saturday 28 November; the deadline is Monday 30 at 9:00: « lundi 17h » is that Monday
    at 17:00, not the Monday after the old deadline."""
    open_poll(app, "lundi 30 novembre 9h")
    send_preview(app, "aminata", say(app, "aminata", "consultation prolonger 1 lundi 17h"))
    assert app.store.consultations.get(1).deadline == "2026-11-30T17:00:00.000000+00:00"


def test_a_meeting_cancellation_is_previewed_then_sent(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    meeting = app.store.meetings.get(1)
    reply = say(app, "aminata", "réunion annuler 1")
    assert spoken.shown(reply, "preview.meeting_cancel", number=1)
    assert spoken.shown(reply, "preview.reach", count=len(invitees(app.ctx, meeting)))
    assert app.store.meetings.get(1).status != "cancelled"
    sent = send_preview(app, "aminata", reply)
    assert spoken.shown(sent, "meeting.cancel_done", number=1)
    assert app.store.meetings.get(1).status == "cancelled"


def test_a_statement_draft_is_previewed_then_put_to_the_committee(app: BotApp,
                                                                   spoken: Spoken) -> None:
    say(app, "awa", "déclaration demander Journée internationale des migrants")
    reply = say(app, "aminata", "déclaration projet 1 Le réseau rappelle… | vendredi 4 "
                                "décembre 17h")
    assert spoken.shown(reply, "preview.statement_draft", number=1, version=1)
    assert spoken.shown(reply, "preview.warn.executive_seat", count=4)
    assert app.store.consultations.all() == []
    assert spoken.shown(send_preview(app, "aminata", reply), "statement.draft_sent", number=1,
                        version=1)
    round_ = app.store.consultations.get(1)
    assert round_.scope == "executive"
    assert spoken.shown(reply, "preview.reach", count=len(consulted_people(app.ctx, round_)))
