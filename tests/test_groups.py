"""Working groups: lifecycle, permissions (only the group's chairs, or the leads, act for it),
and the scope of meetings and consultations."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotApp
from handlers.types import Recipient
from storage.models import EXTERNAL_PARTNER, Member
from tests.conftest import Clock, say, text_of


def test_group_lifecycle(app: BotApp, clock: Clock) -> None:
    assert "réservé" in text_of(say(app, "awa", "groupe créer Retours"))
    say(app, "aminata", "consultation ouvrir Créer un groupe Retours | lundi 30 novembre 9h | "
                        "silence")
    assert "n'a pas été adoptée" not in text_of(say(app, "aminata", "consultation clore 1"))
    reply = text_of(say(app, "aminata", "groupe créer Retours et réintégration | consultation 1"))
    assert reply == "Groupe de travail « Retours et réintégration » créé."
    assert "existe déjà" in text_of(say(app, "mariam", "groupe créer retours et REINTEGRATION"))
    say(app, "awa", "groupe rejoindre retours et réintégration")
    app.store.members.save(Member(id="crm", name="Croix-Rouge malienne", agency="RCO",
                                  roles=[EXTERNAL_PARTNER], identities=["telegram:31"]))
    say(app, "mariam", "groupe ajouter Retours et réintégration | crm")
    assert "ne fait pas partie" in text_of(
        say(app, "mariam", "groupe présidence Retours et réintégration | sarah"))
    say(app, "mariam", "groupe présidence Retours et réintégration | awa, Croix-Rouge malienne")
    say(app, "awa", "groupe tdr Retours et réintégration | https://example.org/tdr.pdf")
    say(app, "mariam", "groupe revue Retours et réintégration | Mandat confirmé pour 2027")
    shown = text_of(say(app, "ibrahim", "groupe Retours et réintégration"))
    assert "Présidence : Awa Traoré, Croix-Rouge malienne" in shown
    assert "Membres (2) : Awa Traoré, Croix-Rouge malienne" in shown
    assert "Termes de référence : https://example.org/tdr.pdf" in shown
    assert "Créé après la consultation n° 1" in shown
    assert "Revue du samedi 28 novembre 2026 : Mandat confirmé pour 2027" in shown
    listed = text_of(say(app, "ibrahim", "groupes"))
    assert "Retours et réintégration — présidence : Awa Traoré, Croix-Rouge malienne" in listed
    say(app, "mariam", "groupe clore Retours et réintégration")
    listed = text_of(say(app, "ibrahim", "groupes"))
    assert "Groupes clos : Retours et réintégration" in listed
    assert "(clos)" in text_of(say(app, "ibrahim", "groupe Retours et réintégration"))


def test_only_a_groups_chairs_act_for_it(app: BotApp) -> None:
    say(app, "aminata", "groupe créer Retours")
    say(app, "mariam", "groupe ajouter Retours | fatoumata")
    say(app, "mariam", "groupe présidence Retours | fatoumata")
    # Sarah chairs "Données migratoires" (the demo group), not "Retours".
    assert "Only the chairs of the “Retours” group" in text_of(
        say(app, "sarah", "groupe ajouter Retours | ibrahim"))
    assert "fait maintenant partie" in text_of(say(app, "fatoumata", "groupe ajouter Retours | "
                                                                     "ibrahim"))
    assert "Only the chairs of the “Retours” group" in text_of(
        say(app, "sarah", "réunion groupe Retours jeudi 3 décembre 10h"))
    assert "convoquée" in text_of(say(app, "fatoumata", "réunion groupe Retours jeudi 3 décembre "
                                                        "10h"))
    assert "Only the chairs" in text_of(say(app, "sarah", "réunion annuler 1"))
    assert "annulée" in text_of(say(app, "fatoumata", "réunion annuler 1"))
    assert "réservé" in text_of(say(app, "fatoumata", "réunion mardi 1 décembre 10h"))
    assert "votre groupe" in text_of(say(app, "fatoumata", "consultation ouvrir X | vendredi "
                                                           "4 décembre 17h"))
    assert "Seuls la présidence" in text_of(say(
        app, "fatoumata", "consultation ouvrir X | vendredi 4 décembre 17h | groupe Données "
                          "migratoires"))
    assert "ouverte" in text_of(say(app, "fatoumata", "consultation ouvrir X | vendredi 4 "
                                                      "décembre 17h | groupe Retours"))


def test_group_scope_of_meetings_and_consultations(app: BotApp, clock: Clock) -> None:
    say(app, "aminata", "réunion groupe données migratoires jeudi 3 décembre 10h")
    invited = {Recipient.from_dict(r.recipient).ref for r in app.store.outbox.all()}
    assert invited == {"sarah", "awa", "ibrahim", "mariam"}
    before = len(app.store.outbox.all())
    say(app, "sarah", "consultation ouvrir Protocole de partage | vendredi 4 décembre 17h | "
                      "groupe Données migratoires")
    rows = app.store.outbox.all()[before:]
    consulted = {Recipient.from_dict(r.recipient).ref for r in rows if r.recipient["kind"] ==
                 "member"}
    assert consulted == {"sarah", "awa", "ibrahim", "mariam"}
    channel = [r.recipient["ref"] for r in rows if r.recipient["kind"] == "channel"]
    assert channel == ["donnees-migratoires"]
    assert "Entité non consultée sur la consultation n° 1 : PAM." in text_of(
        say(app, "fatoumata", "position 1 accord"))
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
