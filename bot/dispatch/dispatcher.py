"""The dispatcher: the one place messages leave the bot, from the outbox to the adapters.

Handlers only write outbox rows; delivering them here, row by row and target by target, lets a
restart resume where it stopped and a failure be retried without sending twice.

Each target of a row (a member's account, each platform's network channel: ``targets.py``) is
delivered on its own: one platform's outage never holds back the other's copy. A row is marked
sent only when every target got it. What fails is retried with capped backoff (``timing.py``)
for as long as the message matters (``OutboxRow.relevant_until``); then it is given up as
``expired``, and the secretariat is told what did not reach whom. A platform that fails is
marked down and probed (``outages.py``): while it is down nothing is sent to it, and as soon as
a probe succeeds everything waiting for it goes. A platform that refuses a message for good
(``Rejected``) is reported at once; one that may not write to someone yet (``Unreachable``)
holds the row (``handlers.delivery`` decides who is told and when it goes).

The answer to a person (a ``reply`` recipient: ``handlers.types.ReplyTo``) is a row like the
others, queued with what the event changed; it goes before every other due row, and a pass
under way takes new answers between two rows, so a fan-out never makes someone wait. A row whose
chat may not take a message yet waits while the others go (``lanes.py``).

Nothing goes out that could not be recorded (``ledger.py``): the targets about to be tried are
written down (``attempting``) before the platform is called, and the result after; while the
data dir refuses writes nothing is sent, and ``health`` says why. The guarantee is at most one
copy per target while the process lives (a full disk never multiplies a message) and at least
one across a crash: a target the process was sending to when it died is sent again after the
restart — on Slack only if the conversation does not show it already; on Telegram it may then
arrive twice, by email twice with the same Message-ID; never lost (``contract.py``). A live
message is written and a secret minted just before it leaves (``handlers.live``, ``minting``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.dispatch.contract import Adapter, OutcomeUnknown, Rejected, RetryLater, Target, Unreachable
from bot.dispatch.followups import follow_up
from bot.dispatch.health import health_of
from bot.dispatch.lanes import Lanes, until_free, waiting_chats
from bot.dispatch.ledger import Ledger
from bot.dispatch.outages import Outage, mark_down, probe_outages
from bot.dispatch.rows import ReadRows
from bot.dispatch.targets import Held, targets_of, telling
from bot.dispatch.timing import MAX_BACKOFF, backoff, relevance
from bot.ratelimit import RateLimiter
from handlers import delivery
from handlers.context import Context, to_iso, utc_now
from handlers.i18n import Catalog
from handlers.live import written
from handlers.minting import reveal
from handlers.settings import Network
from handlers.types import Message, Recipient
from storage.faults import StorageUnavailable
from storage.models import OutboxRow
from storage.store import Store

log = logging.getLogger(__name__)

DUE_BATCH = 32  # due rows decoded at once; the next ones once these were delivered


@dataclass
class _Attempt:
    """What one delivery pass over a row has learnt so far."""

    template: Message
    message: Message | None = None  # the template with its secret minted, once per pass
    unreachable: dict[str, str] = field(default_factory=dict)  # identity → reason
    held: Held | None = None
    waiting: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # target → when, why


class Dispatcher:
    """Delivers due outbox rows. ``fallback`` takes targets whose platform has no adapter (the
    console does, so a console session shows everything the bot would send)."""

    def __init__(self, store: Store, network: Network, catalog: Catalog,
                 adapters: dict[str, Adapter], fallback: Adapter | None = None,
                 clock: Callable[[], datetime] = utc_now, ctx: Context | None = None,
                 pace: Callable[[], Awaitable[None]] | None = None) -> None:
        self.store, self.network, self.catalog = store, network, catalog
        self.ctx = ctx or Context(store, network, catalog, clock)
        self.adapters = adapters
        self.fallback = fallback
        self.clock = clock
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self.limiters: dict[str, RateLimiter] = {}
        self.outages: dict[str, Outage] = {}
        self._released: set[int] = set()  # rows due at once: their platform answers again
        self.ledger = Ledger(store)  # what a refused write leaves owed, and whether paused
        self._fresh = False  # an answer queued since the rows to deliver were looked up
        self._nudge = asyncio.Event()  # set by what is queued: a pass waiting for a chat looks
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # waits for a chat
        self.monotonic: Callable[[], float] = time.monotonic
        self._parked: dict[int, float] = {}  # row → when its chat is free (``lanes.py``)
        self._read = ReadRows()  # due rows read earlier, unchanged since (``rows.py``)
        self.pace = pace  # awaited before each row: requests awaiting their ack go first

    def wake(self, answer: bool = False) -> None:
        """Something was queued: deliver it now (an ``answer`` even between two rows)."""
        self._fresh = self._fresh or answer
        self._wake.set()
        self._nudge.set()

    def targets(self, row: OutboxRow, avoid: Mapping[str, str] | None = None) -> list[Target]:
        """Where ``row`` goes now (``targets.py``); raises ``Held`` when a member has none."""
        return targets_of(row, store=self.store, network=self.network, catalog=self.catalog,
                          adapters=self.adapters, fallback=self.fallback, avoid=avoid)

    def _adapter_for(self, target: Target) -> Adapter | None:
        return self.adapters.get(target.platform) or self.fallback

    async def flush(self) -> int:
        """Deliver every due row, including those queued meanwhile (a notice about a row that
        could not be delivered goes out in the same pass); returns how many were completed.
        Nothing leaves before the change that queued it is durable, and each delivered target
        is recorded (one journal line) and made durable before the next delivery, so a crash
        never sends twice nor sends what a restart would not know about."""
        async with self._lock:
            if not self.ledger.catch_up():
                return 0
            completed = 0
            tried: set[int] = set()
            try:
                await self._probe_outages()
                given_up = self._expire_held()
                while True:
                    self._nudge.clear()
                    await follow_up(self.ctx, self.ledger, self.pace)  # what acks left to do
                    due = [row for row in self._due(tried) if row.id not in tried]
                    if not due and not given_up:
                        await self.ledger.durable()
                        self._parked = {n: at for n, at in self._parked.items()
                                        if self.store.outbox.version(n)}  # still pending
                        if not self._parked:
                            return completed
                        await until_free(min(self._parked.values()) - self.monotonic(),
                                         self._nudge, self.sleep)  # their chats' turn
                        continue
                    lanes = Lanes()  # chats not free yet: their rows wait, others go (lanes.py)
                    for row in due:
                        if self._fresh and row is not due[0]:
                            break  # queued meanwhile: answers to people go first
                        wait = lanes.hold(*self._chats_of(row))
                        if wait is not None:  # not looked at again before its chat is free
                            self._parked[row.id] = self.monotonic() + wait
                            continue
                        tried.add(row.id)
                        if self.pace is not None:
                            await self.pace()  # requests waiting for their ack go first
                        if await self._deliver(row, given_up):
                            completed += 1
                    if given_up:
                        self.ledger.report(
                            lambda rows=list(given_up): delivery.gave_up(self.ctx, rows))
                        given_up = []
                    if lanes.soonest is not None and not self._fresh:
                        await self.ledger.durable()
                        await until_free(lanes.soonest, self._nudge, self.sleep)
            except StorageUnavailable as error:
                self.ledger.pause(error)
                self._read.forget()
                return completed

    def _due(self, tried: set[int]) -> list[OutboxRow]:
        """Rows whose time has come or whose platform is back, but those ``tried`` in this
        pass; answers first, then the oldest; at most ``DUE_BATCH`` of them decoded at once
        (after an opening, its 200 invitations took one 31 ms turn of the loop)."""
        self._fresh = False
        now = self.monotonic()
        self._parked = {number: at for number, at in self._parked.items() if at > now}
        numbers = self.store.outbox.due_numbers(to_iso(self.clock()),
                                                skip=self._parked.keys() | tried,
                                                limit=DUE_BATCH)
        rows = {row.id: row for row in self._read.rows(self.store.outbox, numbers)}
        for number in self._released - set(rows):
            row = self.store.outbox.get(number)
            if row is not None and row.status == "pending":
                rows[number] = row
        self._released.clear()
        return sorted(rows.values(),
                      key=lambda row: (row.recipient.get("kind") != "reply", row.id))

    def _chats_of(self, row: OutboxRow) -> tuple[list[str], float]:
        try:
            return waiting_chats(self.targets(row), row, self._adapter_for, self._limiter)
        except Held:
            return [], 0.0

    def _limiter(self, adapter: Adapter) -> RateLimiter:
        limiter = self.limiters.get(adapter.platform)
        if limiter is None:
            limiter = self.limiters[adapter.platform] = RateLimiter.of(adapter.rate_limits)
        return limiter

    async def _deliver(self, row: OutboxRow, given_up: list[OutboxRow]) -> bool:
        """One pass over ``row``: every target not yet reached is tried on its own (a member's
        other accounts when one is unreachable); then the row is sent, held, left for a retry
        or given up. ``True`` when it is complete."""
        now = self.clock()
        if now >= relevance(row):
            self._give_up(row, "expired", given_up)
            return False
        attempt = _Attempt(Message.from_dict(row.message))
        recipient = Recipient.from_dict(row.recipient)
        # Targets marked "sending" by a process that stopped before recording the outcome.
        resumed = {key: row.attempted_at for key in row.attempting if key not in row.done}
        while True:
            try:
                targets = self.targets(row, attempt.unreachable)
            except Held as held:
                attempt.held = held
                break
            todo = [t for t in targets if t.key not in row.done and t.key not in row.failed
                    and t.key not in attempt.unreachable and t.key not in attempt.waiting]
            if not todo and not targets and not row.done:
                if recipient.skip:
                    break  # only the chat it was posted in, which shows it already: sent
                row.status, row.last_error = "skipped", "no channel"  # nowhere to post
                row.attempts += 1
                self.ledger.save(row)
                return True
            unreachable = len(attempt.unreachable)
            ready = []
            for target in todo:
                adapter = self._adapter_for(target)
                outage = self.outages.get(adapter.platform) if adapter is not None else None
                if adapter is None:
                    attempt.unreachable[target.key] = "no_adapter"
                elif outage is not None:  # no call while it is down: its probe decides
                    outage.rows.add(row.id)
                    attempt.waiting[target.key] = (now + MAX_BACKOFF,
                                                   f"{adapter.platform} unavailable")
                else:
                    ready.append((replace(target, unsure_since=resumed.get(target.key, "")),
                                  adapter))
            if ready:
                row.attempting = [target.key for target, _ in ready]
                row.attempted_at = to_iso(now)
                self.ledger.save(row)  # written before the call: a refused write sends nothing
            for target, adapter in ready:
                await self._send(row, target, adapter, attempt)
            if recipient.kind != "member" or len(attempt.unreachable) == unreachable:
                break  # only a member may have another account to try
        return self._conclude(row, attempt, given_up)

    async def _send(self, row: OutboxRow, target: Target, adapter: Adapter,
                    attempt: _Attempt) -> None:
        """Deliver to one target and record what happened to it on ``row`` and ``attempt``."""
        if attempt.message is None:
            attempt.message = self.ledger.write(lambda: reveal(self.ctx, written(
                self.ctx, attempt.template, row.language)))
        if attempt.message is None:  # the secret's owner left the network: nothing to mint
            row.failed[target.key] = "inactive"
            row.last_error = "secret not minted: member inactive"
            return
        await self._limiter(adapter).wait(target.address, group=target.channel)
        if self.pace is not None:  # its fsync would hold up a request's
            await self.pace()
        await self.ledger.durable()  # nothing leaves before what queued and marked it is on disk
        ref = None
        try:
            ref = await adapter.deliver(target, attempt.message)
        except RetryLater as later:
            attempt.waiting[target.key] = (self.clock() + timedelta(seconds=later.seconds),
                                           later.why or f"{adapter.platform} rate limit")
            return
        except Unreachable as refused:
            log.warning("outbox row %s: %s target unreachable (%s)", row.id, target.platform,
                        refused.reason)
            attempt.unreachable[target.key] = refused.reason
            return
        except Rejected as rejected:
            log.error("outbox row %s: %s refused it for good: %s", row.id, target.platform,
                      rejected)
            row.failed[target.key] = "rejected"
            row.last_error = f"{type(rejected.__cause__ or rejected).__name__}: {rejected}"[:300]
            return
        except OutcomeUnknown as unsure:  # maybe there: never sent a second time
            row.last_error = f"outcome unknown: {unsure}"[:300]
            log.warning("outbox row %s: %s may or may not have it (%s): counted as delivered, "
                        "not sent again", row.id, target.platform, unsure)
        except Exception as error:  # an adapter failure must never lose the row
            await self._failed(row, target, adapter, error, attempt)
            return
        row.done.append(target.key)
        if ref and row.topic:  # a message followed by a handler: where it is, to edit it
            row.refs[target.key] = ref
        if target.key in row.attempting:
            row.attempting.remove(target.key)
        self.ledger.save_sent(row)  # it went: if not recorded now, owed, never sent again

    async def _failed(self, row: OutboxRow, target: Target, adapter: Adapter,
                      error: Exception, attempt: _Attempt) -> None:
        """A failure to retry: a probe tells the platform's outage from this row's trouble."""
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:300]
        now = self.clock()
        try:
            await adapter.probe()
        except Exception as probe_error:
            outage = mark_down(self.outages, adapter.platform,
                                f"{type(probe_error).__name__}: {probe_error}", now)
            outage.rows.add(row.id)
            attempt.waiting[target.key] = (now + MAX_BACKOFF, row.last_error)
            return
        attempt.waiting[target.key] = (now + backoff(row.attempts), row.last_error)
        log.warning("outbox row %s failed on %s (attempt %s): %s", row.id, target.platform,
                    row.attempts, row.last_error)

    def _conclude(self, row: OutboxRow, attempt: _Attempt, given_up: list[OutboxRow]) -> bool:
        """Sent if every target got it (a member: one of their accounts did); pending while a
        target waits; else held, with the first reason met, or given up. ``handlers.delivery``
        hears of anything unreachable and of the fate of rows it follows."""
        row.attempting = []
        missed = [key for key in attempt.unreachable if key not in row.done]
        reached_member = bool(row.done) and Recipient.from_dict(row.recipient).kind == "member"
        held = attempt.held
        if held is None and missed and not reached_member:
            held = Held(*telling({key: attempt.unreachable[key] for key in missed}))
        if attempt.waiting:
            held = None  # another target is still on its way: the row stays pending
            when, why = min(attempt.waiting.values())
            row.status = "pending"
            row.next_attempt_at = to_iso(min(when, relevance(row)))
            row.last_error = why
        elif held is not None:
            row.status, row.held_reason, row.held_target = "held", held.reason, held.identity
            row.last_error = held.reason
        elif row.failed:
            row.status = "dead"
            given_up.append(row)
        else:
            row.status, row.sent_at = "sent", to_iso(self.clock())
        reports: list[Callable[[], None]] = []
        if attempt.unreachable or held is not None:
            unreachable = dict(attempt.unreachable)
            reports.append(lambda: delivery.report(self.ctx, row, unreachable))
        if row.topic:
            reports.append(lambda: delivery.outcome(self.ctx, row))
        self.ledger.finish(row, reports)
        return row.status == "sent"

    def _give_up(self, row: OutboxRow, reason: str, given_up: list[OutboxRow]) -> None:
        """``row`` stopped mattering before every target got it: recorded as ``expired`` with
        the targets it missed, and reported (the secretariat is told, in one notice per
        recipient, by ``handlers.delivery.gave_up``)."""
        try:
            keys = [target.key for target in self.targets(row)]
        except Held as held:
            keys = [held.identity or row.held_target or row.recipient.get("ref", "")]
        recipient = Recipient.from_dict(row.recipient)
        for key in [k for k in keys if k not in row.done] or [f"{recipient.kind}:{recipient.ref}"]:
            row.failed.setdefault(key, reason)
        if row.status == "held":
            row.last_error = row.last_error or row.held_reason
        row.status, row.attempting = reason, []
        log.warning("outbox row %s %s: not delivered to %s (%s)", row.id, reason,
                    ", ".join(k for k, r in row.failed.items() if r == reason), row.last_error)
        given_up.append(row)
        self.ledger.finish(row, [lambda: delivery.outcome(self.ctx, row)] if row.topic else [])

    def _expire_held(self) -> list[OutboxRow]:
        """Held rows that stopped mattering while they waited are given up too."""
        given_up: list[OutboxRow] = []
        for row in [r for r in self.store.outbox.held() if self.clock() >= relevance(r)]:
            self._give_up(row, "expired", given_up)
        return given_up

    async def _probe_outages(self) -> None:
        """Probe each platform that is down; one that answers gets what waited for it at once."""
        self._released |= await probe_outages(self.outages, self.adapters, self.fallback,
                                              self.clock())

    @property
    def paused(self) -> str | None:  # why the data dir refuses writes (nothing is sent)
        return self.ledger.paused

    def health(self) -> dict[str, Any]:  # what /healthz says (``health.py``)
        return health_of(self.store, self.clock(), self.paused, self.outages)

    async def run(self, interval: float = 1.0) -> None:
        """Deliver forever: on every wake-up, and every ``interval`` s for retries and probes."""
        while True:
            self._wake.clear()  # before the pass: a wake-up during it is not lost
            try:
                await self.flush()
            except Exception:
                log.exception("dispatcher pass failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()
