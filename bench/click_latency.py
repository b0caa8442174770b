"""A position click through the real HTTP endpoint (signed Slack ``block_actions`` to
``/slack/events`` of a real ``reseau-bot`` process, on ten years of data), next to a bare
slack-bolt app on the same server stack that only acknowledges; then 1,000 concurrent position
changes over HTTP, all checked in storage afterwards."""

from __future__ import annotations

import asyncio
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.history import generate  # noqa: E402
from bot.app import BotApp  # noqa: E402
from handlers.types import Inbound  # noqa: E402
from storage.models import FOCAL_POINT, Member  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.fake_slack import SECRET, FakeSlack, SlackSender, command_body  # noqa: E402
from tests.support.process import free_port, healthy  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLICKS = 300
CONCURRENT = 1000

BARE = """
import re
import sys
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.web.async_client import AsyncWebClient
app = AsyncApp(client=AsyncWebClient(token="xoxb-test", base_url=sys.argv[2]),
               signing_secret=sys.argv[3], process_before_response=True)

@app.action(re.compile(".+"))
async def only_ack(ack):
    await ack()

async def handle(request):
    return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

web_app = web.Application()
web_app.router.add_post("/slack/events", handle)
web_app.router.add_get("/healthz", lambda r: web.json_response({"status": "ok"}))
web.run_app(web_app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def prepare(data: Path) -> None:
    network = generate(data)
    store = Store.open(data)
    app = BotApp(store, network)
    for n, agency in enumerate(a.code for a in app.network.agencies):
        store.members.save(Member(id=f"fp{n}", name=f"FP {agency}", agency=agency,
                                  roles=[FOCAL_POINT], identities=[f"slack:UFP{n:03d}"]))
    app.handle(Inbound(platform="slack", user_id="U000000",
                       text="consultation ouvrir Bench | dans 30 jours"))
    store.members.save(Member(id="chair", name="Chair", agency="RCO", roles=["co_chair"],
                              identities=["slack:UCHAIR"]))
    app.handle(Inbound(platform="slack", user_id="UCHAIR",
                       text="consultation ouvrir Bench | dans 30 jours"))
    store.close()


async def clicks(sender: SlackSender, n: int) -> list[float]:
    timings = []
    for i in range(n):
        choice = ("agree", "abstain")[i % 2]
        started = time.perf_counter()
        status, _ = await sender.click(f"UFP{i % 20:03d}", f"position.{choice}", "501")
        timings.append((time.perf_counter() - started) * 1000)
        assert status == 200
    return timings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def run() -> None:
    folder = Path(tempfile.mkdtemp())
    data = folder / "data"
    prepare(data)
    fake = FakeSlack()
    await fake.start()
    bare_port, bot_port = free_port(), free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE, str(bare_port), fake.url, SECRET])
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": fake.url, "RESEAU_HOST": "127.0.0.1", "RESEAU_PORT": str(bot_port),
           "RESEAU_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "PYTHONPATH": str(ROOT)}
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await healthy(bare_port)
        await healthy(bot_port)
        bare_sender, bot_sender = SlackSender(fake, bare_port), SlackSender(fake, bot_port)
        await clicks(bare_sender, 20)
        await clicks(bot_sender, 20)  # warm both (auth.test, users.info caches)
        baseline, ours = await clicks(bare_sender, CLICKS), await clicks(bot_sender, CLICKS)

        async def change(i: int) -> float:
            body = command_body(fake, f"UFP{i % 23:03d}", f"position 501 accord raison {i}")
            started = time.perf_counter()
            status, _ = await bot_sender.post(body)
            assert status == 200
            return (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        burst = await asyncio.gather(*(change(i) for i in range(CONCURRENT)))
        burst_seconds = time.perf_counter() - started
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=60)
        bare.terminate()
        bare.wait(timeout=30)
        await fake.stop()
    store = Store.open(data)
    recorded = {p.reason for p in store.positions.history(501) if p.reason.startswith("raison")}
    store.close()
    print(f"Position click over HTTP on ten years of data, {CLICKS} sequential clicks:")
    print(f"{'server':<40} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'bare slack-bolt app (ack only)':<40} {statistics.median(baseline):>8.2f} "
          f"{pct(baseline, .99):>8.2f}")
    print(f"{'reseau-bot (stores the position)':<40} {statistics.median(ours):>8.2f} "
          f"{pct(ours, .99):>8.2f}")
    print(f"ratio p99: {pct(ours, .99) / pct(baseline, .99):.2f}x "
          "(targets: p99 <= 50 ms and <= 2x the bare ack)")
    print(f"{CONCURRENT} concurrent position changes (/reseau position … over HTTP): "
          f"{len(recorded)}/{CONCURRENT} recorded, p50 {statistics.median(burst):.1f} ms, "
          f"p99 {pct(burst, .99):.1f} ms, {burst_seconds:.1f} s in all")
    print(json.dumps({"click_p99_ms": round(pct(ours, .99), 2),
                      "bare_p99_ms": round(pct(baseline, .99), 2)}))


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
