"""The reason for an objection or reservations, asked where the button was pressed: a Slack
modal opened with the click's trigger (and its submission), a Telegram reply prompt kept across a
restart, a question on the console; never a toast telling people to type a command."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import BotApp
from bot.platforms.slack.modals import TITLE_MAX, VIEW_BLOCKS
from handlers.settings import Network
from storage.store import Store
from tests.conftest import Clock, click, say
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    FakeSlack,
    answer_of,
    bot_fixture,
    click_payload,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import FakeTelegram, callback_update, text_update
from tests.support.previews import say_and_send, slack_command_and_send, telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, CHAIR, post, running

MOUSSA, IBRAHIM = "U0DEMOMK", "U0DEMOIM"  # co-chair; UNDP's focal point


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API (``fake`` is the fake Slack here)."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def dm_of(user: str) -> str:
    return "D" + user[1:]  # what the fake's conversations.open answers


async def open_on_slack(bot: Bot) -> dict[str, Any]:
    """Consultation n° 1 opened; Ibrahim's card as a click carries it."""
    await slack_command_and_send(bot.slack, bot.app,
                                 MOUSSA, "consultation ouvrir Adopter le plan 2027 | "
                                 "vendredi 4 décembre 17h")
    await bot.settle()
    card = [c for c in bot.fake.called("chat.postMessage")
            if c.args["channel"] == dm_of(IBRAHIM)][-1]
    bot.fake.reset()
    return card.as_clicked()


async def press(bot: Bot, user: str, action: str, value: str,
                card: dict[str, Any]) -> dict[str, Any]:
    """``user`` presses a button of ``card``; the click's payload (with its trigger_id)."""
    payload = click_payload(bot.fake, user, action, value, card)
    status, _ = await bot.slack.payload(payload)
    assert status == 200
    await bot.settle()
    return payload


def button_of(blocks: list[dict[str, Any]], action: str) -> dict[str, Any]:
    [found] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == action]
    return found


# Slack: a modal, opened with the click's trigger.

async def test_an_objection_click_opens_a_modal_and_its_submission_records_the_reason(
        bot: Bot, spoken: Spoken) -> None:
    card = await open_on_slack(bot)
    payload = await press(bot, IBRAHIM, "position.objection", "1.0", card)

    [opened] = bot.fake.called("views.open")
    assert opened.args["trigger_id"] == payload["trigger_id"]
    view = opened.args["view"]
    assert view["type"] == "modal" and view["callback_id"] == "reseau.ask"
    assert json.loads(view["private_metadata"]) == {
        "a": "position.reason", "v": "1.objection.0", "c": dm_of(IBRAHIM)}
    assert len(view["title"]["text"]) <= TITLE_MAX and len(view["submit"]["text"]) <= TITLE_MAX
    assert len(view["blocks"]) <= VIEW_BLOCKS
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["optional"] is False  # an objection needs its reason
    assert field["label"]["text"] == spoken.text("reason.label.objection", "fr")
    assert spoken.has("reason.prompt.objection", "fr", number=1)
    # Nothing recorded yet, nothing posted, and the card keeps its buttons.
    assert "UNDP" not in bot.app.store.positions.current(1)
    assert not bot.fake.called("chat.postMessage") and not bot.fake.called("chat.update")
    assert not bot.fake.called("response_url")

    # Submitted empty: the modal stays, with the error beside the field, in his language.
    spoken.clear()
    status, body = await bot.slack.submit(IBRAHIM, view, None)
    assert status == 200
    assert json.loads(body) == {"response_action": "errors",
                                "errors": {"answer": spoken.text("reason.required", "fr")}}
    assert "UNDP" not in bot.app.store.positions.current(1)

    # Submitted with a reason: recorded, the modal closes, and he is told.
    status, body = await bot.slack.submit(IBRAHIM, view, "Hors du mandat du réseau")
    assert status == 200 and not body
    await bot.settle()
    position = bot.app.store.positions.current(1)["UNDP"]
    assert (position.choice, position.reason, position.member_id) == (
        "objection", "Hors du mandat du réseau", "ibrahim")
    assert spoken.has("poll.recorded", "fr", number=1)
    told = [c for c in bot.fake.called("chat.postMessage") if c.args["channel"] ==
            dm_of(IBRAHIM)]
    assert told and spoken.shown(told[-1].args["text"], "poll.recorded", "fr", number=1)


