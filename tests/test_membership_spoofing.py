"""Membership can't be spoofed by a name: a newcomer giving an active member's name (accents,
case and word order aside) is flagged to the secretariat, and approving them needs an explicit
confirmation; a replayed click does not revert a later position."""

from __future__ import annotations

from bot.app import BotApp
from handlers.types import Message, Recipient, Reply
from tests.conftest import click, say


def t(app: BotApp, key: str, lang: str = "fr", **params: object) -> str:
    return app.catalog.t(lang, key, **params)


def asks_to(app: BotApp, member_id: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient("member", member_id)]


def refused_until_confirmed(app: BotApp, reply: Reply, number: int, name: str) -> None:
    assert reply.message.paragraphs[0] == t(app, "join.same_name_not_approved",
                                            number=number, name=name)
    assert [(b.action, b.value, b.hint) for b in reply.message.buttons] == [
        ("join.approve_duplicate", str(number), f"membre approuver {number} confirmer"),
        ("join.refuse", str(number), f"membre refuser {number}")]


def test_a_newcomer_with_a_focal_points_name_is_flagged_and_needs_a_confirmation(
        app: BotApp) -> None:
    say(app, "telegram:666", "rejoindre UNICEF TRAORE awa")  # Awa Traoré's name, folded
    warning = t(app, "join.same_name_warning", name="Awa Traoré", agency="UNICEF",
                accounts="telegram")
    [ask] = asks_to(app, "mariam")
    assert warning in ask.paragraphs
    listed = say(app, "mariam", "demandes").message.paragraphs[0]
    assert listed.endswith(t(app, "join.pending_same_name", name="Awa Traoré", agency="UNICEF"))

    for attempt in (click(app, "mariam", "join.approve", "1"),
                    say(app, "mariam", "membre approuver 1")):
        refused_until_confirmed(app, attempt, 1, "TRAORE awa")
        assert warning in attempt.message.paragraphs
    assert app.store.members.by_identity("telegram:666") is None
    assert [r.id for r in app.store.join_requests.pending()] == [1]

    done = say(app, "mariam", "membre approuver 1 confirmer")
    assert done.message.paragraphs == [t(app, "join.approved", number=1, name="TRAORE awa",
                                         agency="UNICEF")]
    assert app.store.members.by_identity("telegram:666").agency == "UNICEF"


def test_a_name_of_another_agencys_member_is_flagged_too_and_the_button_confirms(
        app: BotApp) -> None:
    say(app, "slack:U0STRANGE", "join UNICEF Moussa Keita", locale="en-US")
    refused_until_confirmed(app, click(app, "mariam", "join.approve", "1"), 1, "Moussa Keita")
    click(app, "awa", "join.approve_duplicate", "1")  # the secretariat's alone
    assert [r.id for r in app.store.join_requests.pending()] == [1]
    done = click(app, "mariam", "join.approve_duplicate", "1")
    assert done.message.paragraphs == [t(app, "join.approved", number=1, name="Moussa Keita",
                                         agency="UNICEF")]


def test_a_name_nobody_has_is_approved_at_once(app: BotApp) -> None:
    say(app, "telegram:777", "rejoindre UNICEF Kadiatou Konaté")
    [ask] = asks_to(app, "mariam")
    assert not any("⚠" in p for p in ask.paragraphs)
    done = click(app, "mariam", "join.approve", "1")
    assert done.message.paragraphs == [t(app, "join.approved", number=1,
                                         name="Kadiatou Konaté", agency="UNICEF")]
