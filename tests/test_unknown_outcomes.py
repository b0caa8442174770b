"""A send whose outcome is unknown is not repeated blindly. Slack's ``chat.postMessage`` and
Telegram's ``sendMessage`` take no idempotency key: when the request went out and no answer came
back (the platform answered after the client's read timeout, or the connection was cut after
the request), sending again would be a second message. Slack's history is read before posting
again; Telegram, which has no such thing, counts it as delivered with a note. What never left
(a refused connection) is retried, and arrives once.

The real slack_sdk and python-telegram-bot clients against the fakes, which carry the call out
then answer late or cut the connection (``fake_network.py``); the clients' timeouts are made
short, time is otherwise the injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from handlers.types import Message
from storage.models import OutboxRow
from tests.conftest import Clock
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    SECRET,
    Bot,
    FakeSlack,
    answer_of,
    fake_fixture,
    network_fixture,
    running,
)
from tests.support.fake_telegram import FakeTelegram, text_update
from tests.support.previews import telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, CHAIR, FATOUMATA, post, sent_text
from tests.support.telegram_runtime import running as telegram_running

IBRAHIM = "U0DEMOIM"
QUICK = 0.3  # seconds: the clients' timeouts here, so a late answer is a timeout at once


@pytest.fixture
async def bot(app: BotApp, fake: FakeSlack, clock: Clock,
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    """The Slack bot with short client timeouts; the fake's posts carry the test clock's ts."""
    monkeypatch.setattr(SlackPlatform, "timeouts",
                        aiohttp.ClientTimeout(total=QUICK, connect=QUICK))
    fake.now = lambda: clock.now.timestamp()
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=fake.url, host="127.0.0.1", port=0)
    started = await running(app, env, fake)
    yield started
    await started.runtime.stop()


@pytest.fixture
async def telegram(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeTelegram]:
    monkeypatch.setattr(TelegramPlatform, "read_timeout", QUICK)
    monkeypatch.setattr(TelegramPlatform, "connect_timeout", QUICK)
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def dm(user: str, text: str) -> dict[str, Any]:
    return {"type": "message", "channel": "D" + user[1:], "channel_type": "im", "user": user,
            "text": text, "ts": "1764349100.000100"}


def answer_row(app: BotApp) -> OutboxRow:
    [row] = [r for r in app.store.outbox.all() if r.recipient["kind"] == "reply"]
    return row


async def later(app: BotApp, clock: Clock, seconds: float = 6) -> None:
    clock.now += timedelta(seconds=seconds)
    await app.dispatcher.flush()


# Slack: the history is read before posting again.

@pytest.mark.parametrize("fault", ["late", "cut"])
async def test_a_slack_post_done_but_not_answered_is_not_posted_again(
        bot: Bot, clock: Clock, fault: str) -> None:
    if fault == "late":
        bot.fake.late("chat.postMessage")
    else:
        bot.fake.drop("chat.postMessage")
    assert (await bot.slack.event(dm(IBRAHIM, "membres"), "EvUnknown1"))[0] == 200
    await bot.settle()
    assert len(bot.fake.posted("D0DEMOIM")) == 1  # Slack has it; the bot does not know
    row = answer_row(bot.app)
    assert row.status == "pending" and "outcome unknown" in (row.last_error or "")
    await later(bot.app, clock)  # Slack had a few seconds to finish; then the bot looks
    [looked] = bot.fake.called("conversations.history")
    assert looked.args["channel"] == "D0DEMOIM"
    assert len(bot.fake.posted("D0DEMOIM")) == 1
    assert bot.app.store.outbox.get(row.id).status == "sent"
    await later(bot.app, clock, 600)
    assert len(bot.fake.posted("D0DEMOIM")) == 1


async def test_a_slack_post_cut_before_slack_had_it_is_posted_once_after_looking(
        bot: Bot, clock: Clock) -> None:
    bot.fake.drop("chat.postMessage", record=False)
    await bot.slack.event(dm(IBRAHIM, "membres"), "EvUnknown2")
    await bot.settle()
    assert bot.fake.posted("D0DEMOIM") == [] and bot.fake.called("chat.postMessage!dropped")
    await later(bot.app, clock)
    assert bot.fake.called("conversations.history")  # not there: posted again
    [answer] = bot.fake.posted("D0DEMOIM")
    assert "membres actifs" in answer["text"]


async def test_a_slack_post_whose_connection_was_refused_is_retried_once(
        bot: Bot, clock: Clock) -> None:
    bot.app.ctx.send_to_member(bot.app.store.members.get("ibrahim"), "test:refused",
                               lambda lang: Message(title="Bonjour"))
    await bot.fake.refuse()
    await bot.app.dispatcher.flush()
    [row] = bot.app.store.outbox.all()
    assert row.status == "pending" and "ClientConnectorError" in (row.last_error or "")
    assert "slack" in bot.app.dispatcher.outages  # nothing reached Slack: it is probed
    await bot.fake.accept()
    await later(bot.app, clock, 3)
    assert [p["text"] for p in bot.fake.posted("D0DEMOIM")] == ["Bonjour"]
    assert not bot.fake.called("conversations.history")  # nothing to look for
    assert bot.app.store.outbox.get(row.id).status == "sent"


async def test_a_post_a_stopped_process_was_making_is_not_posted_again_if_slack_has_it(
        bot: Bot, clock: Clock) -> None:
    """What a restart finds: the row marked "sending" by the process that was killed during
    the call, the message in the conversation."""
    ibrahim = bot.app.store.members.get("ibrahim")
    bot.app.ctx.send_to_member(ibrahim, "test:crash", lambda lang: Message(title="Bonjour"))
    [row] = bot.app.store.outbox.all()
    row.attempting, row.attempted_at = [f"slack:{IBRAHIM}"], clock.now.isoformat()
    bot.app.store.outbox.save(row)
    bot.fake.history["D0DEMOIM"] = [{"type": "message", "ts": f"{clock.now.timestamp():.6f}",
                                     "text": "Bonjour", "bot_id": "B0BOT"}]
    await later(bot.app, clock)
    assert bot.fake.called("conversations.history") and bot.fake.posted() == []
    assert bot.app.store.outbox.get(row.id).status == "sent"


async def test_an_ephemeral_answer_whose_outcome_is_unknown_counts_as_given(
        bot: Bot, clock: Clock) -> None:
    bot.fake.late("response_url")
    assert (await bot.slack.command(IBRAHIM, "aide", channel="C0OTHER"))[0] == 200
    await bot.settle()
    row = answer_row(bot.app)
    assert row.status == "sent" and (row.last_error or "").startswith("outcome unknown")
    await later(bot.app, clock, 600)
    assert len(bot.fake.called("response_url")) == 1 and bot.fake.posted() == []


# Telegram: no way to look, so "maybe sent" is recorded as delivered.

@pytest.mark.parametrize("fault", ["late", "cut"])
async def test_a_telegram_answer_done_but_not_answered_is_sent_once(
        app: BotApp, telegram: FakeTelegram, clock: Clock, fault: str) -> None:
    runtime = await telegram_running(app, telegram)
    try:
        if fault == "late":
            telegram.late("sendMessage")
        else:
            telegram.drop("sendMessage")
        assert await post(runtime, text_update(70, AWA, "/membres")) == 200
        row = answer_row(app)
        assert row.status == "sent"
        assert (row.last_error or "").startswith("outcome unknown: text:0: ")
        assert ("ReadTimeout" if fault == "late" else "RemoteProtocolError") in row.last_error
        await later(app, clock, 600)
        assert len(sent_text(telegram, AWA)) == 1
    finally:
        await runtime.stop()


async def test_a_telegram_request_that_never_left_is_retried_and_sent_once(
        app: BotApp, telegram: FakeTelegram, clock: Clock, spoken: Spoken) -> None:
    runtime = await telegram_running(app, telegram)
    try:
        await telegram.refuse()
        assert await post(runtime, text_update(71, AWA, "/membres")) == 200
        row = answer_row(app)
        assert row.status == "pending" and "ConnectError" in (row.last_error or "")
        await telegram.accept()
        await later(app, clock, 3)
        [answer] = sent_text(telegram, AWA)
        assert spoken.shown(answer, "members.summary")
        assert app.store.outbox.get(row.id).status == "sent"
    finally:
        await runtime.stop()


async def test_the_rest_of_a_message_goes_on_after_a_part_whose_outcome_is_unknown(
        app: BotApp, telegram: FakeTelegram, clock: Clock) -> None:
    runtime = await telegram_running(app, telegram)
    try:
        telegram.late("sendMessage", times=10)  # every text, the invitations' included
        await telegram_says_and_sends(runtime, app, 72, CHAIR, "/reunion mardi 1 decembre 10h")
        await later(app, clock, 600)
        for person in (AWA, FATOUMATA):
            texts = [c for c in telegram.called("sendMessage")
                     if str(c.args["chat_id"]) == str(person)]
            files = [c for c in telegram.called("sendDocument")
                     if str(c.args["chat_id"]) == str(person)]
            assert len(texts) == 1 and len(files) == 1  # the calendar file still went, once
        invitations = [r for r in app.store.outbox.all() if ":invite:" in r.key
                       and r.key.endswith(("awa", "fatoumata"))]
        assert invitations and all(r.status == "sent" and "text:0" in (r.last_error or "")
                                   for r in invitations)
    finally:
        await runtime.stop()
