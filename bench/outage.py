"""Faults, measured: how long an outage of Slack or Telegram the bot survives without losing a
message, and how many copies of a message reach the platform while the disk is full.

The real Slack and Telegram clients talk to the loopback fakes (``tests/support/fake_slack.py``,
``tests/support/fake_telegram.py``); the clock is simulated (a dispatcher pass every ``STEP``),
so days of outage take seconds. A full disk is ``OSError(ENOSPC)`` raised at the storage write
call.

Outage: a consultation (deadline in 7 days: an invitation with its buttons to each focal point,
and an announcement in both network channels) and a direct message (3 days, the default) are
queued, then one platform answers 503 for the given length. Counted per length: messages
delivered once, delivered twice (must be 0), given up with a notice to the secretariat
(``expired``: only what stopped mattering during the outage; ``expired early``, what still
mattered when the platform came back, must be 0), lost (neither: must be 0), the
delivery calls that reached the platform while it was down, and how long after it came back
everything that waited was delivered.

Full disk: 11 messages (an announcement in both channels, 10 direct messages) pending while the
disk is full for 60 passes — from the start, or filling between the "sending" mark and the
"sent" record — then freed: the most copies of one message any target received.
"""

from __future__ import annotations

import asyncio
import errno
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import BotApp
from bot.config.environment import Environment
from bot.config.network import load_network
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from handlers.types import Inbound, Message
from storage.identity import Identity
from storage.journal import Journal
from storage.models import FOCAL_POINT, Member
from storage.store import Store
from tests.support.fake_slack import FakeSlack
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.previews import handle_and_send

START = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
STEP = timedelta(seconds=60)  # between two dispatcher passes of the simulated clock
OUTAGES = [timedelta(minutes=5), timedelta(hours=1), timedelta(hours=6), timedelta(days=1),
           timedelta(days=2, hours=23), timedelta(days=6, hours=23), timedelta(days=8)]
SLACK_CHANNEL, TELEGRAM_CHAT = "C0NET", "-1009999"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class Bench:
    """One bot in a fresh data dir with both platforms, each against its fake."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.slack, self.telegram = FakeSlack(), FakeTelegram()
        self.store = Store.open(Path(tempfile.mkdtemp()) / "data")
        network = replace(load_network(), channels={"slack": SLACK_CHANNEL,
                                                    "telegram": TELEGRAM_CHAT})
        self.app = BotApp(self.store, network, clock=self.clock)
        self.platforms: list = []

    async def start(self) -> None:
        await self.slack.start()
        await self.telegram.start()
        env = Environment(slack_bot_token="xoxb-bench", slack_signing_secret="s",
                          slack_api_url=self.slack.url, telegram_bot_token=TOKEN,
                          telegram_api_url=self.telegram.url, telegram_webhook_secret="w")
        self.platforms = [SlackPlatform(self.app, env), TelegramPlatform(self.app, env)]
        for platform in self.platforms:
            platform.rate_limits = replace(platform.rate_limits, per_chat_interval=0.0)
        await self.platforms[1].application.initialize()
        for platform in self.platforms:
            self.app.add_adapter(platform)
        members = self.store.members  # a focal point for every agency, half on each platform
        staffed = {m.agency for m in members.active()}
        for agency in self.app.network.agencies:
            if agency.code not in staffed:
                members.save(Member(id=f"fp-{agency.code.lower()}", name=f"PF {agency.code}",
                                    agency=agency.code, roles=[FOCAL_POINT]))
        for n, member in enumerate(members.active()):
            member.identities = [f"slack:U0B{n:04d}" if n % 2 else f"telegram:{800000 + n}"]
            members.save(member)

    async def stop(self) -> None:
        await self.platforms[1].application.shutdown()
        self.store.close()
        await self.slack.stop()
        await self.telegram.stop()

    async def passes(self, length: timedelta, step: timedelta = STEP) -> None:
        end = self.clock.now + length
        while self.clock.now < end:
            await self.app.dispatcher.flush()
            self.clock.now += step
        await self.app.dispatcher.flush()

    def deliveries(self) -> Counter[tuple[str, str]]:
        """(target, text) → how many times the platforms received it."""
        got: Counter[tuple[str, str]] = Counter()
        for call in self.slack.called("chat.postMessage"):
            got[(f"slack:{call.args.get('channel')}", call.args.get("text", ""))] += 1
        for call in self.telegram.called("sendMessage"):
            got[(f"telegram:{call.args.get('chat_id')}", call.args.get("text", ""))] += 1
        return got


async def outage(platform: str, length: timedelta) -> dict[str, object]:
    bench = Bench()
    await bench.start()
    fake = bench.slack if platform == "slack" else bench.telegram
    try:
        lead = Identity.parse(bench.store.members.get("aminata").identities[0])
        handle_and_send(bench.app, Inbound(
            platform=lead.platform, user_id=lead.user,
            text="consultation ouvrir Plan 2027 | samedi 5 décembre 17h"))
        bench.app.ctx.send_to_member(bench.store.members.get("awa"), "dm",
                                     lambda lang: Message(title="Message direct"))
        fake.down()
        await bench.passes(length)
        refused = sum(1 for c in fake.refused() if not c.method.startswith(("auth.test",
                                                                              "getMe")))
        fake.up()
        back = bench.clock.now
        waited = [r for r in bench.store.outbox.all() if r.status == "pending"]
        while any(r.status == "pending" for r in bench.store.outbox.all()):
            await bench.passes(timedelta(seconds=1), step=timedelta(seconds=1))
            if bench.clock.now - back > timedelta(hours=1):
                break
        resumed = bench.clock.now - back
        rows = [r for r in bench.store.outbox.all() if not r.key.startswith("undelivered:")]
        copies = bench.deliveries()
        statuses = Counter(r.status for r in rows)
        lost = sum(1 for r in rows if r.status not in ("sent", "expired", "held"))
        early = sum(1 for r in rows if r.status == "expired"
                    and datetime.fromisoformat(r.relevant_until) > back)  # still mattered
        return {"platform": platform, "length": length, "rows": len(rows),
                "sent": statuses["sent"], "expired": statuses["expired"],
                "held": statuses["held"], "lost": lost, "early": early,
                "twice": sum(1 for n in copies.values() if n > 1),
                "calls_while_down": refused, "waited": len(waited), "resumed": resumed}
    finally:
        await bench.stop()


def full_disk_append(original: Callable[[Journal, list[str]], int], state: dict[str, int]
                     ) -> Callable[[Journal, list[str]], int]:
    """The journal's append refusing lines as a full disk does (every change goes through it)."""
    def append(journal: Journal, changes: list[str]) -> int:
        if state["full"]:
            if state["allowed"] > 0:
                state["allowed"] -= 1
            else:
                raise OSError(errno.ENOSPC, "No space left on device")
        return original(journal, changes)
    return append


