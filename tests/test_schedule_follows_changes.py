"""``BotApp.handle`` keeps APScheduler in step only with what a request changed: a click that
changes nothing the schedule is derived from touches no job at all."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from tests.conftest import Clock, click
from tests.support.previews import say_and_send


async def test_a_click_that_changes_nothing_reconciles_nothing(
        app: BotApp, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    app.jobs.scheduler.start(paused=True)  # kept in step, firing nothing on the real clock
    try:
        say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")
        click(app, "sarah", "rsvp.present", "1")
        before = app.jobs.job_ids()
        touched: list[object] = []
        monkeypatch.setattr(app.jobs, "reconcile", lambda *args: touched.append(args))
        monkeypatch.setattr(app.jobs, "replace", lambda *args: touched.append(args))
        click(app, "sarah", "rsvp.present", "1")  # the same answer again: nothing changes
        click(app, "awa", "unknown.action", "1")
        assert touched == [] and app.jobs.job_ids() == before
    finally:
        app.stop()