async def test_reservations_ask_an_optional_reason(bot: Bot) -> None:
    card = await open_on_slack(bot)
    await press(bot, IBRAHIM, "position.reservations", "1.0", card)
    [opened] = bot.fake.called("views.open")
    view = opened.args["view"]
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["optional"] is True
    status, body = await bot.slack.submit(IBRAHIM, view, None)
    assert status == 200 and not body
    position = bot.app.store.positions.current(1)["UNDP"]
    assert (position.choice, position.reason) == ("reservations", "")


async def test_an_expired_trigger_asks_privately_with_a_button_that_opens_the_form(
        bot: Bot, spoken: Spoken) -> None:
    card = await open_on_slack(bot)
    bot.fake.fail("views.open", 200, error="expired_trigger_id")
    await press(bot, IBRAHIM, "position.objection", "1.0", card)

    assert bot.fake.called("views.open!200")  # tried, refused
    answer = answer_of(bot.fake, "click")  # the click is answered, seen by him only
    assert answer["response_type"] == "ephemeral"
    assert spoken.shown(answer["text"], "reason.prompt.objection", "fr", number=1)
    again = button_of(answer["blocks"], "position.objection")
    assert again["value"] == "1.0"
    assert again["text"]["text"] == spoken.text("reason.write", "fr")
    assert not bot.fake.called("chat.update")  # his card is left as it was

    # The button opens the form with the new click's trigger.
    bot.fake.recover("views.open")
    payload = await press(bot, IBRAHIM, "position.objection", "1.0", card)
    assert bot.fake.called("views.open")[-1].args["trigger_id"] == payload["trigger_id"]


async def test_a_slash_command_objection_without_reason_opens_the_form(bot: Bot) -> None:
    await open_on_slack(bot)
    await bot.slack.command(IBRAHIM, "position 1 objection")
    await bot.settle()
    [opened] = bot.fake.called("views.open")
    assert json.loads(opened.args["view"]["private_metadata"])["v"] == "1.objection.0"
    assert not bot.fake.called("response_url")  # asked in the form, not in a message
    assert "UNDP" not in bot.app.store.positions.current(1)


# Telegram: a reply prompt, kept in storage.

async def test_an_objection_press_on_telegram_asks_by_reply_prompt_even_across_a_restart(
        app: BotApp, telegram: FakeTelegram, network: Network, clock: Clock,
        spoken: Spoken) -> None:
    fake = telegram
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 40, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        fake.calls.clear()
        await post(runtime, callback_update(41, AWA, "position.objection|1.0"))
        [prompt] = [c for c in fake.called("sendMessage") if str(c.args["chat_id"]) == str(AWA)]
        markup = prompt.args["reply_markup"]
        assert markup["force_reply"] is True
        assert markup["input_field_placeholder"] == spoken.text("reason.placeholder.objection",
                                                                "fr")
        assert spoken.has("reason.prompt.objection", "fr", number=1)
        assert fake.called("answerCallbackQuery")  # the button's spinner stops
        assert not fake.called("editMessageText")  # the card keeps its buttons
        kept = app.store.prompts.get(f"telegram:{AWA}")
        assert (kept.action, kept.value, kept.closed) == ("position.reason", "1.objection.0",
                                                          False)
    finally:
        await runtime.stop()
    data_dir = app.store.data_dir
    app.store.close()

    # A new process on the same data dir takes her reply as the reason.
    store = Store.open(data_dir)
    again = BotApp(store, network, clock=clock)
    runtime = await running(again, fake)
    try:
        fake.calls.clear()
        await post(runtime, text_update(42, AWA, "/aide"))  # a command is not the answer
        assert "UNICEF" not in again.store.positions.current(1)
        assert not again.store.prompts.get(f"telegram:{AWA}").closed

        reply = text_update(43, AWA, "Hors du mandat du réseau")
        reply["message"]["reply_to_message"] = {
            "message_id": 1001, "date": 0, "text": "…", "chat": {"id": AWA, "type": "private"},
            "from": {"id": 123456, "is_bot": True, "first_name": "Réseau"}}
        spoken.clear()
        await post(runtime, reply)
        position = again.store.positions.current(1)["UNICEF"]
        assert (position.choice, position.reason, position.member_id) == (
            "objection", "Hors du mandat du réseau", "awa")
        assert again.store.prompts.get(f"telegram:{AWA}").closed
        assert spoken.has("poll.recorded", "fr", number=1)
    finally:
        await runtime.stop()
        store.close()


