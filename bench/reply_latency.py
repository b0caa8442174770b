"""How long a person waits for the bot's answer: from the request sent (a signed Slack direct
message, slash command or click; a Telegram webhook update) to the answer recorded by the fake
platform (``chat.postMessage`` in the DM, the ``response_url`` POST, ``chat.update`` of the
clicked message; ``sendMessage``), with the real slack-bolt and python-telegram-bot clients on
loopback. Also the acknowledgement (the HTTP answer to the request)."""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from aiohttp import ClientSession

from bot.app import BotApp
from bot.config.environment import Environment
from bot.config.network import load_network
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from handlers.types import Inbound
from storage.store import Store
from tests.support.fake_slack import SECRET, FakeSlack, SlackSender
from tests.support.fake_telegram import TOKEN, FakeTelegram, text_update
from tests.support.previews import handle_and_send

ROUNDS = 200
IBRAHIM, MOUSSA, AWA = "U0DEMOIM", "U0DEMOMK", 100000001
WEBHOOK_SECRET = "bench-secret"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def timed(send: Callable[[], object], arrived: Callable[[], bool],
                wait: Callable[..., object]) -> tuple[float, float]:
    """(ack ms, answer ms) of one request."""
    started = time.perf_counter()
    await send()  # type: ignore[misc]
    acked = time.perf_counter()
    await wait(arrived)  # type: ignore[operator]
    done = time.perf_counter()
    return (acked - started) * 1000, (done - started) * 1000


async def run() -> dict[str, tuple[list[float], list[float]]]:
    slack, telegram = FakeSlack(), FakeTelegram()
    await slack.start()
    await telegram.start()
    store = Store.open(Path(tempfile.mkdtemp()) / "data")
    app = BotApp(store, load_network())
    handle_and_send(app, Inbound(platform="slack", user_id=MOUSSA,
                                 text="réunion dans 20 jours 10h"))
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=slack.url, telegram_bot_token=TOKEN,
                      telegram_api_url=telegram.url, telegram_webhook_secret=WEBHOOK_SECRET,
                      host="127.0.0.1", port=0)
    slack_platform, telegram_platform = SlackPlatform(app, env), TelegramPlatform(app, env)
    slack_platform.rate_limits = replace(slack_platform.rate_limits, per_chat_interval=0.0)
    telegram_platform.rate_limits = replace(telegram_platform.rate_limits,
                                            per_chat_interval=0.0)
    runtime = Runtime(app, env, platforms=[slack_platform, telegram_platform])
    await runtime.start()
    sender = SlackSender(slack, runtime.port or 0)
    await app.dispatcher.flush()
    invite = [c for c in slack.called("chat.postMessage") if c.args["channel"] == "D0DEMOIM"][-1]
    results: dict[str, tuple[list[float], list[float]]] = {}

    def count(method: str, **where: object) -> Callable[[], int]:
        return lambda: sum(1 for c in slack.called(method)
                           if all(c.args.get(k) == v for k, v in where.items()))

    async def measure(name: str, send: Callable[[int], object],
                      counter: Callable[[], int], wait: Callable[..., object],
                      pause: float = 0.0) -> None:
        acks, answers = [], []
        for n in range(ROUNDS + 10):
            await asyncio.sleep(pause)
            before = counter()
            ack, answer = await timed(lambda n=n: send(n),
                                      lambda b=before: counter() > b, wait)
            if n >= 10:  # the first ones warm the caches (users.info, connections)
                acks.append(ack)
                answers.append(answer)
        results[name] = (acks, answers)

    async def dm(n: int) -> None:
        event = {"type": "message", "channel": "D0DEMOIM", "channel_type": "im",
                 "user": IBRAHIM, "text": "aide", "ts": f"1764349100.{n:06d}"}
        await sender.event(event, f"EvBench{n}")

    async def command(n: int) -> None:
        await sender.command(IBRAHIM, "aide", channel="C0OTHER", ref=f"bench{n}")

    async def click(n: int) -> None:
        choice = ("present", "online")[n % 2]
        await sender.click(IBRAHIM, f"rsvp.{choice}", "1", invite.as_clicked())

    async def telegram_text(n: int) -> None:
        async with ClientSession() as session, session.post(
                f"http://127.0.0.1:{runtime.port}/telegram/webhook",
                json=text_update(5000 + n, AWA, "aide"),
                headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}) as response:
            assert response.status == 200

    try:
        await measure("Slack direct message → chat.postMessage", dm,
                      count("chat.postMessage", channel="D0DEMOIM"), slack.wait_for)
        await measure("Slack /reseau command → response_url", command,
                      count("response_url"), slack.wait_for)
        await measure("Slack click → chat.update", click, count("chat.update"), slack.wait_for)
        # A person's requests come seconds apart, not 250 a second: spaced beyond Telegram's
        # 30 messages a second, which the dispatcher's rate limiter keeps to.
        await measure("Telegram private text → sendMessage", telegram_text,
                      lambda: sum(1 for c in telegram.called("sendMessage")
                                  if str(c.args.get("chat_id")) == str(AWA)),
                      telegram.wait_for, pause=0.05)
    finally:
        await runtime.stop()
        store.close()
        await slack.stop()
        await telegram.stop()
    return results


def main() -> None:
    results = asyncio.run(run())
    print(f"Answer latency on loopback, {ROUNDS} sequential requests each (ms):")
    print(f"{'request → answer':<44} {'ack p50':>8} {'ack p99':>8} {'ans p50':>8} "
          f"{'ans p99':>8}")
    summary = {}
    for name, (acks, answers) in results.items():
        print(f"{name:<44} {statistics.median(acks):>8.2f} {pct(acks, .99):>8.2f} "
              f"{statistics.median(answers):>8.2f} {pct(answers, .99):>8.2f}")
        summary[name] = round(statistics.median(answers), 2)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
