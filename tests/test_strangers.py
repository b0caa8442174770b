"""Strangers cost nothing: junk sent to the bot's HTTP door is refused with 400 or 401 and one
short log line (no traceback, never the body or the signature), reaches no handler, and writes
nothing; a stranger's Telegram message writes nothing unless the bot answers it."""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.http_limits import raise_open_files_limit
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from tests.conftest import BIN, REPO, cli_env
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    NETWORK_CHANNEL,
    SECRET,
    Bot,
    FakeSlack,
    SlackSender,
    bot_fixture,
    click_payload,
    command_body,
    event_envelope,
    fake_fixture,
    network_fixture,
    signed_headers,
)
from tests.support.fake_telegram import TOKEN, FakeTelegram, text_update
from tests.support.process import free_port, healthy

FORM = "application/x-www-form-urlencoded"
WEBHOOK_SECRET = "s3cret-webhook"
NETWORK_CHAT = "-1001234"
AWA = 100000001  # UNICEF focal point in the demo network
SIGNATURE = "v0=" + "ab" * 32


async def raw_post(bot: Bot, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session, \
            session.post(bot.slack.url, data=body, headers=headers) as response:
        return response.status


def one_short_line(records: list[logging.LogRecord], *secrets: str) -> logging.LogRecord:
    """Exactly one log record, without traceback, short, naming none of ``secrets``."""
    [record] = records
    text = record.getMessage()
    assert record.exc_info is None and len(text) < 120, text
    for secret in secrets:
        assert secret not in text
    return record


UNSIGNED = [
    ("junk payload, no headers", b"payload=%7Bx", {"Content-Type": FORM}),
    ("timestamp not a number", b"payload=%7Bx",
     {"Content-Type": FORM, "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": SIGNATURE}),
    ("timestamp with a sign", b"command=%2Freseau",
     {"Content-Type": FORM, "X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": SIGNATURE}),
    ("timestamp far too long", b"command=%2Freseau",
     {"Content-Type": FORM, "X-Slack-Request-Timestamp": "9" * 400,
      "X-Slack-Signature": SIGNATURE}),
    ("json list, forged signature", b"[1,2]",
     {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())),
      "X-Slack-Signature": SIGNATURE}),
    ("not utf-8", b"\xff\xfe payload=\x80",
     {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time())),
      "X-Slack-Signature": SIGNATURE}),
]


@pytest.mark.parametrize(("case", "body", "headers"), UNSIGNED, ids=[c[0] for c in UNSIGNED])
async def test_unsigned_junk_gets_401_and_one_short_log_line(
        bot: Bot, caplog: pytest.LogCaptureFixture, case: str, body: bytes,
        headers: dict[str, str]) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    assert await raw_post(bot, body, headers) == 401
    await bot.settle()
    one_short_line(caplog.records, SIGNATURE, "%7Bx", "[1,2]")
    assert bot.fake.calls == [] and bot.app.store.outbox.all() == []


def click(bot: Bot, **changes: object) -> str:
    payload = click_payload(bot.fake, "U0DEMOIM", "position.agree", "1")
    payload.update(changes)
    return urlencode({"payload": json.dumps(payload)})


def event(**changes: object) -> str:
    message = {"type": "message", "channel": "D0DEMOIM", "channel_type": "im",
               "user": "U0DEMOIM", "text": "membres", "ts": "1764349100.000400", **changes}
    return json.dumps(event_envelope(message, "EvJUNK"))


def malformed(bot: Bot) -> list[tuple[str, str, str]]:
    """Signed bodies that are not what Slack sends: (case, body, content type)."""
    action = click_payload(bot.fake, "U0DEMOIM", "position.agree", "1")["actions"][0]
    return [
        ("json list", "[1,2]", "application/json"),
        ("payload list", urlencode({"payload": "[1,2]"}), FORM),
        ("payload not json", "payload=%7Bx", FORM),
        ("actions null", click(bot, actions=None), FORM),
        ("actions empty", click(bot, actions=[]), FORM),
        ("action value not a string", click(bot, actions=[{**action, "value": 5}]), FORM),
        ("user as a string", click(bot, user="U0DEMOIM"), FORM),
        ("team as a number", click(bot, team=5), FORM),
        ("channel as a list", click(bot, channel=["C1"]), FORM),
        ("blocks not objects", click(bot, message={"ts": "1.2", "blocks": [1]}), FORM),
        ("text null", event(text=None), "application/json"),
        ("channel missing", event(channel=None), "application/json"),
        ("event null", json.dumps({**event_envelope({}, "Ev1"), "event": None}),
         "application/json"),
        ("authorizations not a list", json.dumps({**event_envelope({"type": "message",
                                                                     "channel": "D1"}, "Ev2"),
                                                   "authorizations": "x"}),
         "application/json"),
        ("command without user", command_body(bot.fake, "", "membres"), FORM),
        ("command as json", json.dumps({"command": "/reseau", "user_id": "U0DEMOIM",
                                        "text": None}), "application/json"),
    ]


