"""Membership: the built-in network, joining with the secretariat's approval, adding, removing,
languages, and help generated from what each person may do."""

from __future__ import annotations

from bot.app import BotApp
from handlers.types import Recipient
from storage.models import FOCAL_POINT
from tests.conftest import click, say, text_of
from tests.support.spoken import Spoken


def outbox_for(app: BotApp, kind: str, ref: str) -> list[str]:
    from handlers.types import Message

    return [Message.from_dict(r.message).plain_text() for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient(kind, ref)]


def test_members_lists_agencies_with_the_executive_committee_first_and_marked(
        app: BotApp, spoken: Spoken) -> None:
    shown = text_of(say(app, "awa", "membres"))  # a focal point: no reach column
    lines = shown.splitlines()
    executive = [line for line in lines if line.startswith("★ ")]
    assert [line.split()[1] for line in executive] == [
        "OIT", "OIM", "PNUD", "HCR", "HCDH", "UNICEF", "DAES", "ONUDC"]
    assert "★ UNICEF — Awa Traoré · telegram" in lines
    assert lines.index(spoken.text("members.executive_heading")) < lines.index(
        spoken.text("members.others_heading"))
    assert spoken.text("members.co_chairs", names="Aminata Diallo (BCR) et Moussa Keïta (OIM)") \
        in lines
    english = text_of(say(app, "sarah", "members"))
    assert "★ UNHCR — Sarah Johnson · slack" in english
    assert f"★ UN DESA — {spoken.text('members.no_focal_point', 'en')}" in english


def test_join_request_approved_by_button(app: BotApp, spoken: Spoken) -> None:
    reply = text_of(say(app, "telegram:777", "rejoindre unicef Kadiatou Konaté"))
    assert reply == spoken.text("join.sent", number=1, agency="UNICEF")
    asks = app.store.outbox.all()
    assert [Recipient.from_dict(r.recipient).ref for r in asks] == ["mariam"]
    buttons = asks[0].message["buttons"]
    assert [(b["action"], b["value"], b["hint"]) for b in buttons] == [
        ("join.approve", "1", "membre approuver 1"), ("join.refuse", "1", "membre refuser 1")]
    assert asks[0].message["paragraphs"][0] == spoken.text(
        "join.request_body", name="Kadiatou Konaté", agency="UNICEF", identity="Telegram")

    # Only the secretariat may click.
    spoken.clear()
    assert spoken.shown(click(app, "awa", "join.approve", "1"), "error.not_allowed")
    assert app.store.members.by_identity("telegram:777") is None

    done = text_of(click(app, "mariam", "join.approve", "1"))
    assert done == spoken.text("join.approved", number=1, name="Kadiatou Konaté",
                               agency="UNICEF")
    member = app.store.members.by_identity("telegram:777")
    assert member is not None and member.agency == "UNICEF" and member.roles == [FOCAL_POINT]
    welcome = outbox_for(app, "member", member.id)
    assert len(welcome) == 1 and spoken.shown(welcome[0], "join.welcome_title")

    # A double click records one decision and one welcome.
    again = click(app, "mariam", "join.approve", "1")
    assert spoken.shown(again, "join.already_approved", number=1, by="Mariam Coulibaly")
    assert len(outbox_for(app, "member", member.id)) == 1
    assert len(app.store.members.of_agency("UNICEF")) == 2
    assert "Kadiatou Konaté" in text_of(say(app, "aminata", "membres"))


def test_join_request_refused_by_command_with_reason(app: BotApp, spoken: Spoken) -> None:
    say(app, "slack:UX1", "join WFP Peter", locale="en")
    reply = say(app, "mariam", "membre refuser 1 pas de mandat migration")
    assert spoken.shown(reply, "join.refused", number=1, name="Peter")
    told = outbox_for(app, "identity", "slack:UX1")
    assert told == [spoken.text("join.refused_body", "en", agency="WFP") + "\n"
                    + spoken.text("join.refused_reason", "en", reason="pas de mandat migration")]
    assert app.store.members.by_identity("slack:UX1") is None


