"""Requests lost under Slack auth failure: clicks, slash commands and direct messages sent while
``auth.test`` answers 500 and then 429 after a (re)start, to reseau-bot and to a bare slack-bolt
app (bolt's own lazy ``auth.test``) on the same fake Slack. A request is lost when it was
acknowledged (2xx) and never handled; one refused (non-2xx) is sent again once ``auth.test``
answers, as Slack (events) or the person (clicks, commands) would, and must then be handled
once."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import BotApp
from bot.config.environment import Environment
from bot.config.network import load_network
from handlers.types import Inbound
from storage.models import FOCAL_POINT, Member
from storage.store import Store
from tests.support.fake_slack import (
    SECRET,
    FakeSlack,
    SlackSender,
    click_payload,
    command_body,
    event_envelope,
    running,
)
from tests.support.previews import handle_and_send

PEOPLE = 10  # each sends one click, one command and one direct message during the outage
AGENCIES = ["FAO", "WFP", "WHO", "UNFPA", "UNESCO", "OCHA", "UNAIDS", "UNIDO", "UNEP", "UNHABITAT"]

Request = tuple[str, str, str, str]  # (kind, person, body, content type)


def requests(fake: FakeSlack) -> list[Request]:
    found: list[Request] = []
    for n in range(PEOPLE):
        user = f"UAUTH{n:02d}"
        click = click_payload(fake, user, "position.agree", "1", ref=f"click{n}")
        found.append(("click", user, urlencode({"payload": json.dumps(click)}),
                      "application/x-www-form-urlencoded"))
        found.append(("command", user, command_body(fake, user, "aide", ref=f"cmd{n}"),
                      "application/x-www-form-urlencoded"))
        dm = {"type": "message", "channel": "D" + user[1:], "channel_type": "im",
              "user": user, "text": "aide", "ts": f"1764349100.{n:06d}"}
        found.append(("dm", user, json.dumps(event_envelope(dm, f"EvAUTH{n:02d}")),
                      "application/json"))
    return found


async def outage(fake: FakeSlack, sender: SlackSender,
                 handled: Callable[[], Counter[tuple[str, str]]],
                 settle: Callable[[], Awaitable[None]]) -> dict[str, int]:
    """Send everything while auth.test fails, then again what was refused once it answers."""
    fake.fail("auth.test", 429, retry_after=1, times=10**6)
    sent = requests(fake)
    refused = []
    for request in sent:
        status, _ = await sender.post(request[2], request[3])
        if not 200 <= status < 300:
            refused.append(request)
    fake.recover("auth.test")
    for request in refused:
        await sender.post(request[2], request[3])
    await settle()
    counts = handled()
    keys = [(kind, person) for kind, person, _, _ in sent]
    return {"sent": len(sent), "refused": len(refused),
            "lost": sum(1 for key in keys if counts[key] == 0),
            "twice": sum(1 for key in keys if counts[key] > 1)}


async def reseau_bot(folder: Path) -> dict[str, int]:
    store = Store.open(folder / "bot")
    app = BotApp(store, load_network())
    for n, agency in enumerate(AGENCIES):
        store.members.save(Member(id=f"auth{n}", name=f"FP {agency}", agency=agency,
                                  roles=[FOCAL_POINT], identities=[f"slack:UAUTH{n:02d}"]))
    handle_and_send(app, Inbound(platform="slack", user_id="U0DEMOMK",
                                 text="consultation ouvrir Banc d'essai | dans 7 jours"))
    fake = FakeSlack()
    await fake.start()
    fake.fail("auth.test", 500)
    bot = await running(app, Environment(slack_bot_token="xoxb-test",
                                         slack_signing_secret=SECRET, slack_api_url=fake.url,
                                         host="127.0.0.1", port=0), fake)
    await bot.settle()
    fake.reset()

    def handled() -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for position in store.positions.history(1):
            counts[("click", f"UAUTH{int(position.member_id[4:]):02d}")] += 1
        for call in fake.called("response_url"):
            if call.args["ref"].startswith("cmd"):
                counts[("command", f"UAUTH{int(call.args['ref'][3:]):02d}")] += 1
        for post in fake.posted():
            counts[("dm", "U" + str(post["channel"])[1:])] += 1
        return counts

    try:
        return await outage(fake, SlackSender(fake, bot.runtime.port), handled, bot.settle)
    finally:
        await bot.runtime.stop()
        await fake.stop()
        store.close()


async def bare_bolt() -> dict[str, int]:
    """slack-bolt as documented for one workspace: a token, auth.test on the first request."""
    fake = FakeSlack()
    await fake.start()
    counts: Counter[tuple[str, str]] = Counter()
    bolt = AsyncApp(client=AsyncWebClient(token="xoxb-test", base_url=fake.url),
                    signing_secret=SECRET, process_before_response=True)

    @bolt.action(re.compile(".+"))
    async def on_click(ack: Any, body: dict[str, Any]) -> None:
        counts[("click", body["user"]["id"])] += 1
        await ack()

    @bolt.command("/reseau")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        counts[("command", command["user_id"])] += 1
        await ack()

    @bolt.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        counts[("dm", event["user"])] += 1

    async def route(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(
            await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", route)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        return await outage(fake, SlackSender(fake, port), lambda: counts,
                            lambda: asyncio.sleep(0))
    finally:
        await runner.cleanup()
        await fake.stop()


async def run() -> None:
    folder = Path(tempfile.mkdtemp())
    ours, bare = await reseau_bot(folder), await bare_bolt()
    print(f"Requests sent while auth.test answers 500/429 ({PEOPLE} clicks, {PEOPLE} slash "
          f"commands, {PEOPLE} direct messages), refused ones sent again after it recovers:")
    print(f"{'server':<34} {'lost':>6} {'refused':>8} {'twice':>6}")
    for name, figures in (("bare slack-bolt (lazy auth.test)", bare),
                          ("reseau-bot (identity kept)", ours)):
        print(f"{name:<34} {figures['lost']:>3}/{figures['sent']:<2} {figures['refused']:>8} "
              f"{figures['twice']:>6}")


def main() -> None:
    import logging
    import warnings

    logging.disable(logging.CRITICAL)  # the outage's expected errors, bolt's included
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            asyncio.run(run())
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    main()