async def test_signed_but_malformed_payloads_get_400_and_reach_no_handler(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for case, body, content_type in malformed(bot):
        caplog.clear()
        status, _ = await bot.slack.post(body, content_type)
        assert status == 400, case
        one_short_line(caplog.records, "U0DEMOIM", "membres")
    await bot.settle()
    assert bot.fake.calls == []  # no users.info, no answer: no listener ran
    assert bot.app.store.positions.history(1) == [] and bot.app.store.outbox.all() == []


async def test_well_formed_requests_still_pass_the_door(bot: Bot) -> None:
    status, _ = await bot.slack.post(event(), "application/json")
    assert status == 200
    status, _ = await bot.slack.command("U0DEMOIM", "aide")
    assert status == 200
    await bot.settle()
    assert bot.fake.posted("D0DEMOIM") and bot.fake.called("response_url")


def test_signature_check_accepts_slacks_own_and_refuses_the_rest() -> None:
    from bot.platforms.slack.door import check_signature
    from tests.support.fake_slack import SECRET

    body = "command=%2Freseau&text=aide"
    headers = signed_headers(body)
    ts, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert check_signature(body.encode(), ts, signature, SECRET) is None
    assert check_signature(body.encode() + b" ", ts, signature, SECRET).status == 401
    assert check_signature(body.encode(), ts, signature, "other").status == 401
    assert check_signature(body.encode(), ts, signature, SECRET,
                           now=int(ts) + 301).status == 401
    assert check_signature(body.encode(), "１２３", signature, SECRET).status == 401  # noqa: RUF001


# Telegram: the webhook before the start is done, and strangers' messages.

@pytest.fixture(name="telegram")
async def telegram_fixture() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def telegram_runtime(app: BotApp, fake: FakeTelegram) -> Runtime:
    env = Environment(telegram_bot_token=TOKEN, telegram_api_url=fake.url,
                      telegram_webhook_secret=WEBHOOK_SECRET, host="127.0.0.1", port=0)
    network = replace(app.network, channels={"telegram": NETWORK_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network
    platform = TelegramPlatform(app, env)
    platform.rate_limits = replace(platform.rate_limits, per_chat_interval=0)
    return Runtime(app, env, platforms=[platform])


async def webhook(runtime: Runtime, update: dict) -> int:
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{runtime.port}/telegram/webhook", json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}) as response:
        return response.status


async def health(runtime: Runtime) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{runtime.port}/healthz") as response:
        return response.status, (await response.json())["status"]


async def test_an_update_arriving_while_telegram_starts_gets_503_then_is_handled(
        app: BotApp, telegram: FakeTelegram) -> None:
    telegram.hold("getMe")  # Telegram is slow to answer the start-up's getMe
    runtime = telegram_runtime(app, telegram)
    starting = asyncio.create_task(runtime.start())
    try:
        await telegram.wait_for(lambda: telegram.called("getMe"))
        assert runtime.port
        update = text_update(7, AWA, "/membres")
        assert await webhook(runtime, update) == 503  # Telegram sends it again later
        assert await health(runtime) == (503, "starting")
        telegram.release("getMe")
        await starting
        assert await health(runtime) == (200, "ok")
        assert await webhook(runtime, update) == 200
        await telegram.wait_for(lambda: telegram.called("sendMessage"))
        await runtime.app.dispatcher.flush()
        assert len(telegram.called("sendMessage")) == 1
        assert await webhook(runtime, {"update_id": "x", "message": None}) == 400
    finally:
        if not starting.done():
            telegram.release("getMe")
            await starting
        await runtime.stop()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in root.rglob("*") if p.is_file() and p.name != "reseau-bot.log"}


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


STRANGER = 987654321
OTHER_GROUP = -4242


async def test_a_strangers_telegram_message_writes_nothing_unless_answered(
        app: BotApp, telegram: FakeTelegram) -> None:
    runtime = telegram_runtime(app, telegram)
    await runtime.start()
    root = app.store.data_dir
    try:
        quiet = [
            text_update(20, STRANGER, "bonjour à tous", chat_id=int(NETWORK_CHAT),
                        chat_type="supergroup"),
            text_update(21, AWA, "merci pour la réunion", chat_id=int(NETWORK_CHAT),
                        chat_type="supergroup"),  # a member's conversation: nothing either
            text_update(22, STRANGER, "salut", chat_id=OTHER_GROUP, chat_type="group"),
            text_update(23, STRANGER, "/membres@another_bot", chat_id=OTHER_GROUP,
                        chat_type="group"),
        ]
        for update in quiet:
            before = snapshot(root)
            assert await webhook(runtime, update) == 200
            await app.dispatcher.flush()
            assert changed(before, snapshot(root)) == set(), update["message"]["text"]
        assert telegram.called("sendMessage") == []

        members, requests = app.store.members.all(), app.store.join_requests.pending()
        for update in (text_update(24, STRANGER, "/aide"), text_update(25, STRANGER, "bonjour")):
            before = snapshot(root)
            assert await webhook(runtime, update) == 200
            await app.dispatcher.flush()
            # the processed-update record and the answer are the only writes (the month's
            # event ids and outbox, or the journal that carries them)
            assert {name.split("/", 1)[0] for name in changed(before, snapshot(root))} <= {
                "events", "outbox", "journal"}
            assert not app.first_time(f"telegram:update:{update['update_id']}")
        assert len(telegram.called("sendMessage")) == 2  # both answered
        assert app.store.members.all() == members and app.store.join_requests.pending() == requests
        assert [(r.recipient["kind"], r.status) for r in app.store.outbox.all()] == [
            ("reply", "sent"), ("reply", "sent")]
    finally:
        await runtime.stop()


async def test_conversation_in_the_slack_network_channel_writes_nothing(bot: Bot) -> None:
    root = bot.app.store.data_dir
    before = snapshot(root)
    chatter = {"type": "message", "channel": NETWORK_CHANNEL, "channel_type": "channel",
               "user": "U0GUEST", "text": "Bonjour à tous, voir https://example.org",
               "ts": "1764349100.000500"}
    status, _ = await bot.slack.event(chatter, "EvCHAT")
    assert status == 200
    await bot.settle()
    assert changed(before, snapshot(root)) == set()
    assert bot.fake.calls == []


# A thousand idle connections: a real bot process with the usual limit of 1,024 open files.

def usual_file_limit() -> None:
    """In the bot's process: 1,024 open files, soft and hard (so it cannot raise it)."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


async def test_a_thousand_idle_connections_do_not_make_the_bot_unreachable(
        tmp_path: Path) -> None:
    if raise_open_files_limit(4096) < 2048:
        pytest.skip("this test process cannot open a thousand sockets")
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    process = subprocess.Popen(
        [BIN / "reseau-bot", "run"], cwd=REPO, preexec_fn=usual_file_limit,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=cli_env(tmp_path / "data", SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET,
                    SLACK_API_URL=fake.url, RESEAU_HOST="127.0.0.1", RESEAU_PORT=str(port)))
    idle: list[asyncio.StreamWriter] = []
    try:
        await healthy(port, process)
        for _ in range(1100):  # connect and say nothing: more than the 1,024 files
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            idle.append(writer)
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session, \
                session.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
        assert time.monotonic() - started < 4  # unreachable before: the request never got in
        sender = SlackSender(fake, port)
        status, _ = await sender.command("U0DEMOIM", "aide")
        assert status == 200  # and Slack gets through too
        assert process.poll() is None
    finally:
        for writer in idle:
            writer.close()
        process.terminate()
        process.wait(timeout=30)
        await fake.stop()


async def test_requests_that_break_http_get_400_and_one_line_without_the_junk(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for junk in (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"b" * 9000
                 + b"\r\n\r\n"):
        caplog.clear()
        reader, writer = await asyncio.open_connection("127.0.0.1", bot.runtime.port)
        writer.write(junk)
        await writer.drain()
        answer = await reader.read(100)
        writer.close()
        assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
        record = one_short_line(caplog.records, "aaaa", "bbbb")
        assert record.levelno == logging.INFO
