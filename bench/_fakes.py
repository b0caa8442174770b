"""The fake Slack and Telegram servers in a process of their own, for ``bench/load.py``: what
the bot sends them (chat.update, direct messages, answers) then costs the measuring process
nothing. Prints ``{"slack": <port>, "telegram": <port>}`` once serving; stops on SIGTERM.

The fake Slack keeps the last value of each button the bot showed in each conversation, and
hands it out once at ``GET /bench/button/<channel or response ref>/<action_id>`` (404 while
none): what a person reads on their screen before pressing « Confirmer » or « Envoyer »."""

from __future__ import annotations

import asyncio
import json
import signal
from typing import Any

from aiohttp import web

from tests.support.fake_slack import Call, FakeSlack
from tests.support.fake_telegram import FakeTelegram


class QuietSlack(FakeSlack):
    """Records nothing (a burst makes thousands of calls) but the buttons last shown."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: dict[tuple[str, str], str] = {}

    def _record(self, call: Call) -> None:
        where = str(call.args.get("channel") or call.args.get("ref") or "")
        for action_id, value in _buttons(call.args.get("blocks")):
            self.buttons[(where, action_id)] = value

    def routes(self, web_app: web.Application) -> None:
        super().routes(web_app)
        web_app.router.add_get("/bench/button/{where}/{action}", self._button)

    async def _button(self, request: web.Request) -> web.Response:
        value = self.buttons.pop((request.match_info["where"], request.match_info["action"]),
                                 None)
        return web.Response(status=404) if value is None else web.Response(text=value)


def _buttons(blocks: Any) -> list[tuple[str, str]]:
    """The (action_id, value) of every button in Block Kit ``blocks``."""
    found = []
    for block in blocks if isinstance(blocks, list) else []:
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id"):
                found.append((element["action_id"], str(element.get("value", ""))))
    return found


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
