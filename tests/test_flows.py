"""Guided conversations through the neutral types (the console's path, which Telegram shares):
each form asked one question at a time, checked as the form checks it, a typed moment confirmed
in full words, « annuler », a restart in the middle, the timeout, two leads at once, and who may
start one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import BotApp
from handlers.settings import Network
from handlers.types import Inbound, Message, Reply
from storage.conversations import CANCELLED, DONE, EXPIRED, OPEN
from storage.store import Store
from tests.conftest import Clock, click, ran, say
from tests.support.previews import send_preview
from tests.support.spoken import Spoken


def go(app: BotApp, who: str, text: str) -> Reply:
    """``who`` writes ``text`` in a private chat that converses (the console, Telegram)."""
    return say(app, who, text, converses=True)


def buttons(reply: Reply) -> list[tuple[str, str]]:
    return [(b.action, b.value) for b in reply.message.buttons]


def pick(app: BotApp, who: str, reply: Reply, choice: int) -> Reply:
    """Press the ``choice``-th choice button under ``reply`` (from 0)."""
    picks = [b for b in reply.message.buttons if b.action == "flow.pick"]
    return click(app, who, "flow.pick", picks[choice].value)


def press(app: BotApp, who: str, reply: Reply, action: str, ending: str = "") -> Reply:
    [button] = [b for b in reply.message.buttons
                if b.action == action and b.value.endswith(ending)]
    return click(app, who, action, button.value)


def conversation_of(app: BotApp, who: str):
    found = [c for c in app.store.conversations.all() if c.identity == f"console:{who}"]
    return max(found, key=lambda c: c.id)


def meeting_up_to_the_moment(app: BotApp, who: str) -> Reply:
    reply = go(app, who, "réunion")
    assert [a for a, _ in buttons(reply)] == ["flow.pick"] * 4 + ["flow.cancel"]
    return pick(app, who, reply, 0)  # the network's meeting


def test_a_meeting_asked_step_by_step_is_the_record_a_modal_makes(app: BotApp,
                                                                  spoken: Spoken) -> None:
    reply = go(app, "aminata", "réunion")
    assert spoken.has("flow.intro") and spoken.has("form.field.kind")
    reply = pick(app, "aminata", reply, 0)
    assert spoken.has("flow.moment_label") and reply.message.ask is not None
    assert reply.message.ask.action == "flow.answer"
    spoken.clear()
    reply = go(app, "aminata", "jeudi 3 décembre 10h")
    assert spoken.shown(reply, "flow.confirm_moment",
                        when=app.catalog.datetime("fr", app.ctx.now().replace(
                            year=2026, month=12, day=3, hour=10, minute=0), "Africa/Bamako"))
    assert [a for a, _ in buttons(reply)] == ["flow.confirm", "flow.confirm", "flow.cancel"]
    assert app.store.meetings.get(1) is None  # nothing before « Oui »
    reply = press(app, "aminata", reply, "flow.confirm", ".yes")
    assert conversation_of(app, "aminata").answers == {"kind": "network", "date": "2026-12-03",
                                                      "time": "10:00"}
    reply = pick(app, "aminata", reply, 1)  # an hour
    reply = press(app, "aminata", reply, "flow.skip")  # the usual place
    reply = go(app, "aminata", "https://meet.example.org/abc")
    reply = go(app, "aminata", "Bilan du trimestre")
    reply = go(app, "aminata", "passer")  # no more agenda
    reply = pick(app, "aminata", reply, 0)  # once: the preview, then « Envoyer »
    assert app.store.meetings.get(1) is None and spoken.has("preview.meeting")
    spoken.clear()
    send_preview(app, "aminata", reply)
    assert spoken.has("meeting.scheduled", number=1)
    made = app.store.meetings.get(1)
    assert made.start.startswith("2026-12-03T10:00") and made.end.startswith("2026-12-03T11:00")
    assert made.link == "https://meet.example.org/abc"
    assert [item.text for item in made.agenda] == ["Bilan du trimestre"]
    assert conversation_of(app, "aminata").status == DONE

    # the same answers submitted by a modal make the same meeting
    send_preview(app, "moussa", app.handle(Inbound(
        platform="console", user_id="moussa", action="form.meeting.send",
                       value="", forms=True, answers=(
                           ("kind", "network"), ("date", "2026-12-03"), ("time", "10:00"),
                           ("duration", "60"), ("place", ""),
                           ("link", "https://meet.example.org/abc"),
                           ("purpose", "Bilan du trimestre"), ("agenda", ""),
                           ("repeat", "once")))))
    modal = app.store.meetings.get(2)
    for name in ("kind", "start", "end", "place", "link", "group"):
        assert getattr(modal, name) == getattr(made, name), name
    assert [item.text for item in modal.agenda] == [item.text for item in made.agenda]


def test_a_refused_answer_is_asked_again_with_why(app: BotApp, spoken: Spoken) -> None:
    reply = go(app, "awa", "partager")
    assert spoken.has("form.field.url")
    spoken.clear()
    reply = go(app, "awa", "javascript://alert(1)")
    assert spoken.has("info.bad_link") and spoken.has("form.field.url")
    assert reply.message.ask is not None  # the same question, again
    assert "url" not in conversation_of(app, "awa").answers
    go(app, "awa", "https://example.org/etude")
    reply = go(app, "awa", "passer")  # no title
    spoken.clear()
    reply = go(app, "awa", "2 99")
    assert spoken.has("form.error.choice")
    reply = go(app, "awa", "2 21")
    spoken.clear()
    reply = pick(app, "awa", reply, 2)  # a study
    assert spoken.has("info.shared", number=1)
    item = app.store.items.get(1)
    assert item.url == "https://example.org/etude" and item.objectives == [2, 21]
    assert item.type == "study"


def test_a_moment_said_back_can_be_corrected(app: BotApp, spoken: Spoken) -> None:
    reply = meeting_up_to_the_moment(app, "aminata")
    reply = go(app, "aminata", "mardi 1 décembre 10h")
    spoken.clear()
    reply = press(app, "aminata", reply, "flow.confirm", ".no")
    assert spoken.has("flow.moment_label") and not conversation_of(app, "aminata").pending
    spoken.clear()
    reply = go(app, "aminata", "hier 10h")
    heard = spoken.keys()
    assert any(key.startswith("when.") for key in heard)
    assert spoken.has("flow.moment_label")
    reply = go(app, "aminata", "mercredi 2 décembre 9h")
    reply = go(app, "aminata", "oui")  # typed rather than pressed
    assert conversation_of(app, "aminata").answers["time"] == "09:00"
    # the old « Oui » no longer counts
    spoken.clear()
    assert click(app, "aminata", "flow.confirm", f"{conversation_of(app, 'aminata').id}.yes")
    assert spoken.has("flow.stale")


def test_annuler_leaves_and_nothing_is_recorded(app: BotApp, spoken: Spoken) -> None:
    meeting_up_to_the_moment(app, "aminata")
    spoken.clear()
    reply = go(app, "aminata", "annuler")
    assert spoken.shown(reply, "flow.cancelled")
    assert conversation_of(app, "aminata").status == CANCELLED
    spoken.clear()
    go(app, "aminata", "jeudi 3 décembre 10h")  # no longer an answer
    assert not spoken.has("flow.confirm_moment")
    assert app.store.meetings.get(1) is None
    # and the button
    reply = go(app, "aminata", "réunion")
    spoken.clear()
    press(app, "aminata", reply, "flow.cancel")
    assert spoken.has("flow.cancelled") and conversation_of(app, "aminata").status == CANCELLED


def test_a_restart_in_the_middle_resumes_at_the_same_question(tmp_path: Path, network: Network,
                                                              clock: Clock,
                                                              spoken: Spoken) -> None:
    data = tmp_path / "restarted"
    store = Store.open(data)
    app = BotApp(store, network, clock=clock)
    reply = meeting_up_to_the_moment(app, "aminata")
    reply = go(app, "aminata", "jeudi 3 décembre 10h")
    yes = [b for b in reply.message.buttons if b.value.endswith(".yes")][0]
    store.close()

    store = Store.open(data)  # a new process, the same data dir
    try:
        again = BotApp(store, network, clock=clock)
        spoken.clear()
        reply = click(again, "aminata", "flow.confirm", yes.value)
        assert spoken.has("form.field.duration")
        reply = pick(again, "aminata", reply, 1)
        reply = press(again, "aminata", reply, "flow.skip")
        reply = go(again, "aminata", "passer")
        reply = go(again, "aminata", "passer")
        reply = go(again, "aminata", "passer")
        send_preview(again, "aminata", pick(again, "aminata", reply, 0))
        assert again.store.meetings.get(1).start.startswith("2026-12-03T10:00")
    finally:
        store.close()


async def test_a_conversation_left_untouched_is_closed_politely(app: BotApp, clock: Clock,
                                                                spoken: Spoken) -> None:
    meeting_up_to_the_moment(app, "aminata")
    clock.now += timedelta(minutes=20)
    go(app, "aminata", "jeudi 3 décembre 10h")  # an answer: the half hour starts again
    clock.now += timedelta(minutes=20)
    assert ran(await app.run_due_jobs(), "conversation.timeout") == 0
    assert conversation_of(app, "aminata").status == OPEN
    clock.now += timedelta(minutes=11)
    spoken.clear()
    assert ran(await app.run_due_jobs(), "conversation.timeout") == 1
    assert conversation_of(app, "aminata").status == EXPIRED
    assert spoken.has("flow.expired", minutes=30, command="réunion")
    [row] = [r for r in app.store.outbox.all() if r.key.startswith("conversation-timeout:")]
    assert row.recipient["ref"] == "console:aminata"
    assert ran(await app.run_due_jobs(), "conversation.timeout") == 0  # once
    spoken.clear()
    go(app, "aminata", "oui")  # too late: no longer an answer
    assert not spoken.has("flow.noted")


def test_two_leads_at_once_each_get_their_own_meeting(app: BotApp, spoken: Spoken) -> None:
    first = meeting_up_to_the_moment(app, "aminata")
    second = meeting_up_to_the_moment(app, "moussa")
    first = go(app, "aminata", "jeudi 3 décembre 10h")
    second = go(app, "moussa", "vendredi 4 décembre 15h")
    # one's button pressed by the other is not theirs
    spoken.clear()
    yes = [b for b in first.message.buttons if b.value.endswith(".yes")][0]
    click(app, "moussa", "flow.confirm", yes.value)
    assert spoken.has("flow.stale") and conversation_of(app, "aminata").pending
    second = press(app, "moussa", second, "flow.confirm", ".yes")
    first = press(app, "aminata", first, "flow.confirm", ".yes")
    for who, reply in (("aminata", first), ("moussa", second)):
        reply = pick(app, who, reply, 0)
        for _ in range(4):
            reply = go(app, who, "passer")
        send_preview(app, who, pick(app, who, reply, 0))
    starts = {m.created_by: m.start[:16] for m in app.store.meetings.all()}
    assert starts == {"aminata": "2026-12-03T10:00", "moussa": "2026-12-04T15:00"}


def test_a_member_who_is_no_lead_cannot_start_a_lead_conversation(app: BotApp,
                                                                  spoken: Spoken) -> None:
    go(app, "awa", "réunion")
    assert spoken.has("error.not_allowed")
    go(app, "awa", "membre ajouter")
    assert app.store.conversations.all() == []
    spoken.clear()
    go(app, "awa", "consultation")  # a focal point's own meaning of it
    assert not spoken.has("flow.intro")


def test_one_line_commands_and_slack_forms_are_unchanged(app: BotApp, spoken: Spoken) -> None:
    send_preview(app, "aminata", go(app, "aminata", "réunion mardi 8 décembre 10h"))
    assert app.store.meetings.get(1) is not None
    reply = say(app, "slack:U0DEMOMK", "réunion", forms=True)
    assert isinstance(reply.message, Message) and reply.message.form is not None
    say(app, "aminata", "réunion")  # a platform that does not converse: the usage
    assert app.store.conversations.all() == []


def test_membre_ajouter_invites_by_link_or_adds_a_known_account(app: BotApp,
                                                                spoken: Spoken) -> None:
    reply = go(app, "mariam", "membre ajouter")
    agencies = [b.label for b in reply.message.buttons if b.action == "flow.pick"]
    reply = pick(app, "mariam", reply, agencies.index("UNICEF"))
    reply = pick(app, "mariam", reply, 0)  # an invitation link
    spoken.clear()
    reply = go(app, "mariam", "Jean Diarra")
    [invite] = app.store.member_invites.all()
    assert (invite.agency, invite.name) == ("UNICEF", "Jean Diarra")
    assert spoken.shown(reply, "invite.title", number=1)  # the link to forward

    reply = go(app, "mariam", "membre ajouter")
    reply = pick(app, "mariam", reply, agencies.index("UNICEF"))
    reply = pick(app, "mariam", reply, 1)  # a known account
    spoken.clear()
    reply = go(app, "mariam", "telegram:100000001")  # Awa's already
    reply = go(app, "mariam", "Quelqu'un")
    assert spoken.has("member_add.identity_taken") and spoken.has("flow.field.identity")
    spoken.clear()
    go(app, "mariam", "telegram:4242")  # only the refused answer is asked again
    assert spoken.has("member_add.done")
    added = app.store.members.by_identity("telegram:4242")
    assert (added.agency, added.name) == ("UNICEF", "Quelqu'un")


def test_a_consultation_asked_step_by_step(app: BotApp, spoken: Spoken) -> None:
    reply = go(app, "aminata", "consultation ouvrir")
    assert reply.message.ask is not None and spoken.has("form.field.proposal")
    reply = go(app, "aminata", "Adopter le plan de travail 2027")
    reply = press(app, "aminata", reply, "flow.skip")  # no document
    spoken.clear()
    reply = go(app, "aminata", "vendredi 4 décembre")  # a deadline: the end of that day
    assert spoken.has("flow.confirm_moment")
    reply = go(app, "aminata", "oui")
    reply = pick(app, "aminata", reply, 1)  # silence
    spoken.clear()
    send_preview(app, "aminata", pick(app, "aminata", reply, 0))  # the whole network
    opened = app.store.consultations.get(1)
    assert opened.proposal == "Adopter le plan de travail 2027"
    assert opened.mode == "silence" and opened.deadline.startswith("2026-12-04T")
    assert conversation_of(app, "aminata").status == DONE


def test_a_command_meanwhile_works_and_the_question_waits(app: BotApp, spoken: Spoken) -> None:
    meeting_up_to_the_moment(app, "aminata")
    spoken.clear()
    say(app, "aminata", "réunions", converses=True, explicit=True)  # Telegram's /reunions
    assert not spoken.has("flow.confirm_moment") and not spoken.has("when.unrecognised")
    go(app, "aminata", "jeudi 3 décembre 10h")
    assert spoken.has("flow.confirm_moment")


def test_hostile_button_values_are_refused_calmly(app: BotApp, spoken: Spoken) -> None:
    reply = go(app, "aminata", "réunion")
    number = conversation_of(app, "aminata").id
    for action, value in (("flow.pick", "abc"), ("flow.pick", f"{number}.0.99"),
                          ("flow.pick", f"{number}.5.0"), ("flow.pick", f"{number}.0.-1"),
                          ("flow.skip", f"{number}.0"), ("flow.confirm", f"{number}.yes"),
                          ("flow.cancel", "99999999999999999999"), ("flow.answer", "")):
        spoken.clear()
        click(app, "aminata", action, value)
        assert spoken.has("flow.stale"), (action, value)
    assert conversation_of(app, "aminata").answers == {}
    pick(app, "aminata", reply, 0)
    assert conversation_of(app, "aminata").answers == {"kind": "network"}


def test_starting_another_conversation_drops_the_one_open_in_that_chat(app: BotApp) -> None:
    meeting_up_to_the_moment(app, "aminata")
    first = conversation_of(app, "aminata")
    say(app, "aminata", "partager", converses=True, explicit=True)  # Telegram's /partager
    assert app.store.conversations.get(first.id).status == CANCELLED
    assert conversation_of(app, "aminata").flow == "share"
    assert len(app.store.conversations.open()) == 1
