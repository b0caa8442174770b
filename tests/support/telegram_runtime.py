"""The bot serving Telegram through the real python-telegram-bot application against the fake
Bot API (``fake_telegram``): the demo network's Telegram people, the runtime, a webhook post."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import ClientSession

from bot.app import BotApp
from bot.config.environment import Environment
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from storage.models import CO_CHAIR, Member
from tests.support.fake_telegram import TOKEN, FakeTelegram

SECRET = "s3cret-webhook"
AWA = 100000001  # UNICEF focal point in the demo network
FATOUMATA = 100000002  # WFP
CHAIR = 424242
NETWORK_CHAT = "-1001234"
GROUP = -555


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def with_channel(app: BotApp) -> None:
    network = replace(app.network, channels={"telegram": NETWORK_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network


def environment(fake: FakeTelegram, webhook: bool = True, public_url: str = "") -> Environment:
    return Environment(telegram_bot_token=TOKEN, telegram_api_url=fake.url,
                       telegram_webhook_secret=SECRET if webhook else "", host="127.0.0.1",
                       port=0, public_url=public_url)


async def running(app: BotApp, fake: FakeTelegram, webhook: bool = True,
                  public_url: str = "") -> Runtime:
    with_channel(app)
    app.store.members.save(Member(id="chair", name="Coordinatrice", agency="RCO",
                                  roles=[CO_CHAIR], identities=[f"telegram:{CHAIR}"],
                                  language="fr"))
    env = environment(fake, webhook, public_url)
    platform = TelegramPlatform(app, env)
    # the limiter's real waits are tested on their own
    platform.rate_limits = replace(platform.rate_limits, per_chat_interval=0)
    runtime = Runtime(app, env, platforms=[platform])
    await runtime.start()
    return runtime


async def post(runtime: Runtime, update: dict, secret: str | None = SECRET,
               flush: bool = True) -> int:
    """The update as Telegram's webhook sends it; then (``flush``) a dispatcher pass, which
    delivers the answer queued with it, as the running dispatcher does right after the 200."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with ClientSession() as session, session.post(
            f"http://127.0.0.1:{runtime.port}/telegram/webhook", json=update,
            headers=headers) as response:
        status = response.status
    if flush:
        await runtime.app.dispatcher.flush()
    return status


def sent_text(fake: FakeTelegram, chat: int | str) -> list[str]:
    return [c.args["text"] for c in fake.called("sendMessage")
            if str(c.args["chat_id"]) == str(chat)]


def buttons_of(call_args: dict) -> list[str]:
    rows = call_args["reply_markup"]["inline_keyboard"]
    return [b["callback_data"] for row in rows for b in row]
