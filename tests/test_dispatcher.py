"""The outbox and the dispatcher: delivered once, recorded, retried on failure, never lost."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest

from bot.app import BotApp
from bot.dispatch.contract import Target
from bot.dispatch.dispatcher import DUE_BATCH
from bot.dispatch.timing import backoff
from bot.ratelimit import RateLimiter, RateLimits
from handlers.types import Message, Outgoing, Recipient, ReplyTo
from storage.collection import Collection
from tests.conftest import Clock


class Recorder:
    """An adapter that records deliveries and fails while ``failing`` is set."""

    rate_limits = RateLimits()

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[Target, Message]] = []
        self.failing = False

    async def deliver(self, target: Target, message: Message) -> None:
        if self.failing:
            raise ConnectionError("platform down")
        self.sent.append((target, message))

    async def probe(self) -> None:
        if self.failing:
            raise ConnectionError("platform down")


def queue(app: BotApp, key: str, recipient: Recipient, title: str = "Bonjour") -> bool:
    return app.ctx.queue(Outgoing(recipient, Message(title=title), "fr", key))


async def test_rows_go_to_the_members_platform_and_are_recorded(app: BotApp) -> None:
    telegram, console = Recorder("telegram"), Recorder("console")
    app.add_adapter(telegram)
    app.add_adapter(console, fallback=True)
    queue(app, "k1", Recipient("member", "awa"))
    queue(app, "k2", Recipient("member", "sarah"))  # slack: no adapter, goes to the fallback
    assert await app.dispatcher.flush() == 2
    assert [(t.platform, t.address, t.label) for t, _ in telegram.sent] == [
        ("telegram", "100000001", "UNICEF (Awa Traoré, telegram)")]
    assert [(t.platform, t.label) for t, _ in console.sent] == [
        ("slack", "HCR (Sarah Johnson, slack)")]
    rows = app.store.outbox.all()
    assert all(r.status == "sent" and r.sent_at for r in rows)
    assert await app.dispatcher.flush() == 0  # nothing sent twice
    assert len(telegram.sent) == 1


async def test_the_same_key_is_queued_once(app: BotApp) -> None:
    assert queue(app, "same", Recipient("member", "awa")) is True
    assert queue(app, "same", Recipient("member", "awa")) is False
    assert len(app.store.outbox.all()) == 1


async def test_a_failure_leaves_the_row_for_a_later_retry(app: BotApp, clock: Clock) -> None:
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    telegram.failing = True
    queue(app, "k", Recipient("member", "awa"))
    assert await app.dispatcher.flush() == 0
    row = app.store.outbox.all()[0]
    assert row.status == "pending" and row.attempts == 1 and "platform down" in row.last_error
    telegram.failing = False
    assert await app.dispatcher.flush() == 0  # not due yet: backoff
    clock.now += timedelta(minutes=1)
    assert await app.dispatcher.flush() == 1
    assert len(telegram.sent) == 1 and app.store.outbox.all()[0].status == "sent"


async def test_a_row_that_keeps_failing_is_retried_until_it_stops_mattering(
        app: BotApp, clock: Clock) -> None:
    telegram = Recorder("telegram")
    telegram.failing = True
    app.add_adapter(telegram)
    queue(app, "k", Recipient("member", "awa"))  # three days by default
    for _ in range(70):  # an hour apart: never given up after a fixed number of attempts
        await app.dispatcher.flush()
        clock.now += timedelta(hours=1)
    [row] = [r for r in app.store.outbox.all() if r.key == "k"]
    assert row.status == "pending"  # no death after a fixed number of attempts
    assert row.attempts == 1  # while the platform is down, its probe is tried, not the row
    clock.now += timedelta(hours=3)
    await app.dispatcher.flush()
    row = app.store.outbox.get(row.id)
    assert row.status == "expired" and row.failed == {"telegram:100000001": "expired"}


async def test_channel_rows_fan_out_and_resume_only_what_failed(app: BotApp, network,
                                                                clock: Clock) -> None:
    from dataclasses import replace

    app.dispatcher.network = replace(network, channels={"slack": "C1", "telegram": "-100"})
    slack, telegram = Recorder("slack"), Recorder("telegram")
    app.add_adapter(slack)
    app.add_adapter(telegram)
    telegram.failing = True
    app.ctx.announce("news", lambda lang: Message(title="Annonce"))
    await app.dispatcher.flush()
    assert len(slack.sent) == 1 and not telegram.sent
    telegram.failing = False
    clock.now += timedelta(minutes=5)
    await app.dispatcher.flush()
    assert len(slack.sent) == 1 and len(telegram.sent) == 1  # slack not sent twice
    assert telegram.sent[0][0].address == "-100"


async def test_pending_rows_survive_a_restart(tmp_path, network, clock: Clock) -> None:
    from storage.store import Store

    store = Store.open(tmp_path / "d")
    first = BotApp(store, network, clock=clock)
    queue(first, "k", Recipient("member", "awa"))
    store.close()
    store = Store.open(tmp_path / "d")
    second = BotApp(store, network, clock=clock)
    telegram = Recorder("telegram")
    second.add_adapter(telegram)
    assert await second.dispatcher.flush() == 1
    assert len(telegram.sent) == 1
    store.close()


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1, lambda: 0.5) == timedelta(seconds=2)
    assert backoff(3, lambda: 0.5) == timedelta(seconds=8)
    assert backoff(30, lambda: 0.5) == timedelta(minutes=5)
    assert backoff(30, lambda: 0.99) == timedelta(minutes=5)  # the jitter stays under the cap


async def test_a_row_queued_as_a_pass_ends_is_delivered_at_once_not_at_the_next_tick(
        app: BotApp) -> None:
    """A request whose answer is queued while a pass finishes (its wake-up comes during the
    pass) gets a pass right away, not after the dispatcher's interval."""
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    dispatcher = app.dispatcher
    real_flush = dispatcher.flush
    arrived = asyncio.Event()

    async def flush_then_a_request_arrives() -> int:
        done = await real_flush()
        if not arrived.is_set():
            arrived.set()
            with app.store.transaction():
                queue(app, "late-comer", Recipient("member", "awa"))
            dispatcher.wake()
        return done

    delivered = asyncio.Event()
    real_deliver = telegram.deliver

    async def deliver(target: Target, message: Message) -> None:
        await real_deliver(target, message)
        delivered.set()

    telegram.deliver = deliver  # type: ignore[method-assign]
    dispatcher.flush = flush_then_a_request_arrives  # type: ignore[method-assign]
    running = asyncio.create_task(dispatcher.run(interval=3600))
    try:
        await asyncio.wait_for(delivered.wait(), 5)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert app.store.outbox.all()[0].status == "sent"


