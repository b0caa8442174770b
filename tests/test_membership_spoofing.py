"""Membership can't be spoofed by a name: a newcomer giving an active member's name (accents,
case and word order aside) is flagged to the secretariat, and approving them needs an explicit
confirmation; a replayed click does not revert a later position."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from bot.app import BotApp
from handlers.types import Inbound, Message, Recipient, Reply
from storage.models import FOCAL_POINT, Member, Position
from tests.conftest import click, say
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    bot_fixture,
    click_payload,
    fake_fixture,
    network_fixture,
)
from tests.support.previews import handle_and_send, say_and_send


def t(app: BotApp, key: str, lang: str = "fr", **params: object) -> str:
    return app.catalog.t(lang, key, **params)


def acronym(app: BotApp, code: str, lang: str = "fr") -> str:
    """The agency as the bot names it, with its French article (« de l'UNICEF »)."""
    return app.ctx.agency_label(code, lang)


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
    warning = t(app, "join.same_name_warning", name="Awa Traoré", agency=acronym(app, "UNICEF"),
                accounts="telegram")
    [ask] = asks_to(app, "mariam")
    assert warning in ask.paragraphs
    listed = say(app, "mariam", "demandes").message.paragraphs[0]
    assert listed.endswith(t(app, "join.pending_same_name", name="Awa Traoré",
                             agency=acronym(app, "UNICEF")))

    for attempt in (click(app, "mariam", "join.approve", "1"),
                    say(app, "mariam", "membre approuver 1")):
        refused_until_confirmed(app, attempt, 1, "TRAORE awa")
        assert warning in attempt.message.paragraphs
    assert app.store.members.by_identity("telegram:666") is None
    assert [r.id for r in app.store.join_requests.pending()] == [1]

    done = say(app, "mariam", "membre approuver 1 confirmer")
    assert done.message.paragraphs == [t(app, "join.approved", number=1, name="TRAORE awa",
                                         agency=acronym(app, "UNICEF"))]
    assert app.store.members.by_identity("telegram:666").agency == "UNICEF"


def test_a_name_of_another_agencys_member_is_flagged_too_and_the_button_confirms(
        app: BotApp) -> None:
    say(app, "slack:U0STRANGE", "join UNICEF Moussa Keita", locale="en-US")
    refused_until_confirmed(app, click(app, "mariam", "join.approve", "1"), 1, "Moussa Keita")
    click(app, "awa", "join.approve_duplicate", "1")  # the secretariat's alone
    assert [r.id for r in app.store.join_requests.pending()] == [1]
    done = click(app, "mariam", "join.approve_duplicate", "1")
    assert done.message.paragraphs == [t(app, "join.approved", number=1, name="Moussa Keita",
                                         agency=acronym(app, "UNICEF"))]


def test_a_name_nobody_has_is_approved_at_once(app: BotApp) -> None:
    say(app, "telegram:777", "rejoindre UNICEF Kadiatou Konaté")
    [ask] = asks_to(app, "mariam")
    assert not any("⚠" in p for p in ask.paragraphs)
    done = click(app, "mariam", "join.approve", "1")
    assert done.message.paragraphs == [t(app, "join.approved", number=1,
                                         name="Kadiatou Konaté", agency=acronym(app, "UNICEF"))]


# Replayed and stale clicks: a consultation card's buttons carry its version.

IBRAHIM = "U0DEMOIM"  # UNDP's focal point on Slack


def when(app: BotApp, position: Position) -> str:
    return app.ctx.when("fr", datetime.fromisoformat(position.at))


def button_values(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions"
            for e in b["elements"]}


def signed_click(bot: Bot, action_id: str, value: str, card: dict[str, Any]) -> str:
    """The body Slack signs for a click on ``card`` (a message as the bot posted it)."""
    payload = click_payload(bot.fake, IBRAHIM, action_id, value, card)
    return urlencode({"payload": json.dumps(payload)})


async def test_a_signed_click_replayed_after_a_later_position_does_not_revert_it(
        bot: Bot) -> None:
    handle_and_send(bot.app, Inbound(platform="slack", user_id="U0DEMOMK",
                                     text="consultation ouvrir Adopter le plan | dans 7 jours"))
    await bot.settle()
    card = bot.fake.posted("D0DEMOIM")[-1]
    assert button_values(card["blocks"])["position.agree"] == "1.0"
    as_clicked = {"ts": "1764349200.000001", "channel": "D0DEMOIM", "text": card["text"],
                  "blocks": card["blocks"]}

    agree = signed_click(bot, "position.agree", "1.0", as_clicked)
    sent_at = int(time.time())
    assert (await bot.slack.post(agree, timestamp=sent_at))[0] == 200
    await bot.settle()
    [first] = bot.app.store.positions.history(1)
    [update] = bot.fake.called("chat.update")  # the card now carries its fresh version
    fresh = button_values(update.args["blocks"])
    assert fresh["position.abstain"] == f"1.{first.id}"

    refreshed = {**as_clicked, "blocks": update.args["blocks"]}
    abstain = signed_click(bot, "position.abstain", fresh["position.abstain"], refreshed)
    assert (await bot.slack.post(abstain))[0] == 200
    await bot.settle()
    assert bot.app.store.positions.current(1)["UNDP"].choice == "abstain"

    # The first request, replayed byte for byte within Slack's five minutes: the same click
    # (its trigger_id), so it changes nothing and its answer is not given a second time.
    updates = len(bot.fake.called("chat.update"))
    assert (await bot.slack.post(agree, timestamp=sent_at))[0] == 200
    await bot.settle()
    assert [p.choice for p in bot.app.store.positions.history(1)] == ["agree", "abstain"]
    assert len(bot.fake.called("chat.update")) == updates

    # A new click on the card as it first was is refused with the current position.
    stale = signed_click(bot, "position.agree", "1.0", as_clicked)
    assert (await bot.slack.post(stale))[0] == 200
    await bot.settle()
    assert [p.choice for p in bot.app.store.positions.history(1)] == ["agree", "abstain"]
    shown = bot.fake.called("chat.update")[-1].args["blocks"]
    second = bot.app.store.positions.history(1)[-1]
    assert shown[-1]["elements"][0]["text"] == t(
        bot.app, "poll.older_card", agency=acronym(bot.app, "UNDP"), number=1, choice="Abstention",
        name="Ibrahim Maïga", when=when(bot.app, second))
    assert button_values(shown)["position.agree"] == f"1.{second.id}"

    # An honest click on the card as it now stands goes through.
    again = signed_click(bot, "position.agree", f"1.{second.id}", {**as_clicked, "blocks": shown})
    assert (await bot.slack.post(again))[0] == 200
    await bot.settle()
    assert [p.choice for p in bot.app.store.positions.history(1)] == [
        "agree", "abstain", "agree"]


def add_colleague(app: BotApp) -> None:
    app.store.members.save(Member(id="kadiatou", name="Kadiatou Konaté", agency="UNICEF",
                                  roles=[FOCAL_POINT], identities=["console:kadiatou"]))


def test_a_click_on_a_card_older_than_a_colleagues_position_is_refused_with_fresh_buttons(
        app: BotApp) -> None:
    add_colleague(app)
    say_and_send(app, "moussa", "consultation ouvrir Adopter le plan | dans 7 jours")
    click(app, "awa", "position.agree", "1.0")
    [awas] = app.store.positions.history(1)

    refused = click(app, "kadiatou", "position.reservations", "1.0")  # her card is older
    assert refused.message.paragraphs == [t(app, "poll.older_card",
                                            agency=acronym(app, "UNICEF"), number=1,
                                            choice="Accord", name="Awa Traoré",
                                            when=when(app, awas))]
    assert {b.value for b in refused.message.buttons} == {f"1.{awas.id}"}
    same = click(app, "kadiatou", "position.agree", "1.0")  # what it already is: nothing
    assert same.message.paragraphs == [t(app, "poll.already_current", agency=acronym(app, "UNICEF"),
                                         number=1, choice="Accord", name="Awa Traoré")]
    assert len(app.store.positions.history(1)) == 1

    asked = click(app, "kadiatou", "position.reservations", f"1.{awas.id}")  # seen it now
    assert asked.message.ask is not None  # the reservations' reason is asked first
    asked = say(app, "kadiatou", "-", chat_id="console")  # none given
    assert [b.action for b in asked.message.buttons] == ["override.confirm", "override.keep"]
    changed = click(app, "kadiatou", "override.confirm", asked.message.buttons[0].value)
    assert changed.message.paragraphs[0] == t(app, "poll.recorded", agency=acronym(app, "UNICEF"),
                                              number=1, choice="Accord avec réserves")
    assert app.store.positions.current(1)["UNICEF"].member_id == "kadiatou"
    asked = say(app, "awa", "position 1 abstention")  # typed: the latest word, once confirmed
    click(app, "awa", "override.confirm", asked.message.buttons[0].value)
    assert app.store.positions.current(1)["UNICEF"].choice == "abstain"
