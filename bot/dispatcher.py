"""The dispatcher: the one place messages leave the bot, from the outbox to the adapters.

Handlers only write outbox rows. Delivering them here, row by row and target by target, is what
lets a restart resume where it stopped and a failure be retried without sending twice.

A row is marked sent only when every target got it. A row that cannot be delivered yet (no
adapter for the member's platform, a member without an account or no longer active, a person
the platform says the bot may not write to) is ``held``, never sent; the dispatcher reports it
to ``handlers.delivery``, which decides who is told and when the row is tried again. A secret a
message carries is minted here, just before the adapter sends it (``handlers.minting``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.ratelimit import RateLimiter
from handlers import delivery
from handlers.context import Context, to_iso, utc_now
from handlers.i18n import Catalog
from handlers.minting import reveal
from handlers.settings import Network
from handlers.types import Message, Recipient
from storage.models import Member, OutboxRow
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


class Unreachable(Exception):
    """Raised by an adapter when the platform refuses for good to deliver to this target until
    something changes (Telegram's 403 "bot can't initiate conversation with a user": the person
    never opened the bot). ``reason`` is one of ``handlers.delivery.REASONS``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class Held(Exception):
    """No target can be tried for this row now: ``reason`` and the identity concerned."""

    def __init__(self, reason: str, identity: str = "") -> None:
        self.reason = reason
        self.identity = identity
        super().__init__(reason)


@dataclass
class _Attempt:
    """What one delivery pass over a row has learnt so far."""

    template: Message
    message: Message | None = None  # the template with its secret minted, once per pass
    unreachable: dict[str, str] = field(default_factory=dict)  # identity → reason
    held: Held | None = None


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
    """What the dispatcher needs of a platform: deliver one message to one target, or raise
    (``RetryLater``, ``Unreachable``, or anything for a failure to retry)."""

    platform: str

    async def deliver(self, target: Target, message: Message) -> None: ...


