"""The answer to a person is an outbox row queued with what their request changed: Slack or
Telegram failing at that moment delays it, never loses it, and it arrives once. Where it shows
stays as before: a slash command's answer is ephemeral (``response_url``, then the DM once
Slack's 30 minutes are over or it refuses), a direct message's in the DM, a click's on the
clicked message, a Telegram group's as a reply to the message. Answers go before the messages
the same request queued for others.

Through the real slack-bolt / slack_sdk and python-telegram-bot clients against the loopback
fakes; time is the injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.app import BotApp
from tests.conftest import Clock
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import FakeTelegram, callback_update, text_update
from tests.support.previews import slack_command_and_send, telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, CHAIR, GROUP, post, running, sent_text

MOUSSA, SARAH, IBRAHIM = "U0DEMOMK", "U0DEMOSJ", "U0DEMOIM"  # co-chair, UNHCR, UNDP


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def dm(user: str, text: str) -> dict[str, Any]:
    return {"type": "message", "channel": "D" + user[1:], "channel_type": "im", "user": user,
            "text": text, "ts": "1764349100.000100"}


async def back_up(bot: Bot, clock: Clock) -> None:
    """Slack answers again; the dispatcher's probe finds it a few seconds later."""
    bot.fake.up()
    bot.fake.recover("chat.postMessage")
    bot.fake.recover("response_url")
    clock.now += timedelta(seconds=3)
    await bot.settle()


def answers(bot: Bot, ref: str = "cmd") -> list[dict[str, Any]]:
    return [c.args for c in bot.fake.called("response_url") if c.args["ref"] == ref]


async def test_a_slash_command_answered_while_slack_fails_arrives_once_after_recovery(
        bot: Bot, clock: Clock, spoken: Spoken) -> None:
    bot.fake.fail("response_url", 500, times=100)
    bot.fake.fail("chat.postMessage", 500, times=100)
    status, _ = await bot.slack.command(
        MOUSSA, "consultation ouvrir Adopter le plan 2027 | vendredi 4 décembre 17h")
    assert status == 200
    await bot.settle()
    assert bot.app.store.drafts.all()  # the preview, waiting to be seen
    assert bot.fake.called("response_url!500") and answers(bot) == []
    [row] = [r for r in bot.app.store.outbox.all() if r.recipient["kind"] == "reply"]
    assert row.status == "pending" and row.key.startswith("answer:slack:trigger:")

    await back_up(bot, clock)
    [answer] = answers(bot)
    assert spoken.shown(answer["text"], "preview.poll_open", proposal="Adopter le plan 2027")
    assert answer["response_type"] == "ephemeral"  # still seen by the lead only
    clock.now += timedelta(minutes=10)
    await bot.settle()
    assert len(answers(bot)) == 1 and bot.app.store.outbox.get(row.id).status == "sent"


async def test_a_direct_message_answered_while_slack_is_down_arrives_once_after(
        bot: Bot, clock: Clock) -> None:
    bot.fake.down()
    assert (await bot.slack.event(dm(IBRAHIM, "membres"), "EvDown1"))[0] == 200
    await bot.settle()
    assert bot.fake.posted("D0DEMOIM") == []
    await back_up(bot, clock)
    [answer] = bot.fake.posted("D0DEMOIM")
    assert "membres actifs" in answer["text"]
    # Slack sends the event again: handled once, answered once.
    assert (await bot.slack.event(dm(IBRAHIM, "membres"), "EvDown1", retry=1))[0] == 200
    clock.now += timedelta(minutes=10)
    await bot.settle()
    assert len(bot.fake.posted("D0DEMOIM")) == 1


async def test_a_click_answered_while_slack_is_down_shows_on_the_card_after(
        bot: Bot, clock: Clock) -> None:
    await slack_command_and_send(bot.slack, bot.app, MOUSSA, "réunion mardi 1 décembre 10h")
    await bot.settle()
    invite = [c for c in bot.fake.called("chat.postMessage")
              if c.args["channel"] == "D0DEMOSJ"][-1]
    bot.fake.down()
    updates = len(bot.fake.called("chat.update"))  # the preview, replaced by its answer
    assert (await bot.slack.click(SARAH, "rsvp.present", "1", invite.as_clicked()))[0] == 200
    await bot.settle()
    assert bot.app.store.rsvps.get(1, "sarah").status == "present"
    assert len(bot.fake.called("chat.update")) == updates
    await back_up(bot, clock)
    [update] = bot.fake.called("chat.update")[updates:]
    assert update.args["channel"] == "D0DEMOSJ" and update.args["ts"] == invite.response["ts"]
    assert update.args["blocks"][-1]["block_id"] == "reseau-answer"


