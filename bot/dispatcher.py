"""The dispatcher: the one place messages leave the bot, from the outbox to the adapters.

Handlers only write outbox rows. Delivering them here, row by row and target by target, is what
lets a restart resume where it stopped and a failure be retried without sending twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.ratelimit import RateLimiter
from handlers.context import to_iso, utc_now
from handlers.i18n import Catalog
from handlers.settings import Network
from handlers.types import Message, Recipient
from storage.models import OutboxRow
from storage.store import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=10)


class RetryLater(Exception):
    """Raised by an adapter when the platform said "slow down" (HTTP 429 ``Retry-After``,
    Telegram ``retry_after``): the row waits that long; it is not counted as a failure."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"retry after {seconds} s")


@dataclass(frozen=True)
class Target:
    """One concrete destination: a person's DM or a channel on one platform."""

    platform: str
    address: str
    label: str
    channel: bool = False

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.address}"


class Adapter(Protocol):
    """What the dispatcher needs of a platform: deliver one message to one target, or raise."""

    platform: str

    async def deliver(self, target: Target, message: Message) -> None: ...


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, capped at ten minutes."""
    base = min(timedelta(seconds=2 ** attempts), MAX_BACKOFF)
    return base * (0.5 + rng())


class Dispatcher:
    """Delivers due outbox rows. ``fallback`` takes targets whose platform has no adapter (the
    console does, so a console session shows everything the bot would send)."""

    def __init__(self, store: Store, network: Network, catalog: Catalog,
                 adapters: dict[str, Adapter], fallback: Adapter | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.network = network
        self.catalog = catalog
        self.adapters = adapters
        self.fallback = fallback
        self.clock = clock
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.limiters: dict[str, RateLimiter] = {}

    def wake(self) -> None:
        self._wake.set()

    def targets(self, row: OutboxRow) -> list[Target]:
        recipient = Recipient.from_dict(row.recipient)
        lang = self.network.language
        if recipient.kind == "channel":
            targets = []
            for platform in self.adapters:
                address = (self.network.group_channel(recipient.ref, platform)
                           or self.network.channels.get(platform)
                           or (recipient.ref if platform == "console" else ""))
                if address:
                    targets.append(Target(platform, address, self.catalog.t(
                        lang, "dispatch.channel_label", channel=recipient.ref,
                        platform=platform), channel=True))
            return targets
        if recipient.kind == "identity":
            platform, _, address = recipient.ref.partition(":")
            return [Target(platform, address, self.catalog.t(
                lang, "dispatch.identity_label", identity=recipient.ref))]
        member = self.store.members.get(recipient.ref)
        if member is None or not member.active or not member.identities:
            return []
        if member.preference == "both":
            chosen_ones = [i for i in member.identities if i.split(":", 1)[0] != "console"]
        else:
            chosen_ones = [self._preferred_identity(member.identities, member.preference)]
        agency = self.network.agency(member.agency)
        targets = []
        for chosen in chosen_ones or member.identities[:1]:
            platform, _, address = chosen.partition(":")
            label = self.catalog.t(lang, "dispatch.member_label",
                                   agency=agency.acronym(lang) if agency else member.agency,
                                   name=member.name, platform=platform)
            targets.append(Target(platform, address, label))
        return targets

    def _preferred_identity(self, identities: list[str], preference: str | None = None) -> str:
        """The member's chosen platform; else a platform with its own adapter; else the member's
        real platform (shown through the fallback, as the console does); the console last."""
        def platform(identity: str) -> str:
            return identity.split(":", 1)[0]

        chosen = [i for i in identities if platform(i) == preference]
        if chosen:
            return chosen[0]
        for identity in identities:
            adapter = self.adapters.get(platform(identity))
            if adapter is not None and adapter is not self.fallback:
                return identity
        real = [i for i in identities if platform(i) != "console"]
        return (real or identities)[0]

    def _adapter_for(self, target: Target) -> Adapter | None:
        return self.adapters.get(target.platform) or self.fallback

    async def flush(self) -> int:
        """Deliver every due row; returns how many rows were completed. Nothing leaves before
        the change that queued it is durable, and each delivered target is recorded (one
        journal line) and made durable before the next delivery, so a crash never sends twice
        nor sends what a restart would not know about."""
        async with self._lock:
            completed = 0
            for row in self.store.outbox.due(to_iso(self.clock())):
                if await self._deliver(row):
                    completed += 1
            await self.store.durable()
            return completed

    def _save(self, row: OutboxRow) -> None:
        with self.store.transaction():
            self.store.outbox.save(row)

    async def _deliver(self, row: OutboxRow) -> bool:
        message = Message.from_dict(row.message)
        targets = self.targets(row)
        for target in targets:
            if target.key in row.done:
                continue
            adapter = self._adapter_for(target)
            if adapter is None:
                continue
            limiter = self.limiters.get(adapter.platform)
            if limiter is None:
                limiter = self.limiters[adapter.platform] = RateLimiter.for_adapter(adapter)
            await limiter.wait(target.address, group=target.channel)
            await self.store.durable()
            try:
                await adapter.deliver(target, message)
            except RetryLater as later:
                row.next_attempt_at = to_iso(self.clock() + timedelta(seconds=later.seconds))
                self._save(row)
                return False
            except Exception as exc:  # an adapter failure must never lose the row
                self._failed(row, exc)
                return False
            row.done.append(target.key)
            self._save(row)
        row.status = "sent"
        row.sent_at = to_iso(self.clock())
        row.attempts += 1
        if not targets:
            row.last_error = "no destination"
        self._save(row)
        return True

    def _failed(self, row: OutboxRow, exc: Exception) -> None:
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "dead"
            log.error("outbox row %s given up after %s attempts: %s", row.id, row.attempts,
                      row.last_error)
        else:
            row.next_attempt_at = to_iso(self.clock() + backoff(row.attempts))
            log.warning("outbox row %s failed (attempt %s): %s", row.id, row.attempts,
                        row.last_error)
        self._save(row)

    async def run(self, interval: float = 1.0) -> None:
        """Deliver forever: on every wake-up, and every ``interval`` seconds for retries."""
        while True:
            try:
                await self.flush()
            except Exception:
                log.exception("dispatcher pass failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=interval)
