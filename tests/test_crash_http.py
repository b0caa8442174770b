"""SIGKILL the real bot process during a burst of positions clicked over HTTP (signed Slack
block_actions); every position whose request got a 200 is in storage and in the tally after a
restart."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from pathlib import Path

import aiohttp

from bot.app import BotApp
from bot.config.network import load_network
from handlers.types import Inbound
from storage.models import FOCAL_POINT, Member
from storage.store import Store
from tests.support.fake_slack import SECRET, FakeSlack, SlackSender
from tests.support.previews import handle_and_send
from tests.support.process import free_port, healthy, start_slack_bot

AGENCIES = ["ILO", "IOM", "UNDP", "UNHCR", "OHCHR", "UNICEF", "UNDESA", "UNODC", "FAO", "WFP",
            "WHO", "UNFPA", "UNESCO", "OCHA", "UNAIDS", "UNIDO"]


def prepare(data: Path) -> None:
    """Focal points with Slack identities and an open consultation, as the network has them."""
    store = Store.open(data)
    app = BotApp(store, load_network())
    for n, agency in enumerate(AGENCIES):
        store.members.save(Member(id=f"fp{n}", name=f"Point focal {agency}", agency=agency,
                                  roles=[FOCAL_POINT], identities=[f"slack:UFP{n:03d}"]))
    handle_and_send(app, Inbound(platform="slack", user_id="U0DEMOMK",
                                 text="consultation ouvrir Texte | dans 7 jours"))
    store.close()


def start_bot(data: Path, fake: FakeSlack, port: int) -> subprocess.Popen:
    return start_slack_bot(data, fake.url, SECRET, port)


async def test_positions_acknowledged_before_a_sigkill_are_all_counted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    prepare(data)
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    bot = start_bot(data, fake, port)
    acknowledged: list[tuple[str, str]] = []
    sent: list[tuple[str, str]] = []
    try:
        await healthy(port, bot)
        sender = SlackSender(fake, port)
        killed = asyncio.Event()

        async def focal_point(n: int) -> None:
            user = f"UFP{n:03d}"
            for round_ in range(40):
                choice = ("agree", "abstain")[round_ % 2]
                sent.append((f"fp{n}", choice))
                try:
                    status, _ = await sender.click(user, f"position.{choice}", "1")
                except aiohttp.ClientError:
                    return  # the bot is gone: this one was never acknowledged
                if status == 200:
                    acknowledged.append((f"fp{n}", choice))
                if len(acknowledged) >= 120 and not killed.is_set():
                    killed.set()
                    bot.send_signal(signal.SIGKILL)

        await asyncio.gather(*(focal_point(n) for n in range(len(AGENCIES))))
        assert killed.is_set() and len(acknowledged) >= 120
        bot.wait(timeout=30)
        assert bot.returncode == -signal.SIGKILL
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()

    store = Store.open(data)  # the files are whole: the store opens
    try:
        history = store.positions.history(1)
        stored = [(p.member_id, p.choice) for p in history]
        for member_id in {m for m, _ in acknowledged}:
            mine = [c for m, c in acknowledged if m == member_id]
            kept = [c for m, c in stored if m == member_id]
            assert kept[:len(mine)] == mine, member_id  # every acknowledged one, in order
        current = store.positions.current(1)
        for n, agency in enumerate(AGENCIES):
            mine = [c for m, c in acknowledged if m == f"fp{n}"]
            if mine:
                in_flight = [c for m, c in sent if m == f"fp{n}"][len(mine):len(mine) + 1]
                assert current[agency].choice in {mine[-1], *in_flight}
    finally:
        store.close()

    again = start_bot(data, fake, port)  # and the bot starts again on that data
    try:
        await healthy(port, again)
        async with aiohttp.ClientSession() as session, \
                session.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert json.loads(await response.text())["platforms"] == ["slack"]
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
        await fake.stop()
    assert list((data / "positions").glob("*.json"))  # one file per consultation
