"""300 direct messages to a fake Telegram Bot API that enforces 30 messages per second (429 with
``retry_after`` beyond it): the total time next to the 10-second floor the limit imposes, and
whether anything was lost or sent twice."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import deque
from pathlib import Path

from aiohttp import web

from bot.app import BotApp
from bot.config.environment import Environment
from bot.config.network import load_network
from bot.platforms.telegram.adapter import TelegramPlatform
from handlers.types import Message
from storage.models import FOCAL_POINT, Member
from storage.store import Store
from tests.support.fake_telegram import TOKEN, FakeTelegram

MESSAGES = 300
PER_SECOND = 30


class LimitedTelegram(FakeTelegram):
    """The fake Bot API, refusing a sendMessage beyond 30 in the last second."""

    def __init__(self) -> None:
        super().__init__()
        self.window: deque[float] = deque()
        self.refused = 0

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "sendMessage":
            now = time.monotonic()
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) >= PER_SECOND:
                self.refused += 1
                return web.json_response({"ok": False, "error_code": 429,
                                          "description": "Too Many Requests",
                                          "parameters": {"retry_after": 1}}, status=429)
            self.window.append(now)
        return await super()._api(request)


async def run() -> None:
    fake = LimitedTelegram()
    await fake.start()
    store = Store.open(Path(tempfile.mkdtemp()) / "data")
    app = BotApp(store, load_network())
    env = Environment(telegram_bot_token=TOKEN, telegram_api_url=fake.url,
                      telegram_webhook_secret="x")
    platform = TelegramPlatform(app, env)
    await platform.application.initialize()
    app.add_adapter(platform)
    people = [Member(id=f"p{n}", name=f"P {n}", agency="IOM", roles=[FOCAL_POINT],
                     identities=[f"telegram:{700000 + n}"]) for n in range(MESSAGES)]
    for person in people:
        store.members.save(person)
    for person in people:
        app.ctx.send_to_member(person, "bench", lambda lang: Message(title="Rappel"))
    started = time.perf_counter()
    while store.outbox.with_status("pending"):
        await app.dispatcher.flush()
        if store.outbox.with_status("pending"):
            await asyncio.sleep(0.05)  # rows waiting on a retry_after: the dispatcher's loop
    elapsed = time.perf_counter() - started
    chats = [c.args["chat_id"] for c in fake.called("sendMessage")]
    await platform.application.shutdown()
    store.close()
    await fake.stop()
    floor = MESSAGES / PER_SECOND
    print(f"{MESSAGES} direct messages to a Bot API enforcing {PER_SECOND}/s:")
    print(f"{'':<22} {'seconds':>8}")
    print(f"{'floor (the limit)':<22} {floor:>8.2f}")
    print(f"{'reseau-bot':<22} {elapsed:>8.2f}   ratio {elapsed / floor:.3f} (target <= 1.15)")
    print(f"delivered {len(set(chats))}/{MESSAGES}, duplicates {len(chats) - len(set(chats))}, "
          f"429 answers {fake.refused}")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