async def test_answers_go_before_the_rows_queued_earlier(app: BotApp) -> None:
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    for n in range(5):
        queue(app, f"fan-out:{n}", Recipient("member", "awa"), title=f"Invitation {n}")
    queue(app, "answer:telegram:update:1",
          Recipient.answer(ReplyTo("telegram", "100000001", "100000001")), title="Réponse")
    await app.dispatcher.flush()
    assert [m.title for _, m in telegram.sent][0] == "Réponse"
    [answer] = [t for t, m in telegram.sent if m.title == "Réponse"]
    assert answer.reply is not None and answer.address == "100000001"


async def test_an_answer_queued_during_a_fan_out_goes_before_the_rest_of_it(
        app: BotApp) -> None:
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    for n in range(5):
        queue(app, f"fan-out:{n}", Recipient("member", "awa"), title=f"Invitation {n}")
    first_sent, go_on = asyncio.Event(), asyncio.Event()
    real_deliver = telegram.deliver

    async def slow_first(target: Target, message: Message) -> None:
        await real_deliver(target, message)
        if not first_sent.is_set():
            first_sent.set()
            await go_on.wait()

    telegram.deliver = slow_first  # type: ignore[method-assign]
    passing = asyncio.create_task(app.dispatcher.flush())
    await first_sent.wait()
    with app.store.transaction():  # a request is answered while the fan-out goes on
        queue(app, "answer:telegram:update:2",
              Recipient.answer(ReplyTo("telegram", "100000001", "100000001")), title="Réponse")
    app.dispatcher.wake(answer=True)
    go_on.set()
    await passing
    assert [m.title for _, m in telegram.sent][:2] == ["Invitation 0", "Réponse"]
    assert len(telegram.sent) == 6