def telling(reasons: Mapping[str, str]) -> tuple[str, str]:
    """Of the identities a row could not reach (identity → reason), the one to report: what
    only the person can fix (they never opened the bot) before what the network can (a
    platform not connected), a real platform before the console."""
    identity = min(reasons, key=lambda i: (reasons[i] not in delivery.PERSON_REASONS,
                                           i.startswith("console:")))
    return reasons[identity], identity


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, capped at ten minutes."""
    base = min(timedelta(seconds=2 ** attempts), MAX_BACKOFF)
    return base * (0.5 + rng())


class Dispatcher:
    """Delivers due outbox rows. ``fallback`` takes targets whose platform has no adapter (the
    console does, so a console session shows everything the bot would send)."""

    def __init__(self, store: Store, network: Network, catalog: Catalog,
                 adapters: dict[str, Adapter], fallback: Adapter | None = None,
                 clock: Callable[[], datetime] = utc_now, ctx: Context | None = None,
                 pace: Callable[[], Awaitable[None]] | None = None) -> None:
        self.store = store
        self.network = network
        self.catalog = catalog
        self.ctx = ctx or Context(store, network, catalog, clock)
        self.adapters = adapters
        self.fallback = fallback
        self.clock = clock
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.limiters: dict[str, RateLimiter] = {}
        # Awaited before each row: requests waiting for their ack go first (bot/pacing.py).
        self.pace = pace

    def wake(self) -> None:
        self._wake.set()

    def targets(self, row: OutboxRow, avoid: Mapping[str, str] | None = None) -> list[Target]:
        """Where ``row`` goes, avoiding the identities in ``avoid`` (found unreachable in this
        pass, with why) and those marked unreachable on the member. Raises ``Held`` when a
        member has no target at all."""
        avoid = avoid or {}
        recipient = Recipient.from_dict(row.recipient)
        lang = self.network.language
        if recipient.kind == "channel":
            targets = []
            for platform in self.adapters:
                address = (self.network.group_channel(recipient.ref, platform)
                           or self.network.channels.get(platform)
                           or (recipient.ref if platform == "console" else ""))
                if address and f"{platform}:{address}" != recipient.skip:
                    targets.append(Target(platform, address, self.catalog.t(
                        lang, "dispatch.channel_label", channel=recipient.ref,
                        platform=platform), channel=True))
            return targets
        if recipient.kind == "identity":
            platform, _, address = recipient.ref.partition(":")
            return [Target(platform, address, self.catalog.t(
                lang, "dispatch.identity_label", identity=recipient.ref))]
        member = self.store.members.get(recipient.ref)
        if member is None or not member.active:
            raise Held("inactive")
        if not member.identities:
            raise Held("no_identity")
        usable = [i for i in member.identities
                  if i not in avoid and i not in member.unreachable]
        if not usable:
            raise Held(*telling({i: avoid.get(i) or member.unreachable.get(i) or "no_adapter"
                                 for i in member.identities}))
        if member.preference == "both":
            chosen_ones = [i for i in usable if i.split(":", 1)[0] != "console"] or usable[:1]
        else:
            chosen_ones = [self._preferred_identity(usable, member.preference)]
        return [self._member_target(member, chosen) for chosen in chosen_ones]

    def _member_target(self, member: Member, identity: str) -> Target:
        platform, _, address = identity.partition(":")
        agency = self.network.agency(member.agency)
        lang = self.network.language
        return Target(platform, address, self.catalog.t(
            lang, "dispatch.member_label", name=member.name, platform=platform,
            agency=agency.acronym(lang) if agency else member.agency))

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
        """Deliver every due row, including those queued meanwhile (a notice about a row that
        could not be delivered goes out in the same pass); returns how many were completed.
        Nothing leaves before the change that queued it is durable, and each delivered target
        is recorded (one journal line) and made durable before the next delivery, so a crash
        never sends twice nor sends what a restart would not know about."""
        async with self._lock:
            completed = 0
            tried: set[int] = set()
            while True:
                due = [row for row in self.store.outbox.due(to_iso(self.clock()))
                       if row.id not in tried]
                if not due:
                    await self.store.durable()
                    return completed
                for row in due:
                    tried.add(row.id)
                    if self.pace is not None:
                        await self.pace()
                    if await self._deliver(row):
                        completed += 1

    def _save(self, row: OutboxRow) -> None:
        with self.store.transaction():
            self.store.outbox.save(row)

    async def _deliver(self, row: OutboxRow) -> bool:
        """One pass over ``row``: every target not yet reached is tried (a member's other
        accounts when one is unreachable); then the row is sent, held or left for a retry."""
        attempt = _Attempt(Message.from_dict(row.message))
        while True:
            try:
                targets = self.targets(row, attempt.unreachable)
            except Held as held:
                attempt.held = held
                break
            todo = [t for t in targets
                    if t.key not in row.done and t.key not in attempt.unreachable]
            if not todo and not targets and not row.done:
                if Recipient.from_dict(row.recipient).skip:
                    break  # only the chat it was posted in, which shows it already: sent
                row.status, row.last_error = "skipped", "no channel"  # nowhere to post
                row.attempts += 1
                self._save(row)
                return True
            for target in todo:
                if not await self._send(row, target, attempt):
                    return False  # waits for a retry (or was given up)
            if not todo or Recipient.from_dict(row.recipient).kind != "member":
                break  # only a member may have another account to try
        return self._conclude(row, attempt)

    async def _send(self, row: OutboxRow, target: Target, attempt: _Attempt) -> bool:
        """Deliver to one target; ``False`` when the row must wait (rate limit, failure)."""
        adapter = self._adapter_for(target)
        if adapter is None:
            attempt.unreachable[target.key] = "no_adapter"
            return True
        if attempt.message is None:
            with self.store.transaction():  # the secret's hash is stored before it leaves
                attempt.message = reveal(self.ctx, attempt.template)
        if attempt.message is None:  # the secret's owner left the network: nothing to mint
            row.status, row.last_error = "dead", "secret not minted: member inactive"
            self._save(row)
            return False
        limiter = self.limiters.get(adapter.platform)
        if limiter is None:
            limiter = self.limiters[adapter.platform] = RateLimiter.for_adapter(adapter)
        await limiter.wait(target.address, group=target.channel)
        if self.pace is not None:  # its fsync would hold up a request's
            await self.pace()
        await self.store.durable()
        try:
            await adapter.deliver(target, attempt.message)
        except RetryLater as later:
            row.next_attempt_at = to_iso(self.clock() + timedelta(seconds=later.seconds))
            self._save(row)
            return False
        except Unreachable as refused:
            log.warning("outbox row %s: %s target unreachable (%s)", row.id, target.platform,
                        refused.reason)
            attempt.unreachable[target.key] = refused.reason
            return True
        except Exception as exc:  # an adapter failure must never lose the row
            self._failed(row, exc)
            return False
        row.done.append(target.key)
        self._save(row)
        return True

    def _conclude(self, row: OutboxRow, attempt: _Attempt) -> bool:
        """Sent if every target got it (a member: one of their accounts did); else held, with
        the first reason met. ``handlers.delivery`` hears of anything unreachable."""
        row.attempts += 1
        missed = [key for key in attempt.unreachable if key not in row.done]
        reached_member = bool(row.done) and Recipient.from_dict(row.recipient).kind == "member"
        held = attempt.held
        if held is None and missed and not reached_member:
            held = Held(*telling({key: attempt.unreachable[key] for key in missed}))
        if held is not None:
            row.status, row.held_reason, row.held_target = "held", held.reason, held.identity
            row.last_error = held.reason
        else:
            row.status, row.sent_at = "sent", to_iso(self.clock())
        self._save(row)
        if attempt.unreachable or held is not None:
            try:
                with self.store.transaction():
                    delivery.report(self.ctx, row, attempt.unreachable)
            except Exception:
                log.exception("outbox row %s: reporting it failed", row.id)
        return held is None

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
