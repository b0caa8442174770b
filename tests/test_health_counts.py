"""What ``/healthz`` says of the outbox comes from memory: a monitor asks every few seconds,
and while a backlog of thousands waits (after a burst, during an outage), decoding each
pending row to read when it was queued held every request up for milliseconds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import BotApp
from bot.dispatch.health import health_of
from bot.dispatch.timing import WAITING_AFTER
from handlers.types import Message, Outgoing, Recipient
from tests.conftest import Clock
from tests.test_dispatcher import Recorder


def queue(app: BotApp, key: str) -> None:
    assert app.ctx.queue(Outgoing(Recipient("member", "awa"), Message(title="Bonjour"), "fr",
                                  key))


async def test_rows_waiting_are_counted_without_decoding_one(
        app: BotApp, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        queue(app, f"old:{n}")
    clock.now += WAITING_AFTER + timedelta(seconds=1)
    queue(app, "new")

    def decoded(number: int) -> None:
        raise AssertionError(f"row {number} decoded")

    with monkeypatch.context() as patched:
        patched.setattr(app.store.outbox, "get", decoded)
        patched.setattr(app.store.outbox._c, "get_number", decoded)
        health = health_of(app.store, clock(), None, {})
    assert (health["outbox_pending"], health["outbox_waiting"]) == (4, 3)
    assert health["reasons"] == ["deliveries_waiting"]

    app.add_adapter(Recorder("telegram"))
    await app.dispatcher.flush()
    health = health_of(app.store, clock(), None, {})
    assert (health["status"], health["outbox_pending"], health["outbox_waiting"]) == ("ok", 0, 0)
