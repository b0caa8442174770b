"""The fake Slack and Telegram servers in a process of their own, for ``bench/load.py``: what
the bot sends them (chat.update, direct messages, answers) then costs the measuring process
nothing. Prints ``{"slack": <port>, "telegram": <port>}`` once serving; stops on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal

from tests.support.fake_slack import FakeSlack
from tests.support.fake_telegram import FakeTelegram


class QuietSlack(FakeSlack):
    """Records nothing (a burst makes thousands of calls): only counts them."""

    def _record(self, call) -> None:  # type: ignore[no-untyped-def]
        self.count = getattr(self, "count", 0) + 1


class QuietTelegram(FakeTelegram):
    def __init__(self) -> None:
        super().__init__()
        self.calls = _Counting()


class _Counting(list):
    def append(self, item: object) -> None:  # keep nothing
        pass


async def serve() -> None:
    slack, telegram = QuietSlack(), QuietTelegram()
    await slack.start()
    await telegram.start()
    print(json.dumps({"slack": slack.port, "telegram": telegram.port}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await slack.stop()
    await telegram.stop()


if __name__ == "__main__":
    asyncio.run(serve())
