"""The dispatcher: the one place messages leave the bot, from the outbox to the adapters.

Handlers only write outbox rows. Delivering them here, row by row and target by target, is what
lets a restart resume where it stopped and a failure be retried without sending twice.

Each target of a row (a member's account, each platform's network channel) is delivered on its
own: one platform's outage never holds back the other's copy. A row is marked sent only when
every target got it. What fails is retried with capped backoff for as long as the message
matters (``OutboxRow.relevant_until``); then it is given up as ``expired``, and the
secretariat is told what did not reach whom. A platform that fails is marked down and probed
(Slack ``auth.test``, Telegram ``getMe``) with its own backoff: while it is down nothing is sent
to it, and as soon as a probe succeeds everything waiting for it goes. A platform that refuses a
message for good (``Rejected``) is reported at once; one that may not write to someone yet
(``Unreachable``) holds the row (``handlers.delivery`` decides who is told and when it goes).

The answer to a person (a ``reply`` recipient: ``handlers.types.ReplyTo``) is a row like the
others, queued with what the event changed; it goes before every other due row, and a pass
under way takes new answers between two rows, so a fan-out never makes someone wait.

Nothing goes out that could not be recorded: the targets about to be tried are written down
(``attempting``) before the platform is called, and the result after. When the data dir refuses
a write (a full disk), the dispatcher pauses — no sends at all — keeps what it learnt in memory,
and resumes once a write succeeds again; ``health`` says why. The guarantee is at most one copy
per target while the process lives (a full disk never multiplies a message) and at least one
across a crash: a target the process was sending to when it died is sent again after the
restart — on Slack only if the conversation does not show it already, on Telegram (which has no
way to tell) it may then arrive twice; it is never lost. A secret a message carries is minted
here, just before the adapter sends it (``handlers.minting``).

Sends whose outcome is unknown. Slack's ``chat.postMessage`` and Telegram's ``sendMessage``
take no idempotency key: a request sent again is a second message. So a request is retried
only when it certainly did not reach the platform — the connection was refused or timed out,
no connection was free, the request could not be written whole (a server acts only on a whole
request), or the platform answered with an error. When it went out whole and no answer came
back (a read timeout, the connection dropped after the request), the adapter looks where the
platform allows it (Slack: the conversation's recent history, for a message of ours with that
text) and sends again only if the message is not there. Where nothing can be looked up
(Telegram; Slack's ephemeral answers), it raises ``OutcomeUnknown`` and the target is recorded
as delivered, ``last_error`` saying ``outcome unknown: …``, never sent again. The reasoning: a
request written whole was almost always carried out — a read timeout means the platform was
slow to answer, not that it refused — so a second copy would be the likely outcome of a retry
and a lost message the rare one; the note keeps that rare case visible. A crash is the other
way round: its ``attempting`` mark is written before the rate limiter's wait and the fsync, so
"not sent" is as likely as "sent", and the message is sent again (after a look on Slack).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from bot.ratelimit import RateLimiter, RateLimits
from handlers import delivery
from handlers.context import DEFAULT_RELEVANCE, Context, to_iso, utc_now
from handlers.i18n import Catalog
from handlers.minting import reveal
from handlers.settings import Network
from handlers.types import Message, Recipient, ReplyTo
from storage.faults import StorageUnavailable
from storage.journal import JournalError
from storage.models import Member, OutboxRow
from storage.store import Store

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)  # between two tries of one row, at most
PROBE_BACKOFF = timedelta(seconds=30)  # between two probes of a platform that is down, at most
WAITING_AFTER = timedelta(minutes=1)  # a row still pending this long after it was queued waits

T = TypeVar("T")


class RetryLater(Exception):
    """Raised by an adapter when the platform said "slow down" (HTTP 429 ``Retry-After``,
    Telegram ``retry_after``), or when it must wait before it can tell whether a message is
    there (``why``): the row waits that long; it is not counted as a failure."""

    def __init__(self, seconds: float, why: str = "") -> None:
        self.seconds = seconds
        self.why = why
        super().__init__(f"retry after {seconds} s")


class Unreachable(Exception):
    """Raised by an adapter when the platform refuses for good to deliver to this target until
    something changes (Telegram's 403 "bot can't initiate conversation with a user": the person
    never opened the bot). ``reason`` is one of ``handlers.delivery.REASONS``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class Rejected(Exception):
    """Raised by an adapter when the platform refused this message for good (a malformed
    request, a message it will never accept): retrying cannot help, so the target is given up
    at once and the secretariat told."""


