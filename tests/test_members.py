"""Membership: the built-in network, joining with the secretariat's approval, adding, removing,
languages, and help generated from what each person may do."""

from __future__ import annotations

from bot.app import BotApp
from handlers.types import Recipient
from storage.models import FOCAL_POINT
from tests.conftest import click, say, text_of


def outbox_for(app: BotApp, kind: str, ref: str) -> list[str]:
    from handlers.types import Message

    return [Message.from_dict(r.message).plain_text() for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient(kind, ref)]


def test_members_lists_agencies_with_the_executive_committee_first_and_marked(app) -> None:
    shown = text_of(say(app, "aminata", "membres"))
    lines = shown.splitlines()
    executive = [line for line in lines if line.startswith("★ ")]
    assert [line.split()[1] for line in executive] == [
        "OIT", "OIM", "PNUD", "HCR", "HCDH", "UNICEF", "DAES", "ONUDC"]
    assert "★ UNICEF — Awa Traoré · telegram" in lines
    assert lines.index("Comité exécutif") < lines.index("Autres agences membres")
    assert "Co-présidence : Aminata Diallo (BCR) et Moussa Keïta (OIM)" in lines
    english = text_of(say(app, "sarah", "members"))
    assert "★ UNHCR — Sarah Johnson · slack" in english and "★ UN DESA — no focal point" in english


def test_join_request_approved_by_button(app: BotApp) -> None:
    reply = text_of(say(app, "telegram:777", "rejoindre unicef Kadiatou Konaté"))
    assert reply == ("Demande n° 1 envoyée au secrétariat pour l'UNICEF. "
                     "Vous serez prévenu·e de sa décision.")
    asks = app.store.outbox.all()
    assert [Recipient.from_dict(r.recipient).ref for r in asks] == ["mariam"]
    buttons = asks[0].message["buttons"]
    assert [(b["action"], b["value"], b["hint"]) for b in buttons] == [
        ("join.approve", "1", "membre approuver 1"), ("join.refuse", "1", "membre refuser 1")]
    assert "Kadiatou Konaté demande à devenir point focal de l'UNICEF" in asks[0].message[
        "paragraphs"][0]

    # Only the secretariat may click.
    assert "réservé" in text_of(click(app, "awa", "join.approve", "1"))
    assert app.store.members.by_identity("telegram:777") is None

    done = text_of(click(app, "mariam", "join.approve", "1"))
    assert done == ("Demande n° 1 approuvée : Kadiatou Konaté est maintenant point focal "
                    "de l'UNICEF.")
    member = app.store.members.by_identity("telegram:777")
    assert member is not None and member.agency == "UNICEF" and member.roles == [FOCAL_POINT]
    welcome = outbox_for(app, "member", member.id)
    assert len(welcome) == 1 and "Bienvenue" in welcome[0]

    # A double click records one decision and one welcome.
    again = text_of(click(app, "mariam", "join.approve", "1"))
    assert "déjà été approuvée par Mariam Coulibaly" in again
    assert len(outbox_for(app, "member", member.id)) == 1
    assert len(app.store.members.of_agency("UNICEF")) == 2
    assert "Kadiatou Konaté" in text_of(say(app, "aminata", "membres"))


def test_join_request_refused_by_command_with_reason(app: BotApp) -> None:
    say(app, "slack:UX1", "join WFP Peter", locale="en")
    reply = text_of(say(app, "mariam", "membre refuser 1 pas de mandat migration"))
    assert "refusée" in reply
    told = outbox_for(app, "identity", "slack:UX1")
    assert told == ["Your request to join for WFP was not accepted by the secretariat.\n"
                    "Reason: pas de mandat migration"]
    assert app.store.members.by_identity("slack:UX1") is None


def test_join_twice_and_unknown_agency(app: BotApp) -> None:
    say(app, "telegram:5", "rejoindre PAM")
    assert "attend déjà" in text_of(say(app, "telegram:5", "rejoindre PAM"))
    reply = text_of(say(app, "telegram:6", "rejoindre UNXYZ"))
    assert "Je ne connais pas l'agence « UNXYZ »" in reply and "OIM" in reply
    assert "déjà membre" in text_of(say(app, "awa", "rejoindre UNICEF"))


def test_pending_requests_list(app: BotApp) -> None:
    assert "Aucune" in text_of(say(app, "mariam", "demandes"))
    say(app, "telegram:5", "rejoindre PAM Oumar")
    assert "n° 1 — Oumar pour le PAM (telegram:5)" in text_of(say(app, "mariam", "demandes"))


def test_secretariat_adds_and_removes_a_member(app: BotApp) -> None:
    reply = text_of(say(app, "mariam", "membre ajouter OIT telegram:4242 Jean Diarra"))
    assert reply == "Jean Diarra est ajouté·e comme point focal de l'OIT (id : jean-diarra)."
    assert "★ OIT — Jean Diarra · telegram" in text_of(say(app, "aminata", "membres"))
    taken = text_of(say(app, "mariam", "membre ajouter OIT telegram:4242 Autre"))
    assert "appartient déjà à Jean Diarra" in taken
    assert "n'est pas une identité valide" in text_of(
        say(app, "mariam", "membre ajouter OIT whatsapp:1 X"))
    removed = text_of(say(app, "mariam", "membre retirer jean-diarra"))
    assert "retiré·e" in removed
    assert "Jean Diarra" not in text_of(say(app, "aminata", "membres"))
    assert app.store.members.get("jean-diarra").active is False  # kept in the record
    assert "réservé" in text_of(say(app, "telegram:4242", "membres"))  # no longer a member
    assert "vous retirer vous-même" in text_of(say(app, "mariam", "membre retirer mariam"))


def test_language_choice_sticks(app: BotApp) -> None:
    assert text_of(say(app, "awa", "langue en")) == (
        "Noted: I will write to you in English from now on.")
    assert say(app, "awa", "membres").language == "en"
    assert "Executive Committee" in text_of(say(app, "awa", "members"))
    assert "français" in text_of(say(app, "awa", "language FR"))


def test_platform_locale_is_used_until_a_member_chooses(app: BotApp) -> None:
    assert say(app, "ibrahim", "membres", locale="en-US").language == "en"
    assert say(app, "mariam", "membres", locale="en-US").language == "fr"  # chose French


def test_help_lists_only_what_this_person_may_do(app: BotApp) -> None:
    secretariat = text_of(say(app, "mariam", "aide"))
    focal = text_of(say(app, "awa", "aide"))
    assert "membre ajouter <agence> <plateforme:id> <nom>" in secretariat
    assert "membre ajouter" not in focal and "membres —" in focal
    english = text_of(say(app, "sarah", "help"))
    assert "• members —" in english and "member add" not in english


def test_config_members_are_seeded_once(app: BotApp, network) -> None:
    from handlers.members import seed_members

    say(app, "mariam", "membre retirer awa")
    assert seed_members(app.ctx) == 0
    assert app.store.members.get("awa").active is False