class Ticking:
    """Time that moves only when someone waits: a rate limiter's clock and sleep."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def paced_telegram(app: BotApp) -> tuple[Recorder, Ticking, RateLimiter]:
    """A Telegram recorder paced at one message a second per chat, on time that moves only
    when the dispatcher or the limiter waits."""
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    time = Ticking()
    limiter = RateLimiter(per_chat_interval=1.0, clock=time.clock, sleep=time.sleep)
    app.dispatcher.limiters["telegram"] = limiter
    app.dispatcher.sleep, app.dispatcher.monotonic = time.sleep, time.clock
    return telegram, time, limiter


async def test_a_chat_waiting_for_its_turn_does_not_hold_back_the_other_chats(
        app: BotApp) -> None:
    """Three messages for one chat that has just received one, then one for another chat: the
    other chat's goes at once and the first chat's three follow in their order. Before, the
    pass waited for the busy chat's turn before each of its rows, and everything queued behind
    them (under a burst: the answers to other people) waited too."""
    telegram, time, limiter = paced_telegram(app)
    await limiter.wait("42")  # the chat has just received something
    for n in range(3):
        queue(app, f"busy:{n}", Recipient("identity", "telegram:42"), title=f"busy {n}")
    queue(app, "free", Recipient("identity", "telegram:43"), title="free")
    assert await app.dispatcher.flush() == 4
    assert [(t.address, m.title) for t, m in telegram.sent] == [
        ("43", "free"), ("42", "busy 0"), ("42", "busy 1"), ("42", "busy 2")]
    assert time.now == 1003.0  # one second between two messages in the busy chat, no more


async def test_a_row_waiting_for_its_chat_is_not_read_again_before_the_chat_is_free(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five chats, each free at its own moment: each row is read (decoded) once, and not looked
    at again before its chat is free (``lanes.py``, ``rows.py``). Before, every row still waiting
    was read again at every turn of the pass (hundreds of card edits waiting their turn under a
    burst: a third of the bot's work)."""
    telegram, time, limiter = paced_telegram(app)
    for chat in range(5):  # each chat received something, 0.2 s apart
        await limiter.wait(str(50 + chat))
        time.now += 0.2
    for chat in range(5):
        queue(app, f"edit:{chat}", Recipient("identity", f"telegram:{50 + chat}"))
    read: list[str] = []
    real = Collection._load

    def counting(self: Collection, doc: dict) -> object:
        if self.name == "outbox":
            read.append(doc["key"])
        return real(self, doc)

    monkeypatch.setattr(Collection, "_load", counting)
    assert await app.dispatcher.flush() == 5
    assert [t.address for t, _ in telegram.sent] == ["50", "51", "52", "53", "54"]
    assert sorted(read) == [f"edit:{chat}" for chat in range(5)]  # each read once


async def test_a_pass_does_not_wait_for_a_chat_whose_row_is_no_longer_pending(
        app: BotApp) -> None:
    """A row parked for its busy chat, then superseded or sent by another pass: the pass has
    nothing left to wait for and ends at once (it waited for the chat's turn for nothing)."""
    telegram, time, _ = paced_telegram(app)
    queue(app, "gone", Recipient("identity", "telegram:60"))
    [row] = app.store.outbox.all()
    with app.store.transaction():
        row.status = "skipped"
        app.store.outbox.save(row)
    app.dispatcher._parked[row.id] = time.clock() + 30.0  # parked before it was superseded
    assert await app.dispatcher.flush() == 0
    assert time.now == 1000.0 and telegram.sent == []


async def test_due_rows_are_decoded_a_batch_at_a_time_answers_first(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an opening, its 200 invitations were decoded in one turn of the loop (31 ms)."""
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    many = 2 * DUE_BATCH + 5
    for n in range(many):
        queue(app, f"k{n}", Recipient("member", "awa"), title=f"Invitation {n}")
    queue(app, "answer:telegram:update:9",
          Recipient.answer(ReplyTo("telegram", "100000001", "100000001")), title="Réponse")
    decoded: list[int] = []
    real_get = app.store.outbox.get
    monkeypatch.setattr(app.store.outbox, "get",
                        lambda number: decoded.append(number) or real_get(number))
    at_first_delivery: list[int] = []
    real_deliver = telegram.deliver

    async def noting(target: Target, message: Message) -> None:
        at_first_delivery.append(len(decoded))
        await real_deliver(target, message)

    telegram.deliver = noting  # type: ignore[method-assign]
    assert await app.dispatcher.flush() == many + 1
    assert at_first_delivery[0] <= DUE_BATCH
    assert [m.title for _, m in telegram.sent][:2] == ["Réponse", "Invitation 0"]
    assert len(telegram.sent) == many + 1  # each once