async def full_disk(allowed: int) -> dict[str, object]:
    bench = Bench()
    await bench.start()
    original = Journal.append
    state = {"full": 0, "allowed": 0}
    Journal.append = full_disk_append(original, state)  # type: ignore[method-assign]
    try:
        bench.app.ctx.announce("news", lambda lang: Message(title="Annonce"))
        for member in bench.store.members.active()[:10]:
            bench.app.ctx.send_to_member(member, "dm", lambda lang: Message(title="Rappel"))
        state.update(full=1, allowed=allowed)
        for _ in range(60):  # a minute of passes, one a second
            await bench.app.dispatcher.flush()
            bench.clock.now += timedelta(seconds=1)
        during = bench.deliveries()
        state["full"] = 0
        await bench.passes(timedelta(seconds=5), step=timedelta(seconds=1))
        after = bench.deliveries()
        rows = bench.store.outbox.all()
        return {"allowed": allowed, "targets": len(after),
                "max_during": max(during.values(), default=0),
                "max_after": max(after.values(), default=0),
                "sent": sum(1 for r in rows if r.status == "sent"), "rows": len(rows)}
    finally:
        Journal.append = original  # type: ignore[method-assign]
        await bench.stop()


def words(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return " ".join(part for part in (f"{days} d" if days else "", f"{hours} h" if hours
                                      else "", f"{minutes} min" if minutes else "") if part)


async def run() -> None:
    print("Outage: a consultation (deadline in 7 days), its announcement, a direct message "
          "(3 days); one platform down for the length given")
    print(f"{'platform':<9} {'outage':>11} {'rows':>5} {'sent':>5} {'expired':>8} "
          f"{'expired early':>14} {'lost':>5} {'twice':>6} {'calls while down':>17} "
          f"{'all sent after':>15}")
    faults = 0
    longest = timedelta(0)
    for platform in ("slack", "telegram"):
        for length in OUTAGES:
            result = await outage(platform, length)
            faults += int(result["lost"]) + int(result["twice"]) + int(result["early"])
            if not result["expired"]:
                longest = max(longest, length)
            print(f"{platform:<9} {words(length):>11} {result['rows']:>5} {result['sent']:>5} "
                  f"{result['expired']:>8} {result['early']:>14} {result['lost']:>5} "
                  f"{result['twice']:>6} {result['calls_while_down']:>17} "
                  f"{int(result['resumed'].total_seconds()):>13} s")
    print(f"lost, sent twice or given up while still relevant, over every outage: {faults}; "
          f"longest outage with every message delivered: {words(longest)}; beyond, only what "
          f"stopped mattering meanwhile is expired (and reported)")
    print("\nFull disk for 60 passes with 11 messages pending (announcement in 2 channels, "
          "10 direct messages)")
    for allowed, what in ((0, "full from the start"), (1, "fills after the first mark")):
        result = await full_disk(allowed)
        print(f"{what:<28} most copies of one message on one target: during "
              f"{result['max_during']}, after freeing {result['max_after']}; "
              f"{result['sent']}/{result['rows']} rows sent, {result['targets']} targets")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
