"""Working groups: lifecycle, permissions (only the group's chairs, or the leads, act for it),
and the scope of meetings and consultations."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotApp
from handlers.types import Recipient
from storage.models import EXTERNAL_PARTNER, Member
from tests.conftest import Clock, ran, say
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken


def test_group_lifecycle(app: BotApp, clock: Clock, spoken: Spoken) -> None:
    say(app, "awa", "groupe créer Retours")
    assert spoken.has("error.not_allowed", command="groupe créer")
    assert all(g.name != "Retours" for g in app.store.groups.all())
    say_and_send(app, "aminata",
                 "consultation ouvrir Créer un groupe Retours | lundi 30 novembre 9h | "
                        "silence")
    say_and_send(app, "aminata", "consultation clore 1")
    assert app.store.consultations.get(1).outcome == "adopted"  # no one broke the silence
    reply = say(app, "aminata", "groupe créer Retours et réintégration | consultation 1")
    assert spoken.shown(reply, "group.created", group="Retours et réintégration")
    group = app.store.groups.get("retours-et-reintegration") or next(
        g for g in app.store.groups.all() if g.name == "Retours et réintégration")
    spoken.clear()
    say(app, "mariam", "groupe créer retours et REINTEGRATION")
    assert spoken.has("group.exists") and len(app.store.groups.all()) == 2  # the demo's and this
    say(app, "awa", "groupe rejoindre retours et réintégration")
    app.store.members.save(Member(id="crm", name="Croix-Rouge malienne", agency="RCO",
                                  roles=[EXTERNAL_PARTNER], identities=["telegram:31"]))
    say(app, "mariam", "groupe ajouter Retours et réintégration | crm")
    spoken.clear()
    say(app, "mariam", "groupe présidence Retours et réintégration | sarah")
    assert spoken.has("group.chair_not_member", names="Sarah Johnson")
    say(app, "mariam", "groupe présidence Retours et réintégration | awa, Croix-Rouge malienne")
    say(app, "awa", "groupe tdr Retours et réintégration | https://example.org/tdr.pdf")
    say(app, "mariam", "groupe revue Retours et réintégration | Mandat confirmé pour 2027")
    spoken.clear()
    shown = say(app, "ibrahim", "groupe Retours et réintégration")
    assert spoken.shown(shown, "group.title", group="Retours et réintégration")
    assert spoken.shown(shown, "group.chairs_line", names="Awa Traoré, Croix-Rouge malienne")
    assert spoken.shown(shown, "group.members_line", count=2,
                        names="Awa Traoré, Croix-Rouge malienne")
    assert spoken.shown(shown, "group.terms_line", terms="https://example.org/tdr.pdf")
    assert spoken.shown(shown, "group.created_by_poll", number=1)
    assert spoken.shown(shown, "group.review_line", note="Mandat confirmé pour 2027",
                        date=app.catalog.date("fr", clock.now, app.network.timezone))
    spoken.clear()
    listed = say(app, "ibrahim", "groupes")
    assert spoken.shown(listed, "group.list_line", group="Retours et réintégration",
                        chairs="Awa Traoré, Croix-Rouge malienne")
    say(app, "mariam", "groupe clore Retours et réintégration")
    assert app.store.groups.get(group.id).status == "closed"
    spoken.clear()
    listed = say(app, "ibrahim", "groupes")
    assert spoken.shown(listed, "group.closed_list", groups="Retours et réintégration")
    assert not spoken.has("group.list_line", group="Retours et réintégration")
    spoken.clear()
    say(app, "ibrahim", "groupe Retours et réintégration")
    assert spoken.has("group.title_closed") and not spoken.has("group.title")


def test_only_a_groups_chairs_act_for_it(app: BotApp, spoken: Spoken) -> None:
    say(app, "aminata", "groupe créer Retours")
    say(app, "mariam", "groupe ajouter Retours | fatoumata")
    say(app, "mariam", "groupe présidence Retours | fatoumata")
    group = next(g for g in app.store.groups.all() if g.name == "Retours")

    def refused_as_not_chair(who: str, text: str) -> bool:
        spoken.clear()
        say_and_send(app, who, text)  # a previewed command is sent, when it is not refused
        return spoken.has("group.not_chair", group="Retours")

    # Sarah chairs "Données migratoires" (the demo group), not "Retours".
    assert refused_as_not_chair("sarah", "groupe ajouter Retours | ibrahim")
    assert "ibrahim" not in app.store.groups.get(group.id).members
    assert not refused_as_not_chair("fatoumata", "groupe ajouter Retours | ibrahim")
    assert "ibrahim" in app.store.groups.get(group.id).members
    assert refused_as_not_chair("sarah", "réunion groupe Retours jeudi 3 décembre 10h")
    assert app.store.meetings.all() == []
    assert not refused_as_not_chair("fatoumata", "réunion groupe Retours jeudi 3 décembre 10h")
    assert [m.group for m in app.store.meetings.all()] == [group.name]
    assert refused_as_not_chair("sarah", "réunion annuler 1")
    assert app.store.meetings.get(1).status != "cancelled"
    assert not refused_as_not_chair("fatoumata", "réunion annuler 1")
    assert app.store.meetings.get(1).status == "cancelled"
    spoken.clear()
    say_and_send(app, "fatoumata", "réunion mardi 1 décembre 10h")  # a network meeting: not hers
    assert spoken.has("error.not_allowed", command="réunion") and len(app.store.meetings.all()) == 1
    spoken.clear()
    say_and_send(app, "fatoumata", "consultation ouvrir X | vendredi 4 décembre 17h")
    assert spoken.has("group.scope_needed")
    spoken.clear()
    say_and_send(app, "fatoumata",
                 "consultation ouvrir X | vendredi 4 décembre 17h | groupe Données "
                          "migratoires")
    assert spoken.has("group.not_chair", group="Données migratoires")
    assert app.store.consultations.all() == []
    say_and_send(app, "fatoumata",
                 "consultation ouvrir X | vendredi 4 décembre 17h | groupe Retours")
    assert [(c.scope, c.group) for c in app.store.consultations.all()] == [("group", group.name)]


async def test_group_scope_of_meetings_and_consultations(app: BotApp, clock: Clock,
                                                         spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion groupe données migratoires jeudi 3 décembre 10h")
    invited = {Recipient.from_dict(r.recipient).ref for r in app.store.outbox.all()
               if r.recipient["kind"] == "member"}
    assert invited == {"sarah", "awa", "ibrahim", "mariam"}
    # The meeting's card goes to the group's channel, not the network's.
    assert [r.recipient["ref"] for r in app.store.outbox.all()
            if r.recipient["kind"] == "channel"] == ["donnees-migratoires"]
    before = len(app.store.outbox.all())
    say_and_send(app, "sarah",
                 "consultation ouvrir Protocole de partage | vendredi 4 décembre 17h | "
                      "groupe Données migratoires")
    rows = app.store.outbox.all()[before:]
    consulted = {Recipient.from_dict(r.recipient).ref for r in rows if r.recipient["kind"] ==
                 "member"}
    assert consulted == {"sarah", "awa", "ibrahim", "mariam"}
    channel = [r.recipient["ref"] for r in rows if r.recipient["kind"] == "channel"]
    assert channel == ["donnees-migratoires"]
    say(app, "fatoumata", "position 1 accord")  # WFP is not in the group
    assert spoken.has("poll.agency_not_consulted", number=1, agency="PAM")
    assert "WFP" not in app.store.positions.current(1)


async def test_a_group_consultation_is_decided_and_told_within_the_group_only(
        app: BotApp, clock: Clock, spoken: Spoken) -> None:
    """Its deadline passed, it is decided by the group's agencies alone (an outsider's position
    is refused, not counted) and only the group's members and channel hear the outcome."""
    say_and_send(app, "sarah",
                 "consultation ouvrir Protocole de partage | vendredi 4 décembre 17h | "
                      "groupe Données migratoires")
    say(app, "fatoumata", "position 1 accord")  # WFP: not in the group
    say(app, "awa", "position 1 accord")  # UNICEF: in it
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    before = len(app.store.outbox.all())
    assert ran(await app.run_due_jobs(), "consultation.close") == 1
    consultation = app.store.consultations.get(1)
    assert (consultation.status, consultation.closed_by) == ("closed", "deadline")
    assert consultation.outcome == "not_adopted"  # the group's other agencies stayed silent
    assert sorted(consultation.decision["silent"]) == ["IOM", "UNDP", "UNHCR"]
    told = {Recipient.from_dict(r.recipient).ref for r in app.store.outbox.all()[before:]
            if r.key.startswith("poll:1:outcome")}
    assert told == {"sarah", "awa", "ibrahim", "mariam"}
    # The group's channel reads it on the consultation's card (not delivered yet here: the
    # post itself now shows the outcome, and still goes out).
    [card] = [r for r in app.store.outbox.all() if r.recipient["kind"] == "channel"]
    assert card.recipient["ref"] == "donnees-migratoires"
    assert spoken.shown(card.message["title"], "poll.outcome_title_group.not_adopted",
                        number=1)
    assert card.status != "expired"


def test_a_group_cannot_be_founded_on_a_consultation_that_was_not_adopted(
        app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata",
                 "consultation ouvrir Créer un groupe Retours | lundi 30 novembre 9h")
    say(app, "awa", "position 1 objection")
    say_and_send(app, "aminata", "consultation clore 1")
    assert app.store.consultations.get(1).outcome == "not_adopted"
    spoken.clear()
    say(app, "aminata", "groupe créer Retours | consultation 1")
    assert spoken.has("group.not_adopted", number=1)
    assert all(g.name != "Retours" for g in app.store.groups.all())
