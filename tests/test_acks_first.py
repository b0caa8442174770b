"""Acknowledgements first: what follows an ack (the answer on the clicked message, the messages
the dispatcher delivers) waits while requests wait for theirs; a lone request is made durable
without a worker thread's round trip."""

from __future__ import annotations

import asyncio
import threading

from bot.app import BotApp
from bot.pacing import AcksFirst
from handlers.types import Inbound
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.previews import say_and_send


async def test_work_after_an_ack_waits_for_the_requests_in_flight() -> None:
    pacing = AcksFirst(quiet=0)
    order: list[str] = []

    async def answer() -> None:
        order.append("answer")

    with pacing.request():
        later = asyncio.create_task(pacing.after_ack(answer()))
        for _ in range(5):
            await asyncio.sleep(0)  # the answer's task gets turns, and waits
        order.append("ack")
    await later
    assert order == ["ack", "answer"]


async def test_a_request_that_never_ends_does_not_starve_the_answers() -> None:
    pacing = AcksFirst(max_wait=0)
    done: list[str] = []

    async def answer() -> None:
        done.append("answer")

    with pacing.request():
        await pacing.after_ack(answer())
    assert done == ["answer"]


def test_requests_in_quick_succession_hold_the_answers_back_until_calm() -> None:
    """In a burst the next request is often on its way when one is acknowledged."""
    now = [100.0]
    pacing = AcksFirst(max_wait=2.0, quiet=0.01, clock=lambda: now[0])
    assert pacing.is_open()
    with pacing.request():
        assert not pacing.is_open()
    now[0] += 0.005
    assert not pacing.is_open()  # not calm yet: another request may follow
    with pacing.request():
        now[0] += 0.002
    now[0] += 0.011
    assert pacing.is_open()  # calm
    with pacing.request():  # a new stretch of requests that never calms down
        for _ in range(500):
            now[0] += 0.005
            with pacing.request():
                pass
            if _ == 300:
                assert not pacing.is_open()  # 1.5 s: still held back
        assert pacing.is_open()  # over two seconds of it: the answers no longer wait


async def test_the_dispatcher_delivers_once_no_request_waits_for_its_ack(bot: Bot) -> None:
    """Under a burst, the colleagues' messages used to compete with the acks still owed."""
    app = bot.app
    with app.acks_first.request():  # a click still waiting for its ack
        say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")  # queues the invitations
        for _ in range(20):
            await asyncio.sleep(0)
        assert bot.fake.called("chat.postMessage") == []
        assert app.store.outbox.pending()
    await app.dispatcher.flush()
    assert bot.fake.called("chat.postMessage") and not app.store.outbox.pending()


async def test_a_lone_request_is_made_durable_without_a_worker_thread(app: BotApp) -> None:
    journal = app.store.engine.journal
    threads: list[int] = []
    real = journal.fsync

    def noting(fd: int) -> None:
        threads.append(threading.get_ident())
        real(fd)

    journal.fsync = noting
    await app.handle_durably(Inbound(platform="console", user_id="aminata",
                                     text="réunion mardi 1 décembre 10h"))
    with app.acks_first.request(), app.acks_first.request():  # two requests in flight
        say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")
        await app.store.durable(inline=app.acks_first.alone())
    assert threads[0] == threading.get_ident() and threads[-1] != threading.get_ident()
