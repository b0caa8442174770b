"""Crash and restart, with real processes: nothing lost, nothing twice."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import BotApp
from bot.dispatch.contract import Target
from bot.ratelimit import RateLimits
from handlers.types import Message
from tests.conftest import REPO, Clock
from tests.support.previews import say_and_send


def harness(data: Path, out: Path, now: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.support.crash_harness", str(data),
                             str(out), now, mode], cwd=REPO, stdout=subprocess.PIPE, text=True)


def test_sigkill_between_a_reminders_due_time_and_its_delivery(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "deliveries.txt"
    first = harness(data, out, "2026-11-28T17:00:00+00:00", "schedule")
    assert first.communicate(timeout=60)[0].splitlines()[-1] == "done"
    invites = out.read_text().splitlines()
    assert len(invites) == 7  # everyone invited

    # The 1-day reminder falls due; the bot queues it, starts delivering, and is killed.
    due = "2026-12-14T10:00:00+00:00"
    second = harness(data, out, due, "hang")
    assert second.stdout is not None
    assert second.stdout.readline().strip() == "delivering"
    second.send_signal(signal.SIGKILL)
    second.wait(timeout=30)
    assert out.read_text().splitlines() == invites  # nothing delivered yet

    third = harness(data, out, "2026-12-14T10:05:00+00:00", "deliver")
    assert third.communicate(timeout=60)[0].splitlines()[-1] == "done"
    reminders = [line for line in out.read_text().splitlines() if "Rappel" in line or
                 "Reminder" in line]
    assert len(reminders) == 7 and len(set(reminders)) == 7  # each invitee once

    fourth = harness(data, out, "2026-12-14T10:10:00+00:00", "deliver")
    fourth.communicate(timeout=60)
    assert len([line for line in out.read_text().splitlines() if "Rappel" in line or
                "Reminder" in line]) == 7  # and never again


class Flaky:
    """A platform answering 500 until ``recovers_at`` (on the bot's clock), then fine."""

    platform = "telegram"
    rate_limits = RateLimits()

    def __init__(self, clock: Clock, recovers_at: datetime) -> None:
        self.clock = clock
        self.recovers_at = recovers_at
        self.received: list[tuple[str, str]] = []
        self.refused = 0

    async def deliver(self, target: Target, message: Message) -> None:
        if self.clock() < self.recovers_at:
            self.refused += 1
            raise ConnectionError("HTTP 500 from the platform")
        self.received.append((target.address, message.title))

    async def probe(self) -> None:
        if self.clock() < self.recovers_at:
            raise ConnectionError("HTTP 500 from the platform")


async def test_a_platform_down_for_a_minute_then_back_gets_every_message_once(
        app: BotApp, clock: Clock) -> None:
    flaky = Flaky(clock, clock.now + timedelta(minutes=1))
    app.add_adapter(flaky, fallback=True)
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "consultation ouvrir Texte | vendredi 4 décembre 17h")
    queued = len(app.store.outbox.all())
    for _ in range(40):  # the dispatcher's passes, two seconds apart for two minutes
        await app.dispatcher.flush()
        clock.now += timedelta(seconds=3)
        if all(r.status != "pending" for r in app.store.outbox.all()):
            break
    clock.now += timedelta(minutes=15)
    await app.dispatcher.flush()
    assert flaky.refused > 0
    # every row once; the channel cards (the meeting's, the consultation's) have no Telegram
    # channel configured here: skipped
    statuses = [(r.recipient["kind"], r.status) for r in app.store.outbox.all()]
    assert statuses.count(("channel", "skipped")) == 2
    assert statuses.count(("member", "sent")) == queued - 2
    assert len(flaky.received) == len(set(flaky.received)) == queued - 2
    assert datetime(2026, 11, 28, 17, 0, tzinfo=UTC) < clock.now