async def test_an_answer_after_slacks_thirty_minutes_goes_to_the_dm(bot: Bot, clock: Clock,
                                                                     spoken: Spoken) -> None:
    bot.fake.down()
    assert (await bot.slack.command(IBRAHIM, "aide", channel="C0OTHER"))[0] == 200
    await bot.settle()
    clock.now += timedelta(minutes=31)  # the response_url no longer takes answers
    await back_up(bot, clock)
    assert answers(bot) == [] and not bot.fake.called("response_url!503")[1:]
    [answer] = bot.fake.posted("D0DEMOIM")
    assert answer["text"].startswith(spoken.text("help.title", "fr"))


async def test_a_response_url_slack_refuses_gives_the_answer_in_the_dm(bot: Bot,
                                                                       spoken: Spoken) -> None:
    bot.fake.fail("response_url", 404, error="used_url")
    assert (await bot.slack.command(IBRAHIM, "aide", channel="C0OTHER"))[0] == 200
    await bot.settle()
    assert len(bot.fake.called("response_url!404")) == 1  # not tried again
    [answer] = bot.fake.posted("D0DEMOIM")
    assert answer["text"].startswith(spoken.text("help.title", "fr"))


async def test_the_answer_goes_before_the_invitations_its_command_queued(bot: Bot) -> None:
    await slack_command_and_send(bot.slack, bot.app,
                                 MOUSSA, "consultation ouvrir Plan | vendredi 4 décembre 17h")
    await bot.settle()
    sends = [c.method for c in bot.fake.calls
             if c.method in ("response_url", "chat.postMessage")]
    assert sends[0] == "response_url" and sends.count("chat.postMessage") >= 3


async def test_a_telegram_answer_while_telegram_is_down_arrives_once_after(
        app: BotApp, telegram: FakeTelegram, clock: Clock, spoken: Spoken) -> None:
    fake = telegram
    runtime = await running(app, fake)
    try:
        fake.down()
        assert await post(runtime, text_update(60, AWA, "/membres", chat_id=GROUP,
                                               chat_type="group")) == 200
        assert sent_text(fake, GROUP) == []
        fake.up()
        clock.now += timedelta(seconds=3)
        await app.dispatcher.flush()
        [answer] = sent_text(fake, GROUP)
        assert spoken.shown(answer, "members.summary")
        [call] = fake.called("sendMessage")
        assert call.args["reply_parameters"]["message_id"] == 60  # a reply, as before
        clock.now += timedelta(minutes=10)
        await app.dispatcher.flush()
        assert len(sent_text(fake, GROUP)) == 1
    finally:
        await runtime.stop()


async def test_a_telegram_click_answered_while_telegram_is_down_edits_the_card_after(
        app: BotApp, telegram: FakeTelegram, clock: Clock, spoken: Spoken) -> None:
    fake = telegram
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 61, CHAIR, "/reunion mardi 1 decembre 10h")
        await app.dispatcher.flush()
        edits = len(fake.called("editMessageText"))  # the preview, replaced by its answer
        toasts = len(fake.called("answerCallbackQuery"))  # « Envoyer »'s
        fake.down()
        await post(runtime, callback_update(62, AWA, "rsvp.present|1", "Invitation\nmardi"))
        assert app.store.rsvps.get(1, "awa").status == "present"
        assert len(fake.called("editMessageText")) == edits
        fake.up()
        clock.now += timedelta(seconds=3)
        await app.dispatcher.flush()
        [edited] = fake.called("editMessageText")[edits:]
        assert edited.args["message_id"] == 77
        assert spoken.shown(edited.args["text"], "rsvp.done.present", number=1)
        # the toast is only useful at once: tried once, during the outage, not after
        assert len(fake.refused("answerCallbackQuery")) == 1
        assert len(fake.called("answerCallbackQuery")) == toasts
    finally:
        await runtime.stop()
