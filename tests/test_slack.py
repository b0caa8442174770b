"""Slack over HTTP: signed requests to the real slack-bolt app, answers and deliveries recorded by
the fake Web API (tests/support/fake_slack.py). Nothing here reaches the internet."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.app import BotApp
from bot.config.environment import Environment
from handlers.types import Message
from tests.conftest import Clock
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    NETWORK_CHANNEL,
    Bot,
    FakeSlack,
    SlackSender,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
    running,
)
from tests.support.spoken import Spoken

# The door: signatures, timestamps, health.

async def test_health_is_json_and_unsigned_requests_are_refused(bot: Bot) -> None:
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{bot.runtime.port}/healthz") as response:
        assert response.status == 200
        health = await response.json()
    assert health["status"] == "ok" and health["platforms"] == ["slack"]

    forged = SlackSender(bot.fake, bot.runtime.port, secret="not-the-secret")
    status, _ = await forged.command("U0DEMOIM", "membres")
    assert status == 401
    stale = int(time.time()) - 301
    body = "command=%2Freseau&text=membres&user_id=U0DEMOIM&channel_id=D0DM"
    status, _ = await bot.slack.post(body, timestamp=stale)
    assert status == 401
    await bot.settle()
    assert bot.fake.calls == []  # not even auth.test: refused before anything ran
    assert bot.app.store.outbox.all() == []


async def test_the_request_url_check_slack_makes_when_saving_the_app(bot: Bot) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"})
    status, text = await bot.slack.post(body, "application/json")
    assert status == 200 and json.loads(text) == {"challenge": challenge}


async def test_a_slash_command_is_answered_ephemerally_in_french(bot: Bot,
                                                                 spoken: Spoken) -> None:
    started = time.perf_counter()
    status, body = await bot.slack.command("U0DEMOIM", "membres", channel="C0OTHER")
    assert status == 200 and body == ""
    assert time.perf_counter() - started < 3  # acknowledged well within Slack's 3 s
    await bot.settle()
    answer = answer_of(bot.fake)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert spoken.shown(answer["text"], "members.summary", "fr")
    assert answer["blocks"][0]["type"] in ("header", "section")
    [info] = bot.fake.called("users.info")
    assert info.args["user"] == "U0DEMOIM" and info.args["include_locale"] in ("1", "true")


async def test_the_slack_locale_picks_the_language_and_is_looked_up_once(bot: Bot,
                                                                         spoken: Spoken) -> None:
    await bot.slack.command("U0GUEST", "help", ref="first")
    await bot.slack.command("U0GUEST", "aide", ref="second")
    await bot.settle()
    assert answer_of(bot.fake, "first")["text"].startswith(spoken.text("help.title", "en"))
    assert spoken.shown(answer_of(bot.fake, "second")["text"], "help.intro_unknown", "en")
    assert not spoken.has("help.title", "fr")
    assert len(bot.fake.called("users.info")) == 1


# Events: direct messages, redeliveries, the bot's own messages, channel capture.

def dm(user: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "D" + user[1:], "channel_type": "im", "user": user,
            "text": text, "ts": "1764349100.000100", **extra}


async def test_a_direct_message_is_a_command_and_a_redelivery_is_processed_once(bot: Bot) -> None:
    status, _ = await bot.slack.event(dm("U0DEMOIM", "membres"), "Ev0001")
    assert status == 200
    await bot.settle()
    status, _ = await bot.slack.event(dm("U0DEMOIM", "membres"), "Ev0001", retry=1)
    assert status == 200
    await bot.settle()
    [reply] = bot.fake.posted("D0DEMOIM")
    assert "membres actifs" in reply["text"]
    assert not bot.app.first_time("slack:Ev0001")  # remembered in storage, survives restarts


async def test_the_bots_own_and_edited_messages_are_ignored(bot: Bot) -> None:
    await bot.slack.event(dm("U0BOT", "membres", bot_id="B0BOT"), "Ev0002")
    await bot.slack.event(dm("U0DEMOIM", "membres", subtype="message_changed"), "Ev0003")
    await bot.slack.event({"type": "message", "subtype": "bot_message", "bot_id": "B9",
                           "channel": NETWORK_CHANNEL, "text": "membres", "ts": "1.2"}, "Ev0004")
    await bot.settle()
    assert bot.fake.posted() == []


def in_channel(user: str, text: str, channel: str = NETWORK_CHANNEL) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "channel_type": "channel", "user": user,
            "text": text, "ts": "1764349100.000200"}


async def test_a_shared_link_in_the_network_channel_is_captured_quietly(bot: Bot,
                                                                       spoken: Spoken) -> None:
    await bot.slack.event(in_channel("U0DEMOIM", "Bonjour à tous"), "Ev0010")
    await bot.slack.event(in_channel("U0DEMOIM", "Rapport <https://example.org/r.pdf> #partage",
                                     channel="C0ELSEWHERE"), "Ev0011")
    await bot.settle()
    assert bot.fake.called("reactions.add") == [] and bot.app.store.items.newest_first() == []

    await bot.slack.event(in_channel(
        "U0DEMOIM", "Rapport trimestriel <https://example.org/r.pdf> #partage"), "Ev0012")
    await bot.settle()
    [item] = bot.app.store.items.newest_first()
    assert item.url == "https://example.org/r.pdf"
    [reaction] = bot.fake.called("reactions.add")
    assert reaction.args == {**reaction.args, "channel": NETWORK_CHANNEL,
                             "timestamp": "1764349100.000200", "name": "white_check_mark"}
    [note] = bot.fake.called("chat.postEphemeral")
    assert note.args["user"] == "U0DEMOIM" and note.args["thread_ts"] == "1764349100.000200"
    assert spoken.shown(note.args["text"], "info.captured", number=item.id)


# Deliveries: rate limits and failures go through the dispatcher's one retry mechanism.

async def test_a_429_makes_the_row_wait_and_it_is_delivered_once_later(bot: Bot,
                                                                      clock: Clock) -> None:
    bot.app.ctx.announce("test:429", lambda lang: Message(title="Bonjour le réseau"))
    bot.fake.fail("chat.postMessage", 429, retry_after=30)
    await bot.app.dispatcher.flush()
    [row] = bot.app.store.outbox.all()
    assert row.status == "pending" and row.attempts == 0 and bot.fake.posted() == []
    assert datetime.fromisoformat(row.next_attempt_at) == clock.now + timedelta(seconds=30)
    await bot.app.dispatcher.flush()
    assert len(bot.fake.called("chat.postMessage!429")) == 1  # not retried before its time
    clock.now += timedelta(seconds=31)
    await bot.app.dispatcher.flush()
    await bot.app.dispatcher.flush()
    [posted] = bot.fake.posted(NETWORK_CHANNEL)
    assert posted["text"] == "Bonjour le réseau"
    assert bot.app.store.outbox.all()[0].status == "sent"


async def test_a_server_error_is_retried_with_backoff_not_by_slack_sdk(bot: Bot,
                                                                     clock: Clock) -> None:
    bot.app.ctx.announce("test:500", lambda lang: Message(title="Bonjour"))
    bot.fake.fail("chat.postMessage", 500)
    await bot.app.dispatcher.flush()
    [row] = bot.app.store.outbox.all()
    assert row.status == "pending" and row.attempts == 1 and "SlackApiError" in row.last_error
    assert [c.method for c in bot.fake.calls] == ["chat.postMessage!500", "auth.test"]
    # one attempt (slack_sdk did not retry on its own), then the probe: Slack answers, so the
    # message alone waits its backoff, and the platform is not marked down
    clock.now += timedelta(minutes=10)
    await bot.app.dispatcher.flush()
    assert len(bot.fake.posted(NETWORK_CHANNEL)) == 1


async def test_direct_messages_open_the_conversation_once(bot: Bot) -> None:
    for n in (1, 2):
        bot.app.ctx.send_to_member(bot.app.store.members.get("ibrahim"), f"test:dm:{n}",
                                   lambda lang, n=n: Message(paragraphs=[f"Message {n}"]))
    await bot.app.dispatcher.flush()
    assert [p["text"] for p in bot.fake.posted("D0DEMOIM")] == ["Message 1", "Message 2"]
    assert len(bot.fake.called("conversations.open")) == 1


# Socket Mode.

async def test_socket_mode_is_chosen_with_an_app_token_and_answers_over_the_socket(
        app: BotApp, fake: FakeSlack) -> None:
    env = Environment(slack_bot_token="xoxb-test", slack_app_token="xapp-test",
                      slack_api_url=fake.url, host="127.0.0.1", port=0)
    bot = await running(app, env, fake)
    try:
        await fake.wait_for(lambda: fake.called("socket.connected"))
        [opened] = fake.called("apps.connections.open")
        assert opened.args["_auth"] == "Bearer xapp-test"
        command = {"command": "/reseau", "text": "membres", "user_id": "U0DEMOIM",
                   "user_name": "ibrahim", "channel_id": "C0OTHER", "channel_name": "general",
                   "team_id": "T0RESEAU", "response_url": f"{fake.base}/response/socket"}
        await fake.socket_send({"envelope_id": "env-1", "type": "slash_commands",
                                "accepts_response_payload": True, "payload": command})
        await fake.wait_for(lambda: fake.called("socket.ack"))
        assert fake.socket_acks[0]["envelope_id"] == "env-1"
        await fake.wait_for(lambda: fake.called("response_url"))
        assert "membres actifs" in answer_of(fake, "socket")["text"]
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{bot.runtime.port}/slack/events", data=b"x") as response:
            assert response.status == 404  # no signing secret: no HTTP door at all
    finally:
        await bot.runtime.stop()