class OutcomeUnknown(Exception):
    """Raised by an adapter when a request that posts a message may have reached the platform
    but its answer never came back (a read timeout, the connection dropped after the request
    was sent), and the adapter could not find out (Slack: ``conversations.history``; Telegram
    offers no way). The target counts as delivered: see the module's rule."""


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
    waiting: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # target → when, why


@dataclass
class Outage:
    """A platform found failing: nothing is sent to it until a probe succeeds."""

    since: datetime
    error: str
    next_probe: datetime
    probes: int = 1
    rows: set[int] = field(default_factory=set)  # rows waiting for it


@dataclass(frozen=True)
class Target:
    """One concrete destination: a person's DM, a channel on one platform, or the answer to
    one event (``reply``: where and how the adapter shows it). ``unsure_since``: a previous
    process was sending to this target from that moment (UTC ISO 8601) when it stopped, so the
    message may be there already: an adapter that can look (Slack) looks before sending."""

    platform: str
    address: str
    label: str
    channel: bool = False
    reply: ReplyTo | None = None
    unsure_since: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.address}"


class Adapter(Protocol):
    """What the dispatcher needs of a platform: deliver one message to one target, or raise
    (``RetryLater``, ``Unreachable``, ``Rejected``, or anything for a failure to retry);
    ``probe``, a cheap call that raises while the platform cannot be used; and the
    ``rate_limits`` its sends are paced to."""

    platform: str
    rate_limits: RateLimits

    async def deliver(self, target: Target, message: Message) -> None: ...

    async def probe(self) -> None: ...


