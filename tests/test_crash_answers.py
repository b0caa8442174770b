"""A crash between two steps, with real processes: a Slack direct message whose transaction is
written (what it changed, its event id and the answer to the person, one journal line) when the
bot is killed, before its ack. After the restart, Slack's retry of the event is recognised and
not handled again, and the answer, queued in that same line, reaches the person exactly once;
so do the invitations the command queued. The message is « Envoyer » typed under a meeting's
preview: a press, then a crash before the ack, sends the meeting once."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import aiohttp

from storage.store import Store
from tests.support.fake_slack import SECRET, FakeSlack, SlackSender
from tests.support.process import (
    REPO,
    cli_env,
    free_port,
    healthy,
    outbox_empty,
    start_slack_bot,
)

MOUSSA = "U0DEMOMK"  # the demo co-chair, on Slack
EVENT_ID = "EvCrash0001"
SEND = "aperçu 1 envoyer"  # « Envoyer » under the preview, typed


def prepared_meeting(data: Path) -> None:
    """A co-chair's meeting previewed (draft n° 1), waiting for « Envoyer »."""
    from bot.app import BotApp
    from bot.config.network import load_network
    from handlers.types import Inbound

    store = Store.open(data)
    try:
        app = BotApp(store, load_network())
        app.handle(Inbound(platform="slack", user_id=MOUSSA, text="réunion dans 10 jours 10h"))
        assert store.drafts.get(1) is not None and store.meetings.all() == []
        app.stop()
    finally:
        store.close()


def direct_message(text: str) -> dict[str, object]:
    return {"type": "message", "channel": "D0DEMOMK", "channel_type": "im", "user": MOUSSA,
            "text": text, "ts": "1764349100.000100"}


def stalling_bot(data: Path, fake: FakeSlack, port: int) -> subprocess.Popen[str]:
    """``reseau-bot run`` whose requests stop just before their ack (``crash_harness stall``)."""
    env = cli_env(data, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET,
                  SLACK_API_URL=fake.url, RESEAU_HOST="127.0.0.1", RESEAU_PORT=str(port))
    return subprocess.Popen([sys.executable, "-m", "tests.support.crash_harness", str(data),
                             "-", "-", "stall"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


async def line(process: subprocess.Popen[str], wanted: str, timeout: float = 30.0) -> None:
    """Until the process prints ``wanted`` (read on a thread: a pipe is not a socket)."""
    found = asyncio.get_running_loop().create_future()

    def read() -> None:
        assert process.stdout is not None
        for text in process.stdout:
            if text.strip() == wanted:
                found.get_loop().call_soon_threadsafe(found.set_result, True)
                return

    threading.Thread(target=read, daemon=True).start()
    await asyncio.wait_for(found, timeout)


async def test_a_direct_message_written_but_not_acknowledged_is_answered_once_after_a_crash(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    fake = FakeSlack()
    await fake.start()
    fake.fail("chat.postMessage", 500, times=1000)  # nothing leaves before the kill
    prepared_meeting(data)
    port = free_port()
    first = stalling_bot(data, fake, port)
    try:
        await healthy(port, first)
        sender = SlackSender(fake, port)
        request = asyncio.create_task(
            sender.event(direct_message(SEND), EVENT_ID))
        await line(first, "written")
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
        try:
            await request
            raise AssertionError("the request was acknowledged")
        except aiohttp.ClientError:
            pass  # never acknowledged: Slack will send it again
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert fake.posted() == []  # nobody has heard anything yet

    fake.recover("chat.postMessage")
    again = start_slack_bot(data, fake.url, SECRET, port)
    try:
        await healthy(port, again)
        status, _ = await sender.event(direct_message(SEND), EVENT_ID, retry=1)
        assert status == 200  # Slack's retry: a redelivery, acknowledged, not handled again
        await outbox_empty(port)
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
        await fake.stop()

    answers = [p for p in fake.posted("D0DEMOMK") if "convoquée" in p["text"]]
    assert len(answers) == 1
    invited = Counter(p["channel"] for p in fake.posted() if p["text"].startswith("Invitation"))
    assert set(invited) == {"D0DEMOMK", "D0DEMOSJ", "D0DEMOIM"}
    assert set(invited.values()) == {1}  # every invitation once too
    store = Store.open(data)
    try:
        assert len(store.meetings.all()) == 1  # handled once
        status = {row.key: row.status for row in store.outbox.all()}
        assert status[f"answer:slack:{EVENT_ID}"] == "sent"
        assert "pending" not in status.values(), json.dumps(status)  # the rest: no Slack
    finally:
        store.close()