async def test_an_empty_objection_reply_asks_again_and_cancel_drops_the_question(
        app: BotApp, telegram: FakeTelegram, spoken: Spoken) -> None:
    fake = telegram
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 50, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        await post(runtime, callback_update(51, AWA, "position.objection|1.0"))
        fake.calls.clear()
        spoken.clear()
        await post(runtime, text_update(52, AWA, "-"))  # "none": refused for an objection
        assert spoken.has("reason.required", "fr")
        [asked] = [c for c in fake.called("sendMessage") if str(c.args["chat_id"]) == str(AWA)]
        assert asked.args["reply_markup"]["force_reply"] is True
        assert "UNICEF" not in app.store.positions.current(1)

        await post(runtime, text_update(53, AWA, "annuler"))
        assert spoken.has("reason.cancelled", "fr")
        assert app.store.prompts.get(f"telegram:{AWA}").closed
        await post(runtime, text_update(54, AWA, "Hors mandat"))  # no longer an answer
        assert "UNICEF" not in app.store.positions.current(1)
    finally:
        await runtime.stop()


# The console: the question in text, the next line is the answer.

def test_the_console_asks_the_reason_and_takes_the_next_line(app: BotApp,
                                                            spoken: Spoken) -> None:
    say_and_send(app, "moussa", "consultation ouvrir Adopter le plan | dans 7 jours")
    asked = click(app, "awa", "position.objection", "1.0")
    assert spoken.shown(asked, "reason.prompt.objection", "fr", number=1)
    assert [b.hint for b in asked.message.buttons] == ["position 1 objection <raison>"]
    assert "UNICEF" not in app.store.positions.current(1)
    said = say(app, "awa", "Le budget n'est pas chiffré")
    assert spoken.shown(said, "poll.recorded", "fr", number=1)
    position = app.store.positions.current(1)["UNICEF"]
    assert (position.choice, position.reason) == ("objection", "Le budget n'est pas chiffré")
    # The question is answered: the next line is a command again.
    assert spoken.shown(say(app, "awa", "consultations"), "poll.list_title", "fr", count=1)


def test_a_typed_objection_without_reason_asks_it(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "moussa", "consultation ouvrir Adopter le plan | dans 7 jours")
    asked = say(app, "awa", "position 1 objection")
    assert asked.message.ask is not None and asked.message.ask.value == "1.objection.0"
    assert spoken.shown(asked, "reason.prompt.objection", "fr", number=1)
    say(app, "awa", "Calendrier irréaliste")
    assert app.store.positions.current(1)["UNICEF"].reason == "Calendrier irréaliste"


def test_a_position_given_another_way_settles_the_question_asked(app: BotApp) -> None:
    say_and_send(app, "moussa", "consultation ouvrir Adopter le plan | dans 7 jours")
    awa = f"telegram:{AWA}"
    click(app, awa, "position.reservations", "1.0")
    say(app, awa, "position 1 accord", explicit=True)  # « /position 1 accord »
    assert app.store.prompts.get(awa).closed  # the question goes
    say(app, awa, "Merci")  # an ordinary message, not a reason
    assert app.store.positions.current(1)["UNICEF"].choice == "agree"