def telling(reasons: Mapping[str, str]) -> tuple[str, str]:
    """Of the identities a row could not reach (identity → reason), the one to report: what
    only the person can fix (they never opened the bot) before what the network can (a
    platform not connected), a real platform before the console."""
    identity = min(reasons, key=lambda i: (reasons[i] not in delivery.PERSON_REASONS,
                                           i.startswith("console:")))
    return reasons[identity], identity


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, capped at five minutes."""
    base = min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)
    return min(base * (0.5 + rng()), MAX_BACKOFF)


def probe_backoff(probes: int) -> timedelta:
    """Between probes of a platform that is down: 2, 4, 8, 16 seconds, then every 30."""
    return min(timedelta(seconds=2 ** min(probes, 20)), PROBE_BACKOFF)


def relevance(row: OutboxRow) -> datetime:
    """When ``row`` stops mattering (rows queued before it was recorded: the default)."""
    if row.relevant_until:
        moment = datetime.fromisoformat(row.relevant_until)
    elif row.created_at:
        moment = datetime.fromisoformat(row.created_at) + DEFAULT_RELEVANCE
    else:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def writing(work: Callable[[], T]) -> T:
    """Run ``work``, a storage write: an ``OSError`` means the data dir refused it."""
    try:
        return work()
    except StorageUnavailable:
        raise
    except OSError as error:
        raise StorageUnavailable(error) from error


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
        self.outages: dict[str, Outage] = {}
        self._released: set[int] = set()  # rows due at once: their platform answers again
        self.paused: str | None = None  # why the data dir refuses writes, while it does
        self._owed_rows: dict[int, OutboxRow] = {}  # delivered, not yet recorded
        self._owed_reports: list[Callable[[], None]] = []  # outcomes not yet told
        self._fresh = False  # an answer queued since the rows to deliver were looked up
        # Awaited before each row: requests waiting for their ack go first (bot/pacing.py).
        self.pace = pace

    def wake(self, answer: bool = False) -> None:
        """Something was queued: deliver it now. A pass under way looks again between two rows
        when it is an ``answer`` to someone, so it never waits behind a long fan-out."""
        self._fresh = self._fresh or answer
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
        if recipient.kind == "reply" and recipient.reply is not None:
            reply = recipient.reply
            return [Target(reply.platform, reply.chat or reply.user, self.catalog.t(
                lang, "dispatch.identity_label", identity=recipient.ref),
                channel=reply.mode == "chat" and reply.chat not in ("", reply.user),
                reply=reply)]
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

    # One pass.

    async def flush(self) -> int:
        """Deliver every due row, including those queued meanwhile (a notice about a row that
        could not be delivered goes out in the same pass); returns how many were completed.
        Nothing leaves before the change that queued it is durable, and each delivered target
        is recorded (one journal line) and made durable before the next delivery, so a crash
        never sends twice nor sends what a restart would not know about."""
        async with self._lock:
            if not self._catch_up():
                return 0
            completed = 0
            tried: set[int] = set()
            try:
                await self._probe_outages()
                given_up = self._expire_held()
                while True:
                    due = [row for row in self._due() if row.id not in tried]
                    if not due and not given_up:
                        await self._durable()
                        return completed
                    for row in due:
                        if self._fresh and row is not due[0]:
                            break  # queued meanwhile: answers to people go first
                        tried.add(row.id)
                        if self.pace is not None:
                            await self.pace()  # requests waiting for their ack go first
                        if await self._deliver(row, given_up):
                            completed += 1
                    if given_up:
                        self._report(lambda rows=list(given_up): delivery.gave_up(self.ctx, rows))
                        given_up = []
            except StorageUnavailable as error:
                self._pause(error)
                return completed

    def _due(self) -> list[OutboxRow]:
        """Rows whose time has come, and those a platform's recovery made due at once; answers
        to people first (someone is waiting for each), then the oldest."""
        self._fresh = False
        rows = {row.id: row for row in self.store.outbox.due(to_iso(self.clock()))}
        for number in self._released - set(rows):
            row = self.store.outbox.get(number)
            if row is not None and row.status == "pending":
                rows[number] = row
        self._released.clear()
        return sorted(rows.values(),
                      key=lambda row: (row.recipient.get("kind") != "reply", row.id))

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
                self._save(row)
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
                self._save(row)  # written before the call: a refused write sends nothing
            for target, adapter in ready:
                await self._send(row, target, adapter, attempt)
            if recipient.kind != "member" or len(attempt.unreachable) == unreachable:
                break  # only a member may have another account to try
        return self._conclude(row, attempt, given_up)

    async def _send(self, row: OutboxRow, target: Target, adapter: Adapter,
                    attempt: _Attempt) -> None:
        """Deliver to one target and record what happened to it on ``row`` and ``attempt``."""
        if attempt.message is None:
            attempt.message = self._write(lambda: reveal(self.ctx, attempt.template))
        if attempt.message is None:  # the secret's owner left the network: nothing to mint
            row.failed[target.key] = "inactive"
            row.last_error = "secret not minted: member inactive"
            return
        limiter = self.limiters.get(adapter.platform)
        if limiter is None:
            limiter = self.limiters[adapter.platform] = RateLimiter.of(adapter.rate_limits)
        await limiter.wait(target.address, group=target.channel)
        if self.pace is not None:  # its fsync would hold up a request's
            await self.pace()
        await self._durable()  # nothing leaves before what queued and marked it is on disk
        try:
            await adapter.deliver(target, attempt.message)
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
        if target.key in row.attempting:
            row.attempting.remove(target.key)
        try:
            self._save(row)
        except StorageUnavailable:
            self._owed_rows[row.id] = row  # it went: never send it again, record it later
            raise

    async def _failed(self, row: OutboxRow, target: Target, adapter: Adapter,
                      error: Exception, attempt: _Attempt) -> None:
        """A failure to retry. A probe tells the platform's outage (everything for it waits
        for the next successful probe) from this message's own trouble (it alone backs off)."""
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:300]
        now = self.clock()
        try:
            await adapter.probe()
        except Exception as probe_error:
            outage = self._down(adapter.platform, f"{type(probe_error).__name__}: {probe_error}")
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
        self._finish(row, reports)
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
        self._finish(row, [lambda: delivery.outcome(self.ctx, row)] if row.topic else [])

    def _expire_held(self) -> list[OutboxRow]:
        """Held rows that stopped mattering while they waited are given up too."""
        now = self.clock()
        given_up: list[OutboxRow] = []
        for row in self.store.outbox.held():
            if now >= relevance(row):
                self._give_up(row, "expired", given_up)
        return given_up

    # Platforms that fail.

    def _down(self, platform: str, error: str) -> Outage:
        outage = self.outages.get(platform)
        if outage is None:
            now = self.clock()
            outage = self.outages[platform] = Outage(now, error, now + probe_backoff(1))
            log.error("%s unavailable (%s): its deliveries wait; probing it until it answers",
                      platform, error)
        return outage

    async def _probe_outages(self) -> None:
        """Probe each platform that is down and due for it; one that answers gets everything
        that waited for it at once, without waiting for each row's own timer."""
        now = self.clock()
        for platform, outage in list(self.outages.items()):
            adapter = self.adapters.get(platform) or (
                self.fallback if self.fallback is not None
                and self.fallback.platform == platform else None)
            if adapter is None:
                self._released |= self.outages.pop(platform).rows
                continue
            if outage.next_probe > now:
                continue
            try:
                await adapter.probe()
            except Exception as error:
                outage.probes += 1
                outage.next_probe = now + probe_backoff(outage.probes)
                outage.error = f"{type(error).__name__}: {error}"[:300]
                continue
            log.warning("%s answers again after %s: %s waiting deliveries resume", platform,
                        now - outage.since, len(outage.rows))
            self._released |= self.outages.pop(platform).rows

    # Storage that refuses writes.

    def _write(self, work: Callable[[], T]) -> T:
        """``work`` as one transaction of its own; a write the data dir refuses (a full disk)
        raises ``StorageUnavailable``."""
        def transaction() -> T:
            with self.store.transaction():
                return work()

        return writing(transaction)

    async def _durable(self) -> None:
        try:
            await self.store.durable()
        except (OSError, JournalError) as error:
            raise StorageUnavailable(error) from error

    def _save(self, row: OutboxRow) -> None:
        self._write(lambda: self.store.outbox.save(row))
        self._resume()

    def _finish(self, row: OutboxRow, reports: list[Callable[[], None]]) -> None:
        """Record ``row``, then tell what happened; what cannot be written now is owed."""
        try:
            self._save(row)
        except StorageUnavailable:
            self._owed_rows[row.id] = row
            self._owed_reports += reports
            raise
        for report in reports:
            self._report(report)

    def _report(self, report: Callable[[], None]) -> None:
        try:
            self._write(report)
        except StorageUnavailable:
            self._owed_reports.append(report)
            raise
        except Exception:
            log.exception("reporting a delivery outcome failed")

    def _catch_up(self) -> bool:
        """Write what a refused write left owed (rows delivered, outcomes); ``False`` while the
        data dir still refuses: nothing is sent meanwhile."""
        if not self._owed_rows and not self._owed_reports:
            return True  # if paused, the next write (a "sending" mark) is the probe
        try:
            for number, row in list(self._owed_rows.items()):
                self._save(row)
                del self._owed_rows[number]
            while self._owed_reports:
                self._report(self._owed_reports.pop(0))
        except StorageUnavailable as error:
            self._pause(error)
            return False
        self._resume()
        return True

    def _pause(self, error: StorageUnavailable) -> None:
        if self.paused is None:
            log.error("deliveries paused: %s; nothing is sent until a write succeeds", error)
        self.paused = error.reason

    def _resume(self) -> None:
        if self.paused is not None and not self._owed_rows and not self._owed_reports:
            log.warning("deliveries resume: the data dir accepts writes again")
            self.paused = None

    # What /healthz says.

    def health(self) -> dict[str, Any]:
        """``ok``, or ``degraded`` with the reasons: ``disk`` (writes refused: paused),
        ``platform:<name>`` (down, probed), ``deliveries_waiting`` (rows queued a while ago
        and still not delivered); with the outbox's counts."""
        counts = self.store.outbox.counts()
        horizon = to_iso(self.clock() - WAITING_AFTER)
        waiting = sum(1 for row in self.store.outbox.pending() if row.created_at < horizon)
        reasons = (["disk"] if self.paused else []) + [
            f"platform:{platform}" for platform in sorted(self.outages)] + (
            ["deliveries_waiting"] if waiting else [])
        return {
            "status": "degraded" if reasons else "ok", "reasons": reasons,
            "disk": self.paused or "ok",
            "platforms_down": {platform: {"since": to_iso(outage.since), "error": outage.error,
                                          "waiting": len(outage.rows)}
                               for platform, outage in sorted(self.outages.items())},
            "outbox_pending": counts["pending"], "outbox_waiting": waiting,
            "outbox_held": counts["held"], "outbox_expired": counts["expired"],
            "outbox_dead": counts["dead"]}

    async def run(self, interval: float = 1.0) -> None:
        """Deliver forever: on every wake-up, and every ``interval`` seconds for retries and
        probes."""
        while True:
            self._wake.clear()  # before the pass: a wake-up during it is not lost
            try:
                await self.flush()
            except Exception:
                log.exception("dispatcher pass failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._wake.wait()
