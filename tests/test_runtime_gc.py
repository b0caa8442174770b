"""While the bot serves, what start-up loaded is out of the garbage collector's reach and its
passes are rarer than Python's defaults (under a burst of clicks, the defaults ran full passes
over the month's data while requests waited), and compaction's worker knows when requests are in
flight (``storage/compaction.py``); all is given back when it stops."""

from __future__ import annotations

import gc

import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.runtime import GC_THRESHOLDS, Runtime


async def test_the_collector_is_tuned_while_serving_and_restored_after(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.jobs, "start", lambda: None)  # nothing fires on the real clock
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    runtime = Runtime(app, Environment(host="127.0.0.1", port=0), platforms=[])
    await runtime.start()
    try:
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
        busy = app.store.engine.busy  # compaction yields to requests in flight
        assert busy is not None and not busy()
        with app.acks_first.request():
            assert busy()
    finally:
        await runtime.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert app.store.engine.busy is None
