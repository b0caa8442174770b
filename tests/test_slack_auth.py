"""Slack's ``auth.test`` failing after a (re)start loses no click, command or direct message: the
bot asks for its identity once at start-up and keeps it; until Slack gives it, requests are
answered 503 (Slack retries events, a person sees the failure), never 200 and dropped."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.slack.auth import TokenRefused
from bot.runtime import Runtime
from handlers.types import Inbound
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    SECRET,
    FakeSlack,
    answer_of,
    click_payload,
    command_body,
    event_envelope,
    fake_fixture,
    network_fixture,
    running,
)
from tests.support.previews import handle_and_send


def environment(fake: FakeSlack) -> Environment:
    return Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                       slack_api_url=fake.url, host="127.0.0.1", port=0)


async def health(port: int) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, await response.json()


def dm_event(text: str) -> dict:
    return {"type": "message", "channel": "D0DEMOIM", "channel_type": "im",
            "user": "U0DEMOIM", "text": text, "ts": "1764349100.000300"}


async def test_auth_test_failing_after_a_restart_loses_no_click_command_or_dm(
        app: BotApp, fake: FakeSlack) -> None:
    opened = handle_and_send(app, Inbound(platform="slack", user_id="U0DEMOMK",
                                          text="consultation ouvrir Adopter le plan | dans 7 "
                                               "jours"))
    assert "1" in opened.message.plain_text()
    fake.fail("auth.test", 500)  # Slack is down when the bot starts...
    bot = await running(app, environment(fake), fake, forget_start=False)
    try:
        assert [c.method for c in fake.calls] == ["auth.test!500"]  # asked at start-up
        status, body = await health(bot.runtime.port)
        assert status == 503 and body["status"] == "starting" and body["starting"] == ["slack"]
        await bot.settle()  # the consultation's cards went out: only answers count below
        fake.reset()

        fake.fail("auth.test", 429, retry_after=1, times=1000)  # ...then rate-limits it
        click = urlencode({"payload": json.dumps(click_payload(
            fake, "U0DEMOIM", "position.agree", "1", ref="click"))})
        command = command_body(fake, "U0DEMOIM", "membres", ref="cmd")
        dm = json.dumps(event_envelope(dm_event("membres"), "EvAUTH1"))
        requests = [(click, "application/x-www-form-urlencoded"),
                    (command, "application/x-www-form-urlencoded"), (dm, "application/json")]
        for body_, content_type in requests:
            status, text = await bot.slack.post(body_, content_type)
            assert status == 503, text  # not 200 "please reinstall": Slack must try again
            assert "reinstall" not in text
        await bot.settle()
        assert app.store.positions.history(1) == []
        assert fake.called("response_url") == [] and fake.posted() == []
        assert fake.called("auth.test!429")  # each request tried once more

        fake.recover("auth.test")  # Slack is back: the same requests come again
        for body_, content_type in requests:
            status, _ = await bot.slack.post(body_, content_type)
            assert status == 200
        status, _ = await bot.slack.post(dm, "application/json",
                                         {"X-Slack-Retry-Num": "2"})  # and once more
        assert status == 200
        await bot.settle()
        [position] = app.store.positions.history(1)
        assert (position.agency, position.choice) == ("UNDP", "agree")
        assert "membres actifs" in answer_of(fake, "cmd")["text"]
        assert len(fake.posted("D0DEMOIM")) == 1  # the DM answered once
        assert len(fake.called("auth.test")) == 1  # and the identity is kept from now on
        await bot.slack.command("U0DEMOIM", "aide", ref="again")
        assert len(fake.called("auth.test")) == 1
        status, body = await health(bot.runtime.port)
        assert status == 200 and body["status"] == "ok" and body["starting"] == []
    finally:
        await bot.runtime.stop()


async def test_the_identity_is_asked_once_at_start_up_not_per_request(
        app: BotApp, fake: FakeSlack) -> None:
    bot = await running(app, environment(fake), fake, forget_start=False)
    try:
        assert [c.method for c in fake.calls] == ["auth.test"]
        for n in range(3):
            await bot.slack.command("U0DEMOIM", "aide", ref=f"c{n}")
        await bot.settle()
        assert len(fake.called("auth.test")) == 1
        assert len(fake.called("response_url")) == 3
    finally:
        await bot.runtime.stop()


async def test_a_token_slack_refuses_stops_the_start(app: BotApp, fake: FakeSlack) -> None:
    fake.fail("auth.test", 200, error="invalid_auth")
    env = environment(fake)
    runtime = Runtime(app, env, platforms=[SlackPlatform(app, env)])
    try:
        with pytest.raises(TokenRefused):
            await runtime.start()
    finally:
        await runtime.stop()
