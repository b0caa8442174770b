"""Positions written in words count, or are answered: a direct message « d'accord pour
l'UNICEF », a reply to a consultation's card, a thread reply in the network channel, a reply in
the Telegram group. The bot asks for one tap (Confirm / the other choices / Cancel), offers the
consultations when several are open, says what it understood when it read no position, refuses
another agency's name — and the confirmation records the position once.

In-process with the neutral types first, then through the real slack-bolt and
python-telegram-bot apps against the loopback fakes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import BotApp
from handlers.types import CardRef, Message, Reply
from tests.conftest import Clock, click, say
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    BOT_USER,
    NETWORK_CHANNEL,
    Bot,
    Call,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import BOT, FakeTelegram, callback_update, text_update
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, FATOUMATA, NETWORK_CHAT, buttons_of, post
from tests.support.telegram_runtime import running as telegram_running

OPEN = "consultation ouvrir {text} | vendredi 4 décembre 17h"


def open_poll(app: BotApp, text: str = "Adopter le plan 2027") -> int:
    say_and_send(app, "aminata", OPEN.format(text=text))
    return max(c.id for c in app.store.consultations.all())


def actions(reply: Reply | Message) -> list[tuple[str, str]]:
    message = reply.message if isinstance(reply, Reply) else reply
    return [(b.action, b.value) for b in message.buttons]


def positions(app: BotApp, number: int) -> dict[str, tuple[str, str]]:
    return {agency: (p.choice, p.reason)
            for agency, p in app.store.positions.current(number).items()}


def test_daccord_in_a_direct_message_asks_to_confirm_instead_of_unknown_command(
        app: BotApp, spoken: Spoken) -> None:
    number = open_poll(app)
    spoken.clear()
    reply = say(app, "awa", "d'accord pour l'UNICEF")
    assert "error.unknown_command" not in spoken
    assert spoken.shown(reply, "natural.confirm_title", "fr", number=number)
    assert spoken.has("natural.confirm", "fr", choice=spoken.text("poll.choice.agree", "fr"))
    [reading] = app.store.readings.all()
    assert (reading.member_id, reading.choice, reading.consultation_id) == ("awa", "agree",
                                                                           number)
    # Confirm first, the other choices (no objection without a reason), Cancel.
    assert actions(reply) == [("natural.confirm", f"{reading.id}.agree"),
                              ("natural.confirm", f"{reading.id}.reservations"),
                              ("natural.confirm", f"{reading.id}.abstain"),
                              ("natural.cancel", str(reading.id))]
    assert positions(app, number) == {}  # nothing recorded before the tap


def test_the_confirmation_tap_records_the_position_once(app: BotApp, spoken: Spoken) -> None:
    number = open_poll(app)
    say(app, "ibrahim", "accord avec réserves : le budget doit être revu")
    [reading] = app.store.readings.all()
    reply = click(app, "console:ibrahim", "natural.confirm", f"{reading.id}.reservations")
    assert spoken.shown(reply, "poll.recorded", "fr", number=number)
    assert positions(app, number) == {"UNDP": ("reservations", "le budget doit être revu")}
    # The card's buttons become the consultation's own, carrying its new version.
    [latest] = app.store.positions.all()
    assert set(actions(reply)) == {(f"position.{c}", f"{number}.{latest.id}")
                                   for c in ("agree", "reservations", "objection", "abstain")}
    history = len(app.store.positions.all())
    spoken.clear()
    again = click(app, "console:ibrahim", "natural.confirm", f"{reading.id}.reservations")
    assert spoken.shown(again, "natural.already_confirmed", number=number)
    assert [a for a, _ in actions(again)][0] == "position.agree"  # to change it, there
    assert len(app.store.positions.all()) == history  # a replayed confirmation writes nothing
    assert app.store.readings.get(reading.id).status == "confirmed"


def test_another_choice_keeps_the_reason_and_english_is_read(app: BotApp,
                                                            spoken: Spoken) -> None:
    number = open_poll(app)
    reply = say(app, "sarah", "we object because the timeline is too short")
    assert spoken.shown(reply, "natural.confirm_title", "en", number=number)
    assert spoken.has("natural.confirm_reason", "en", reason="the timeline is too short")
    [reading] = app.store.readings.all()
    assert ("natural.confirm", f"{reading.id}.objection") == actions(reply)[0]
    click(app, "console:sarah", "natural.confirm", f"{reading.id}.reservations")
    assert positions(app, number) == {"UNHCR": ("reservations", "the timeline is too short")}


def test_several_open_consultations_are_offered_as_buttons(app: BotApp,
                                                          spoken: Spoken) -> None:
    first = open_poll(app, "Premier texte")
    second = open_poll(app, "Second texte")
    reply = say(app, "awa", "ok")
    assert spoken.shown(reply, "natural.which", "fr")
    [reading] = app.store.readings.all()
    assert actions(reply) == [("natural.pick", f"{reading.id}.{first}"),
                              ("natural.pick", f"{reading.id}.{second}"),
                              ("natural.cancel", str(reading.id))]
    picked = click(app, "console:awa", "natural.pick", f"{reading.id}.{second}")
    assert spoken.shown(picked, "natural.confirm_title", number=second)
    click(app, "console:awa", "natural.confirm", f"{reading.id}.agree")
    assert positions(app, second) == {"UNICEF": ("agree", "")}
    assert positions(app, first) == {}


def test_a_number_in_the_words_names_the_consultation(app: BotApp, spoken: Spoken) -> None:
    open_poll(app, "Premier texte")
    second = open_poll(app, "Second texte")
    reply = say(app, "awa", f"d'accord pour la consultation {second}")
    assert spoken.shown(reply, "natural.confirm_title", number=second)


def test_a_reply_naming_another_agency_is_refused(app: BotApp, spoken: Spoken) -> None:
    number = open_poll(app)
    reply = say(app, "awa", "ok pour le PNUD")
    assert spoken.shown(reply, "natural.other_agency", "fr", named="PNUD")
    assert app.store.readings.all() == [] and positions(app, number) == {}
    say(app, "sarah", "Agreed for UNICEF and UNHCR")
    assert spoken.has("natural.other_agency", "en", named="UNICEF")


def test_an_objection_without_reason_is_asked_for_one(app: BotApp, spoken: Spoken) -> None:
    open_poll(app)
    reply = say(app, "awa", "pas d'accord")
    assert spoken.shown(reply, "natural.reason_needed", "fr")
    assert app.store.readings.all() == []


def test_no_open_consultation_is_said(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "awa", "d'accord")
    assert spoken.shown(reply, "natural.none_open", "fr")


def test_chatter_in_a_direct_message_stays_an_unknown_command(app: BotApp,
                                                             spoken: Spoken) -> None:
    open_poll(app)
    say(app, "awa", "bonjour à tous")
    assert "error.unknown_command" in spoken and "natural.not_understood" not in spoken


def test_a_reply_to_a_card_that_reads_as_nothing_shows_the_buttons(app: BotApp,
                                                                  spoken: Spoken) -> None:
    number = open_poll(app)
    card = CardRef("77", (("position.agree", f"{number}.0"),))
    reply = say(app, "awa", "je regarde et je reviens", in_reply_to=card)
    assert spoken.shown(reply, "natural.not_understood", "fr")
    assert spoken.shown(reply, "natural.use_buttons", number=number)
    assert [a for a, _ in actions(reply)] == ["position.agree", "position.reservations",
                                              "position.objection", "position.abstain"]


def test_a_reply_to_a_card_names_its_consultation(app: BotApp, spoken: Spoken) -> None:
    first = open_poll(app, "Premier texte")
    open_poll(app, "Second texte")
    card = CardRef("77", (("position.agree", f"{first}.0"), ("position.abstain", f"{first}.0")))
    reply = say(app, "awa", "oui", in_reply_to=card)
    assert spoken.shown(reply, "natural.confirm_title", number=first)  # not « which one? »


def test_only_the_author_confirms_and_cancel_records_nothing(app: BotApp,
                                                            spoken: Spoken) -> None:
    number = open_poll(app)
    say(app, "awa", "d'accord")
    [reading] = app.store.readings.all()
    click(app, "console:ibrahim", "natural.confirm", f"{reading.id}.agree")
    assert spoken.has("natural.not_yours") and positions(app, number) == {}
    click(app, "console:awa", "natural.cancel", str(reading.id))
    assert spoken.has("natural.cancelled") and app.store.readings.get(reading.id).status == \
        "cancelled"
    click(app, "console:awa", "natural.confirm", f"{reading.id}.agree")
    assert spoken.has("natural.already_cancelled") and positions(app, number) == {}


def test_a_confirmation_after_the_deadline_is_refused_like_a_click(app: BotApp, clock: Clock,
                                                                  spoken: Spoken) -> None:
    number = open_poll(app)
    say(app, "awa", "d'accord")
    [reading] = app.store.readings.all()
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    click(app, "console:awa", "natural.confirm", f"{reading.id}.agree")
    assert spoken.has("poll.closed", number=number) and positions(app, number) == {}
    assert app.store.readings.get(reading.id).status == "pending"


# Slack: through slack-bolt, against the fake Web API.

SARAH, IBRAHIM = "U0DEMOSJ", "U0DEMOIM"  # UNHCR (English), UNDP


def slack_actions(call: Call) -> list[tuple[str, str]]:
    return [(e["action_id"].split("#")[0], e["value"]) for b in call.args.get("blocks", [])
            if b["type"] == "actions" for e in b["elements"]]


def posts_to(bot: Bot, channel: str) -> list[Call]:
    return [c for c in bot.fake.called("chat.postMessage") if c.args["channel"] == channel]


def ephemerals(bot: Bot, user: str) -> list[Call]:
    return [c for c in bot.fake.called("chat.postEphemeral") if c.args["user"] == user]


def message_event(user: str, text: str, channel: str, ts: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
            "channel_type": "im" if channel.startswith("D") else "channel", **extra}


def under(parent: Call, author: str = BOT_USER) -> dict[str, str]:
    """What Slack adds to a reply in the thread under ``parent``."""
    return {"thread_ts": parent.response["ts"], "parent_user_id": author}


async def opened_on_slack(bot: Bot, *texts: str) -> list[int]:
    for text in texts:
        say_and_send(bot.app, "aminata", OPEN.format(text=text))
    await bot.settle()
    return [c.id for c in bot.app.store.consultations.all()]


async def test_slack_direct_message_then_confirmation_records_once(bot: Bot,
                                                                   spoken: Spoken) -> None:
    [number] = await opened_on_slack(bot, "Adopter le plan 2027")
    await bot.slack.event(message_event(IBRAHIM, "ok pour le PNUD", "D0DEMOIM", "1.000100"),
                          "EvN001")
    await bot.settle()
    card = posts_to(bot, "D0DEMOIM")[-1]
    assert spoken.shown(card.args["text"], "natural.confirm_title", "fr", number=number)
    [reading] = bot.app.store.readings.all()
    assert slack_actions(card)[0] == ("natural.confirm", f"{reading.id}.agree")
    assert slack_actions(card)[-1] == ("natural.cancel", str(reading.id))
    for _ in range(2):  # the tap, then the same tap again
        status, _ = await bot.slack.click(IBRAHIM, "natural.confirm", f"{reading.id}.agree",
                                          card.as_clicked())
        assert status == 200
    await bot.settle()
    assert positions(bot.app, number) == {"UNDP": ("agree", "")}
    assert len(bot.app.store.positions.all()) == 1
    assert spoken.has("natural.already_confirmed", number=number)


async def test_slack_thread_reply_under_the_announcement_is_answered_privately(
        bot: Bot, spoken: Spoken) -> None:
    [number] = await opened_on_slack(bot, "Adopter le plan 2027")
    announcement = posts_to(bot, NETWORK_CHANNEL)[-1]
    await bot.slack.event(message_event(SARAH, "Agreed for UNHCR", NETWORK_CHANNEL,
                                        "1764349300.000300", **under(announcement)), "EvN002")
    await bot.settle()
    [history] = bot.fake.called("conversations.history")
    assert history.args["latest"] == announcement.response["ts"]
    [answer] = ephemerals(bot, SARAH)
    assert answer.args["thread_ts"] == announcement.response["ts"]
    assert spoken.shown(answer.args["text"], "natural.confirm_title", "en", number=number)
    [reading] = bot.app.store.readings.all()
    assert ("natural.confirm", f"{reading.id}.agree") in slack_actions(answer)
    assert posts_to(bot, NETWORK_CHANNEL) == [announcement]  # nothing said to everyone


async def test_slack_thread_reply_under_a_card_names_its_consultation(bot: Bot,
                                                                      spoken: Spoken) -> None:
    first, second = await opened_on_slack(bot, "Premier texte", "Second texte")
    card = next(c for c in posts_to(bot, "D0DEMOIM")
                if spoken.shown(c.args["text"], "poll.open_title", number=first))
    await bot.slack.event(message_event(IBRAHIM, "objection car le budget manque",
                                        "D0DEMOIM", "1764349300.000400", **under(card)),
                          "EvN003")
    await bot.settle()
    answer = posts_to(bot, "D0DEMOIM")[-1]
    assert spoken.shown(answer.args["text"], "natural.confirm_title", number=first)
    assert not spoken.has("natural.which")
    [reading] = bot.app.store.readings.all()
    assert (reading.consultation_id, reading.choice, reading.reason) == (
        first, "objection", "le budget manque")
    assert second != first


async def test_slack_several_open_offer_buttons_and_another_agency_is_refused(
        bot: Bot, spoken: Spoken) -> None:
    first, second = await opened_on_slack(bot, "Premier texte", "Second texte")
    announcement = posts_to(bot, NETWORK_CHANNEL)[-1]  # the second's card in the channel
    await bot.slack.event(message_event(IBRAHIM, "d'accord", "D0DEMOIM", "1764349300.000500"),
                          "EvN004")
    await bot.slack.event(message_event(IBRAHIM, "d'accord pour l'UNICEF", NETWORK_CHANNEL,
                                        "1764349300.000600", **under(announcement)), "EvN005")
    await bot.settle()
    which = posts_to(bot, "D0DEMOIM")[-1]
    [refused] = ephemerals(bot, IBRAHIM)
    [reading] = bot.app.store.readings.all()
    assert [v for a, v in slack_actions(which) if a == "natural.pick"] == [
        f"{reading.id}.{first}", f"{reading.id}.{second}"]
    assert spoken.shown(refused.args["text"], "natural.other_agency", "fr", named="UNICEF")
    assert slack_actions(refused) == []
    # Under a consultation's channel card, the card names the consultation: none to pick.
    await bot.slack.event(message_event(IBRAHIM, "d'accord", NETWORK_CHANNEL,
                                        "1764349300.000700", **under(announcement)), "EvN009")
    await bot.settle()
    assert spoken.shown(ephemerals(bot, IBRAHIM)[-1].args["text"], "natural.confirm_title",
                        "fr", number=second)


async def test_slack_not_a_position_in_a_thread_is_answered_but_chatter_is_not(
        bot: Bot, spoken: Spoken) -> None:
    [number] = await opened_on_slack(bot, "Adopter le plan 2027")
    announcement = posts_to(bot, NETWORK_CHANNEL)[-1]
    await bot.slack.event(message_event(IBRAHIM, "ok ?", NETWORK_CHANNEL,
                                        "1764349300.000700", **under(announcement)), "EvN006")
    # Ordinary conversation: a message of its own, and a thread under someone else's message.
    await bot.slack.event(message_event(IBRAHIM, "d'accord", NETWORK_CHANNEL,
                                        "1764349300.000800"), "EvN007")
    await bot.slack.event(message_event(IBRAHIM, "d'accord", NETWORK_CHANNEL,
                                        "1764349300.000900", thread_ts="1764349000.000001",
                                        parent_user_id=SARAH), "EvN008")
    await bot.settle()
    [answer] = ephemerals(bot, IBRAHIM)
    assert answer.args["thread_ts"] == announcement.response["ts"]
    assert spoken.shown(answer.args["text"], "natural.not_understood", "fr")
    assert [a for a, _ in slack_actions(answer)] == [
        "position.agree", "position.reservations", "position.objection", "position.abstain"]
    assert bot.app.store.readings.all() == [] and positions(bot.app, number) == {}


# Telegram: through python-telegram-bot, against the fake Bot API.

@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def replying(update: dict[str, Any], to: dict[str, Any]) -> dict[str, Any]:
    """``update``'s message as a reply to the bot's message ``to`` (as Telegram carries it:
    the message, with its keyboard)."""
    update["message"]["reply_to_message"] = to
    return update


def bot_message(message_id: int, chat: int | str, text: str,
                markup: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "text": text,
                             "from": BOT, "chat": {"id": int(chat), "type": "supergroup"
                                                   if int(chat) < 0 else "private"}}
    if markup is not None:
        found["reply_markup"] = markup
    return found


def telegram_sent(fake: FakeTelegram, chat: int | str) -> list[dict[str, Any]]:
    return [c.args for c in fake.called("sendMessage") if str(c.args["chat_id"]) == str(chat)]


async def test_telegram_direct_message_then_confirmation_records_once(
        app: BotApp, tg: FakeTelegram, spoken: Spoken) -> None:
    runtime = await telegram_running(app, tg)
    try:
        number = open_poll(app)
        await app.dispatcher.flush()
        await post(runtime, text_update(1, AWA, "D’accord pour l’UNICEF"))
        answer = telegram_sent(tg, AWA)[-1]
        assert spoken.shown(html_free(answer["text"]), "natural.confirm_title", number=number)
        [reading] = app.store.readings.all()
        assert buttons_of(answer)[0] == f"natural.confirm|{reading.id}.agree"
        tap = callback_update(2, AWA, f"natural.confirm|{reading.id}.agree",
                              answer["text"], reply_markup=answer["reply_markup"])
        await post(runtime, tap)
        await post(runtime, tap)  # Telegram sends the same update again: handled once
        await post(runtime, callback_update(3, AWA, f"natural.confirm|{reading.id}.agree"))
        assert positions(app, number) == {"UNICEF": ("agree", "")}
        assert len(app.store.positions.all()) == 1
        assert spoken.has("natural.already_confirmed", number=number)
    finally:
        await runtime.stop()


def html_free(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "").replace("&#x27;", "'")


async def test_telegram_reply_to_a_card_names_its_consultation(app: BotApp, tg: FakeTelegram,
                                                               spoken: Spoken) -> None:
    runtime = await telegram_running(app, tg)
    try:
        first, second = open_poll(app, "Premier texte"), open_poll(app, "Second texte")
        await app.dispatcher.flush()
        card = next(args for args in telegram_sent(tg, AWA)
                    if f"position.agree|{second}.0" in buttons_of(args))
        await post(runtime, replying(text_update(1, AWA, "abstention"),
                                     bot_message(1001, AWA, card["text"],
                                                 card["reply_markup"])))
        [reading] = app.store.readings.all()
        assert (reading.consultation_id, reading.choice) == (second, "abstain")
        assert spoken.has("natural.confirm_title", number=second)
        assert not spoken.has("natural.which") and first != second
    finally:
        await runtime.stop()


async def test_telegram_group_reply_to_the_announcement(app: BotApp, tg: FakeTelegram,
                                                        spoken: Spoken) -> None:
    runtime = await telegram_running(app, tg)
    try:
        number = open_poll(app)
        await app.dispatcher.flush()
        [announcement] = telegram_sent(tg, NETWORK_CHAT)
        shown = bot_message(2001, NETWORK_CHAT, announcement["text"])  # no keyboard
        group = {"chat_id": int(NETWORK_CHAT), "chat_type": "supergroup"}
        await post(runtime, replying(text_update(1, AWA, "D'accord pour l'UNICEF", **group),
                                     shown))
        answer = telegram_sent(tg, NETWORK_CHAT)[-1]
        assert answer["reply_parameters"]["message_id"] == 1  # a reply to her message
        [reading] = app.store.readings.all()
        assert buttons_of(answer)[0] == f"natural.confirm|{reading.id}.agree"
        assert spoken.has("natural.confirm_title", number=number)
        # Tapped in the group: the position is recorded, the answer is a toast.
        await post(runtime, callback_update(2, AWA, f"natural.confirm|{reading.id}.agree",
                                            chat_id=int(NETWORK_CHAT),
                                            chat_type="supergroup"))
        assert positions(app, number) == {"UNICEF": ("agree", "")}
        assert tg.called("answerCallbackQuery")

        # Another agency named: refused; not a position: a short reply; chatter: nothing.
        await post(runtime, replying(text_update(3, FATOUMATA, "ok pour l'UNICEF", **group),
                                     shown))
        assert spoken.has("natural.other_agency", named="UNICEF")
        await post(runtime, replying(text_update(4, AWA, "ok ?", **group), shown))
        assert spoken.has("natural.not_understood")
        before = len(telegram_sent(tg, NETWORK_CHAT))
        await post(runtime, text_update(5, AWA, "d'accord", **group))
        assert len(telegram_sent(tg, NETWORK_CHAT)) == before
        assert len(app.store.readings.all()) == 1
    finally:
        await runtime.stop()
