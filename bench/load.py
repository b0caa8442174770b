"""The bot under load, side by side with a bare slack-bolt app, in one run on one machine.

A real ``reseau-bot`` process (its Slack and Telegram adapters, HTTP on loopback) runs on ten
years of history with 200 focal points (``bench/history.py``), against the fake Slack and
Telegram servers in a process of their own (``bench/_fakes.py``). Every request is what the
platforms send: signed Slack ``block_actions`` and slash commands, Telegram webhook updates.
The baseline is a bare slack-bolt app (``process_before_response=True``, a listener that only
acknowledges, listening with the bot's backlog) given the same requests, and ``fdatasync``
timed on the same disk.

The whole run is made ``BENCH_RUNS`` times (default 3, each on fresh data and processes): the
table gives the median of each figure, the targets are judged on the medians of the per-run
ratios (and on the worst run for requests late or lost), and each run's ratio is shown.
``BENCH_PROFILE_DIR=<folder>`` profiles the bot processes (cProfile) into that folder.

Figures: position clicks one after the other, each by a focal point whose colleague answered
last with another choice: the bot asks first (« Confirmer » / « Garder »), the person confirms
with the button the bot showed them, and the change is recorded, every card of the agency
edited and the colleague told — the confirmation is the realistic click, the question is shown
apart; bursts of 200 and 1,000 concurrent clicks drawn from the 200 members (1,000: five
consultations, each member once on each), every one checked in storage afterwards (recorded, or
a colleague's position to confirm first); ``consultation ouvrir`` as the month's outbox fills
(its « Envoyer » under the preview: 1st, 10th, 30th opening, each the median of three
neighbours); a stranger's Telegram message with 200,000 event ids stored and with none; CPU per
request; resident memory after the burst.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import aiohttp

from bench.history import Scale, generate, slack_user
from bot.config.network import load_network
from bot.http_limits import BACKLOG
from storage.store import Store
from tests.support.fake_slack import SECRET, click_payload, command_body, signed_headers
from tests.support.fake_telegram import TOKEN, text_update
from tests.support.process import free_port, healthy

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = Scale().members
SEQUENTIAL = 300
BURSTS = (200, 1000)
OPENINGS = 30
STRANGERS = 200
FSYNCS = 300
CLICK_LINE = 800  # bytes a click appends to the journal (its position, a colleague's message)
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"
SLACK_CHANNEL, TELEGRAM_CHAT = "C0NETWORK", "-1001000"
# The buttons that record at once (« Réserves » and « Objection » ask the reason first).
CHOICES = ("agree", "abstain")

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

@app.command("/reseau")
async def command_ack(ack):
    await ack()

async def handle(request):
    return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

web_app = web.Application()
web_app.router.add_post("/slack/events", handle)
web_app.router.add_get("/healthz", lambda r: web.json_response({"status": "ok"}))
web.run_app(web_app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None,
            backlog=int(sys.argv[4]))
"""


# Measuring.

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stage(name: str, server: Server) -> None:
    """With ``BENCH_VERBOSE``: the bot's resident memory after each stage, to see which one
    grows it."""
    if os.environ.get("BENCH_VERBOSE"):
        print(f"resident memory after {name}: {rss_mb(server.process.pid):.0f} MB", flush=True)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def fsync_times(folder: Path) -> list[float]:
    """``fdatasync`` after appending a click's journal line, as the journal does, on the data
    dir's disk (ms)."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sync = getattr(os, "fdatasync", os.fsync)
    timings = []
    try:
        for n in range(FSYNCS):
            os.write(fd, b'{"crc":"00000000","tx":{"seq":%d,"changes":[%s]}}\n'
                     % (n, b'"change",' * (CLICK_LINE // 9)))
            started = time.perf_counter()
            sync(fd)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return timings


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                             timeout=aiohttp.ClientTimeout(total=120))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        assert self.session is not None
        started = time.perf_counter()
        async with self.session.post(f"http://127.0.0.1:{self.port}{path}", data=body,
                                     headers=headers) as response:
            await response.read()
            return response.status, (time.perf_counter() - started) * 1000

    async def slack(self, body: str) -> tuple[int, float]:
        return await self.post("/slack/events", body.encode(), signed_headers(body))

    async def health(self) -> dict:
        assert self.session is not None
        async with self.session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
            return await response.json()

    async def drained(self, timeout: float = 120.0) -> None:
        """Until everything queued was delivered (what the previous phase left to do)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (await self.health()).get("outbox_pending", 0) == 0:
                return
            await asyncio.sleep(0.2)  # polling another process, bounded

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)