def test_join_twice_and_unknown_agency(app: BotApp, spoken: Spoken) -> None:
    say(app, "telegram:5", "rejoindre PAM")
    assert spoken.shown(say(app, "telegram:5", "rejoindre PAM"), "join.already_pending",
                        number=1)
    assert len(app.store.join_requests.pending()) == 1
    reply = say(app, "telegram:6", "rejoindre UNXYZ")
    assert spoken.shown(reply, "members.unknown_agency", typed="UNXYZ")
    assert "OIM" in str(spoken.last("members.unknown_agency").params)  # the known ones listed
    assert spoken.shown(say(app, "awa", "rejoindre UNICEF"), "join.already_member")
    assert len(app.store.join_requests.pending()) == 1


def test_pending_requests_list(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say(app, "mariam", "demandes"), "join.none_pending")
    say(app, "telegram:5", "rejoindre PAM Oumar")
    assert spoken.shown(say(app, "mariam", "demandes"), "join.pending_line", number=1,
                        name="Oumar", agency="PAM", identity="Telegram")


def test_secretariat_adds_and_removes_a_member(app: BotApp, spoken: Spoken) -> None:
    reply = text_of(say(app, "mariam", "membre ajouter OIT telegram:4242 Jean Diarra"))
    assert reply == spoken.text("member_add.done", name="Jean Diarra", agency="OIT",
                                id="jean-diarra")
    assert "★ OIT — Jean Diarra · telegram" in text_of(say(app, "aminata", "membres"))
    taken = say(app, "mariam", "membre ajouter OIT telegram:4242 Autre")
    assert spoken.shown(taken, "member_add.identity_taken", identity="telegram:4242",
                        name="Jean Diarra")
    assert spoken.shown(say(app, "mariam", "membre ajouter OIT whatsapp:1 X"),
                        "member_add.bad_identity", typed="whatsapp:1")
    assert [m.name for m in app.store.members.of_agency("ILO")] == ["Jean Diarra"]
    removed = say(app, "mariam", "membre retirer jean-diarra")
    assert spoken.shown(removed, "member_remove.done", name="Jean Diarra")
    assert "Jean Diarra" not in text_of(say(app, "aminata", "membres"))
    assert app.store.members.get("jean-diarra").active is False  # kept in the record
    spoken.clear()
    say(app, "telegram:4242", "membres")  # no longer a member
    assert spoken.has("error.not_a_member") and not spoken.has("members.summary")
    assert spoken.shown(say(app, "mariam", "membre retirer mariam"), "member_remove.self")
    assert app.store.members.get("mariam").active


def test_language_choice_sticks(app: BotApp, spoken: Spoken) -> None:
    assert text_of(say(app, "awa", "langue en")) == spoken.text("language.set", "en")
    assert app.store.members.get("awa").language == "en"
    assert say(app, "awa", "membres").language == "en"
    spoken.clear()
    assert spoken.shown(say(app, "awa", "members"), "members.summary", "en")
    assert text_of(say(app, "awa", "language FR")) == spoken.text("language.set", "fr")
    assert app.store.members.get("awa").language == "fr"


def test_platform_locale_is_used_until_a_member_chooses(app: BotApp) -> None:
    assert say(app, "ibrahim", "membres", locale="en-US").language == "en"
    assert say(app, "mariam", "membres", locale="en-US").language == "fr"  # chose French


def test_help_lists_only_what_this_person_may_do(app: BotApp, spoken: Spoken) -> None:
    def help_of(who: str, text: str) -> str:
        spoken.clear()
        return text_of(say(app, who, text))

    secretariat = help_of("mariam", "aide réseau")
    assert spoken.shown(secretariat, "cmd.member_add.help", "fr")
    assert spoken.shown(secretariat, "cmd.member_add.usage", "fr")
    focal = help_of("awa", "aide réseau")
    assert not spoken.has("cmd.member_add.help") and spoken.shown(focal, "cmd.members.help")
    english = help_of("sarah", "help network")
    assert spoken.shown(english, "cmd.members.help", "en")
    assert not spoken.has("cmd.member_add.help") and not spoken.has("cmd.members.help", "fr")


def test_config_members_are_seeded_once(app: BotApp, network) -> None:
    from handlers.members import seed_members

    say(app, "mariam", "membre retirer awa")
    assert seed_members(app.ctx) == 0
    assert app.store.members.get("awa").active is False