@dataclass
class Figures:
    lines: list[tuple[str, str, str, str]] = field(default_factory=list)
    met: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, name: str, ours: str, baseline: str, ratio: str) -> None:
        self.lines.append((name, ours, baseline, ratio))

    def target(self, name: str, ok: bool) -> None:
        self.met.append((name, ok))


# The requests.

def click_body(fake: SimpleNamespace, user: str, consultation: int, choice: str) -> str:
    """A click on the member's own card, in their own direct message with the bot (as Slack
    sends it: each person's card is in their DM, so answers to them go to distinct chats)."""
    return button_body(fake, user, f"position.{choice}", str(consultation))


def button_body(fake: SimpleNamespace, user: str, action: str, value: str) -> str:
    payload = click_payload(fake, user, action, value, channel=dm_of(user))
    return urlencode({"payload": json.dumps(payload)})


def dm_of(user: str) -> str:
    return f"D{user[1:]}"


async def shown_button(session: aiohttp.ClientSession, fake: SimpleNamespace, where: str,
                       action: str, prefix: str, timeout: float = 60.0) -> str:
    """The value (starting with ``prefix``) of the button ``action`` the bot showed in
    ``where``, once it has (the answer to a click arrives after its ack); one left from an
    earlier phase is passed over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.get(f"{fake.base}/bench/button/{where}/{action}") as response:
            if response.status == 200:
                value = await response.text()
                if value.startswith(prefix):
                    return value
                continue
        await asyncio.sleep(0.005)  # polling another process, bounded
    raise TimeoutError(f"no {action} button shown in {where}")


def overriding_sequence(count: int) -> list[tuple[int, str, bool]]:
    """(member, choice, asks first) for ``count`` clicks on one fresh consultation: each
    agency's clicks come from its focal points in turn, each with another choice than the
    agency's last, so after each agency's first answer every click changes a colleague's
    position."""
    agencies = len(load_network().agencies)
    last: dict[int, str] = {}
    clicks = []
    for n in range(count):
        member = n % MEMBERS
        agency = member % agencies
        previous = last.get(agency)
        choice = CHOICES[(CHOICES.index(previous) + 1) % len(CHOICES)] if previous else CHOICES[0]
        clicks.append((member, choice, previous is not None))
        last[agency] = choice
    return clicks


async def timed_sequence(server: Server, bodies: list[str]) -> None:
    for body in bodies:
        status, _ = await server.slack(body)
        assert status == 200, status


async def timed_overrides(server: Server, fake: SimpleNamespace, consultation: int,
                          clicks: list[tuple[int, str, bool]],
                          bot: bool) -> tuple[list[float], list[float]]:
    """Each click, then — when it changes a colleague's position — the « Confirmer » the bot
    showed (the bare app shows nothing: it is given a confirmation of the same shape). Returns
    the timings of the clicks that recorded a position and of those that asked first."""
    assert server.session is not None
    recorded, asked = [], []
    for member, choice, asks in clicks:
        user = slack_user(member)
        status, ms = await server.slack(click_body(fake, user, consultation, choice))
        assert status == 200, status
        if not asks:
            recorded.append(ms)
            continue
        asked.append(ms)
        value = (await shown_button(server.session, fake, dm_of(user), "override.confirm",
                                    f"{consultation}.") if bot else f"{consultation}.0")
        status, ms = await server.slack(button_body(fake, user, "override.confirm", value))
        assert status == 200, status
        recorded.append(ms)
    return recorded, asked


async def timed_burst(server: Server, bodies: list[str]) -> tuple[list[float], int]:
    async def one(body: str) -> tuple[int, float]:
        try:
            return await server.slack(body)
        except (aiohttp.ClientError, TimeoutError):
            return 0, 120_000.0
    results = await asyncio.gather(*(one(body) for body in bodies))
    return [ms for _, ms in results], sum(1 for status, _ in results if status != 200)


# The processes.

def start_fakes() -> tuple[subprocess.Popen, dict[str, int]]:
    process = subprocess.Popen([sys.executable, "-m", "bench._fakes"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def bot_env(data: Path, port: int, ports: dict[str, int], config: Path) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"http://127.0.0.1:{ports['slack']}/api/",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{ports['telegram']}/bot",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "RESEAU_CONFIG": str(config),
            "RESEAU_HOST": "127.0.0.1", "RESEAU_PORT": str(port), "RESEAU_DATA_DIR": str(data),
            "RESEAU_LOG": "stderr", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT)}


async def start_bot(data: Path, ports: dict[str, int], config: Path,
                    log: Path) -> tuple[Server, float]:
    port = free_port()
    started = time.perf_counter()
    command = [sys.executable, "-m", "bot.cli", "run"]
    profiles = os.environ.get("BENCH_PROFILE_DIR")  # cProfile the bot into that folder
    if profiles:
        command[1:1] = ["-m", "cProfile", "-o", f"{profiles}/{data.name}-{port}.prof"]
    process = subprocess.Popen(command, cwd=ROOT,
                               env=bot_env(data, port, ports, config),
                               stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    await healthy(port, process, attempts=1200)
    server = Server("reseau-bot", port, process)
    await server.open()
    return server, time.perf_counter() - started


async def stop(server: Server) -> None:
    await server.close()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=120)


# The run.

async def run() -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="reseau-load-"))
    data, empty_events = folder / "data", folder / "data-no-events"
    generate(data, Scale())
    shutil.copytree(data, empty_events)
    shutil.rmtree(empty_events / "events")
    config = folder / "reseau.toml"
    config.write_text(f'[channels]\nslack = "{SLACK_CHANNEL}"\ntelegram = "{TELEGRAM_CHAT}"\n',
                      encoding="utf-8")
    log = folder / "bot.log"
    fakes, ports = start_fakes()
    fake = SimpleNamespace(base=f"http://127.0.0.1:{ports['slack']}")
    bare_port = free_port()
    bare_process = subprocess.Popen(
        [sys.executable, "-c", BARE, str(bare_port), f"{fake.base}/api/", SECRET,
         str(BACKLOG)], cwd=ROOT)
    bare = Server("bare slack-bolt", bare_port, bare_process)
    bot: Server | None = None
    try:
        await healthy(bare_port, bare_process)
        await bare.open()
        bot, startup = await start_bot(data, ports, config, log)
        fsyncs = fsync_times(data)
        stage("started", bot)

        # consultation ouvrir as the month's outbox fills, one lead opening after another: the
        # command shows its preview, « Envoyer » opens it (the time measured: the opening).
        store = Store.open(data, lock=False)
        drafts = len(store.drafts.all())
        store.close()
        openings = []
        for n in range(OPENINGS):
            await bot.drained()
            status, _ = await bot.slack(command_body(
                fake, "UCHAIR", f"consultation ouvrir Proposition de charge {n} | dans 10 jours"))
            assert status == 200, status
            await bot.drained()
            send = click_payload(fake, "UCHAIR", "preview.send", str(drafts + n + 1))
            status, ms = await bot.slack(urlencode({"payload": json.dumps(send)}))
            assert status == 200, status
            openings.append(ms)
        await bot.drained()
        stage("openings", bot)
        store = Store.open(data, lock=False)
        opened = sorted(c.id for c in store.consultations.open())[-OPENINGS:]
        store.close()

        # Sequential clicks: the bare app, then the bot, warmed with every member once.
        warm = [click_body(fake, slack_user(m), opened[0], CHOICES[m % len(CHOICES)])
                for m in range(MEMBERS)]
        await timed_sequence(bare, warm[:50])
        await timed_sequence(bot, warm)
        await bot.drained()
        sequence = overriding_sequence(SEQUENTIAL)
        requests = SEQUENTIAL + sum(1 for _, _, asks in sequence if asks)
        cpu = bare.cpu()
        bare_seq, _ = await timed_overrides(bare, fake, opened[1], sequence, bot=False)
        bare_cpu = (bare.cpu() - cpu) * 1000 / requests
        cpu = bot.cpu()
        bot_seq, bot_ask = await timed_overrides(bot, fake, opened[1], sequence, bot=True)
        await bot.drained()
        bot_cpu = (bot.cpu() - cpu) * 1000 / requests
        stage("sequential clicks", bot)
        if os.environ.get("BENCH_VERBOSE"):
            print("slowest sequential clicks (ms):", [round(ms, 1) for ms in sorted(bot_seq)[-8:]],
                  "at", sorted(range(len(bot_seq)), key=bot_seq.__getitem__)[-8:])

        # Bursts.
        bursts = {}
        consultation = 2
        for size in BURSTS:
            bodies = []
            for i in range(size):
                member, round_ = i % MEMBERS, i // MEMBERS
                bodies.append(click_body(fake, slack_user(member), opened[consultation + round_],
                                         CHOICES[(member + round_) % len(CHOICES)]))
            targets = opened[consultation:consultation + (size + MEMBERS - 1) // MEMBERS]
            consultation += len(targets)
            base, _ = await timed_burst(bare, bodies)
            bare_rss = rss_mb(bare.process.pid)
            await bot.drained()
            cpu = bot.cpu()
            ours, refused = await timed_burst(bot, bodies)
            rss_acked = rss_mb(bot.process.pid)
            await bot.drained(timeout=600)
            stage(f"burst of {size}", bot)
            bursts[size] = (ours, base, refused, targets, (bot.cpu() - cpu) * 1000 / size,
                            rss_acked, rss_mb(bot.process.pid))

        # A stranger's Telegram message, 200,000 event ids stored.
        async def strangers(server: Server, first: int) -> list[float]:
            timings = []
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                       "Content-Type": "application/json"}
            for n in range(STRANGERS):
                update = text_update(first + n, 900_000_000 + n, "bonjour")
                status, ms = await server.post("/telegram/webhook",
                                               json.dumps(update).encode(), headers)
                assert status == 200, status
                timings.append(ms)
            return timings

        with_ids = await strangers(bot, 10_000_000)
        await stop(bot)
        bot = None
        store = Store.open(data, lock=False)
        stored_ids = len(store.events)
        positions = {c: len(store.positions.history(c)) for c in opened}
        asked: dict[int, int] = {}
        for question in store.overrides.all():
            if question.status == "asked":
                asked[question.consultation_id] = asked.get(question.consultation_id, 0) + 1
        store.close()
        empty_bot, _ = await start_bot(empty_events, ports, config, log)
        try:
            await strangers(empty_bot, 30_000_000)  # warm, as the other had been
            without_ids = await strangers(empty_bot, 20_000_000)
        finally:
            await stop(empty_bot)
    finally:
        if bot is not None:
            await stop(bot)
        await bare.close()
        bare_process.terminate()
        bare_process.wait(timeout=30)
        fakes.terminate()
        fakes.wait(timeout=30)

    # What was measured (one run's figures; ``report`` puts runs together).
    fig: dict[str, float] = {
        "seq_p50": statistics.median(bot_seq), "seq_p99": pct(bot_seq, .99),
        "ask_p50": statistics.median(bot_ask), "ask_p99": pct(bot_ask, .99),
        "bare_seq_p50": statistics.median(bare_seq), "bare_seq_p99": pct(bare_seq, .99),
        "fsync_p99": pct(fsyncs, .99), "cpu_seq": bot_cpu, "bare_cpu_seq": bare_cpu,
        "startup": startup, "stored_ids": stored_ids,
        "stranger_p50": statistics.median(with_ids), "stranger_p99": pct(with_ids, .99),
        "stranger0_p50": statistics.median(without_ids),
        "stranger0_p99": pct(without_ids, .99)}
    for i, name in ((0, "open_1"), (8, "open_10"), (27, "open_30")):
        fig[name] = statistics.median(openings[i:i + 3])
    for size, (ours, base, refused, targets, cpu_per, rss_acked, rss_after) in bursts.items():
        expected = sum(min(MEMBERS, size - MEMBERS * i) for i in range(len(targets)))
        fig.update({
            f"burst{size}_p50": statistics.median(ours), f"burst{size}_p99": pct(ours, .99),
            f"bare{size}_p50": statistics.median(base), f"bare{size}_p99": pct(base, .99),
            f"burst{size}_late": sum(1 for ms in ours if ms > 3000),
            f"bare{size}_late": sum(1 for ms in base if ms > 3000),
            f"burst{size}_lost": expected - sum(positions[c] + asked.get(c, 0)
                                                for c in targets),
            f"burst{size}_asked": sum(asked.get(c, 0) for c in targets),
            f"burst{size}_refused": refused, f"burst{size}_cpu": cpu_per,
            f"burst{size}_rss_acked": rss_acked, f"burst{size}_rss": rss_after})
    fig["bare_rss"] = bare_rss
    return fig


def report(runs: list[dict[str, float]]) -> Figures:
    """Each figure as the median of the runs (counts of late and lost: the worst run), next to
    its baseline, and the targets judged on the medians of the per-run ratios."""
    def med(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def ratio(top: Callable[[dict[str, float]], float],
              bottom: Callable[[dict[str, float]], float]) -> tuple[float, str]:
        each = [top(run) / bottom(run) for run in runs]
        return statistics.median(each), ", ".join(f"{r:.2f}" for r in each)

    def worst(key: str) -> int:
        return int(max(run[key] for run in runs))

    figures = Figures()
    seq, seq_runs = ratio(lambda r: r["seq_p99"], lambda r: r["bare_seq_p99"] + r["fsync_p99"])
    figures.add("sequential click, p50 / p99 (ms)", f"{med('seq_p50'):.1f} / {med('seq_p99'):.1f}",
                f"{med('bare_seq_p50'):.1f} / {med('bare_seq_p99'):.1f}; fsync p99 "
                f"{med('fsync_p99'):.2f}", f"{seq:.2f}x bare+fsync ({seq_runs})")
    figures.target("sequential click p99 <= 3 x (bare p99 + fsync p99)", seq <= 3)
    figures.add("  the question before changing a colleague's, p50 / p99 (ms)",
                f"{med('ask_p50'):.1f} / {med('ask_p99'):.1f}", "", "")
    cpu, cpu_runs = ratio(lambda r: r["cpu_seq"], lambda r: max(r["bare_cpu_seq"], 0.01))
    figures.add("CPU per request, sequential clicks and confirmations (ms)",
                f"{med('cpu_seq'):.2f}",
                f"{med('bare_cpu_seq'):.2f}", f"{cpu:.1f}x ({cpu_runs})")
    for size in BURSTS:
        burst, burst_runs = ratio(lambda r, s=size: r[f"burst{s}_p99"],
                                  lambda r, s=size: r[f"bare{s}_p99"])
        late, lost = worst(f"burst{size}_late"), worst(f"burst{size}_lost")
        refused = worst(f"burst{size}_refused")
        figures.add(f"burst of {size:,} clicks, p50 / p99 (ms), over 3 s, lost "
                    "(asked to confirm)",
                    f"{med(f'burst{size}_p50'):.0f} / {med(f'burst{size}_p99'):.0f}, {late}, "
                    f"{lost} ({worst(f'burst{size}_asked')})"
                    + (f" ({refused} refused)" if refused else ""),
                    f"{med(f'bare{size}_p50'):.0f} / {med(f'bare{size}_p99'):.0f}, "
                    f"{worst(f'bare{size}_late')}", f"{burst:.2f}x ({burst_runs})")
        figures.target(f"burst {size}: p99 <= 3 x bare, none over 3 s, none lost",
                       burst <= 3 and late == 0 and lost == 0 and refused == 0)
        figures.add(f"CPU per click in the burst of {size:,} (ms, acks and what follows)",
                    f"{med(f'burst{size}_cpu'):.2f}", "", "")
    top = max(BURSTS)
    figures.add(f"resident memory after the burst of {top:,} (MB): acked / settled",
                f"{med(f'burst{top}_rss_acked'):.0f} / {med(f'burst{top}_rss'):.0f}",
                f"bare slack-bolt: {med('bare_rss'):.0f}", "")
    figures.target("RSS after the 1,000 burst <= 100 MB", med(f"burst{top}_rss") <= 100)
    opening, opening_runs = ratio(lambda r: r["open_30"], lambda r: r["open_1"])
    figures.add("consultation ouvrir, 200 members: 1st / 10th / 30th of the month (ms)",
                f"{med('open_1'):.0f} / {med('open_10'):.0f} / {med('open_30'):.0f}",
                f"1st: {med('open_1'):.0f}", f"{opening:.2f}x ({opening_runs})")
    figures.target("30th opening <= 1.2 x the 1st", opening <= 1.2)
    stranger, stranger_runs = ratio(lambda r: r["stranger_p50"], lambda r: r["stranger0_p50"])
    figures.add(f"stranger's Telegram message, p50 / p99 (ms): {med('stored_ids'):,.0f} "
                "event ids", f"{med('stranger_p50'):.1f} / {med('stranger_p99'):.1f}",
                f"0 ids: {med('stranger0_p50'):.1f} / {med('stranger0_p99'):.1f}",
                f"{stranger:.2f}x ({stranger_runs})")
    figures.target("stranger at 200k ids <= 1.2 x at 0", stranger <= 1.2)
    figures.add("start-up to /healthz 200, ten years (s)", f"{med('startup'):.2f}", "", "")
    return figures


def show(figures: Figures, runs: int) -> None:
    cpu = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpu.splitlines()
                  if line.startswith("model name")), "?")
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    print(f"Machine: {os.cpu_count()} cores, {model}, {memory:.0f} GiB, Python "
          f"{sys.version.split()[0]}; medians of {runs} runs (ratios of each run in brackets)")
    width = max(len(line[0]) for line in figures.lines)
    print(f"{'figure':<{width}}  {'reseau-bot':<24} {'baseline':<34} ratio")
    for name, ours, baseline, ratio in figures.lines:
        print(f"{name:<{width}}  {ours:<24} {baseline:<34} {ratio}")
    for name, ok in figures.met:
        print(f"{'met   ' if ok else 'MISSED'} {name}")


def main() -> None:
    runs = [asyncio.run(run()) for _ in range(int(os.environ.get("BENCH_RUNS", "3")))]
    show(report(runs), len(runs))


if __name__ == "__main__":
    main()
