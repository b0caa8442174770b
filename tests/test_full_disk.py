"""A full disk never multiplies messages and never answers as done what it did not record: the
dispatcher sends nothing it could not record, pauses (once in the log, ``disk`` in ``/healthz``)
and resumes when a write succeeds; a click or a Telegram update that cannot be stored is refused
with a 503, so the platform shows an error or sends it again.

The fault is injected at the storage write call (``tests/support/faults.py``), as
``OSError(ENOSPC)``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import BotApp
from handlers.types import Message
from storage.faults import StorageUnavailable
from tests.conftest import Clock, say
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    NETWORK_CHANNEL,
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import FakeTelegram, callback_update
from tests.support.faults import FullDisk, disk  # noqa: F401 (fixture)
from tests.support.previews import say_and_send
from tests.support.telegram_runtime import AWA, post, running

SARAH = "U0DEMOSJ"  # UNHCR, on Slack


async def passes(bot: Bot, clock: Clock, count: int) -> None:
    """The dispatcher's passes, one simulated second apart."""
    from datetime import timedelta

    for _ in range(count):
        await bot.app.dispatcher.flush()
        clock.now += timedelta(seconds=1)


async def health(bot: Bot) -> dict:
    async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{bot.runtime.port}/healthz") as response:
        return await response.json()


def announcements(bot: Bot) -> int:
    return [p["text"] for p in bot.fake.posted(NETWORK_CHANNEL)].count("Annonce")


async def test_a_full_disk_sends_nothing_it_could_not_record(
        bot: Bot, clock: Clock, disk: FullDisk, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    bot.app.ctx.announce("news", lambda lang: Message(title="Annonce"))
    disk.fill()
    with caplog.at_level(logging.ERROR, logger="bot.dispatch"):
        await passes(bot, clock, 60)
    assert announcements(bot) == 0  # the "sending" mark could not be written: nothing sent
    assert bot.app.dispatcher.paused == "disk full"
    assert sum("deliveries paused" in r.message for r in caplog.records) == 1  # not every second
    report = await health(bot)
    assert report["status"] == "degraded" and "disk" in report["reasons"]
    assert report["disk"] == "disk full"
    disk.free()
    await passes(bot, clock, 2)
    assert announcements(bot) == 1 and bot.app.store.outbox.all()[0].status == "sent"
    assert (await health(bot))["status"] == "ok" and bot.app.dispatcher.paused is None


async def test_a_disk_filling_after_the_send_gives_at_most_one_copy(
        bot: Bot, clock: Clock, disk: FullDisk) -> None:  # noqa: F811
    bot.app.ctx.announce("news", lambda lang: Message(title="Annonce"))
    disk.fill(allowed=1)  # the mark is written, the message sent, then "sent" cannot be
    await passes(bot, clock, 60)
    assert announcements(bot) == 1  # not once a second, as before: never again
    [row] = bot.app.store.outbox.all()
    assert row.status == "pending" and row.attempting == [f"slack:{NETWORK_CHANNEL}"]  # on disk
    disk.free()
    await passes(bot, clock, 3)
    [row] = bot.app.store.outbox.all()
    assert row.status == "sent" and row.done == [f"slack:{NETWORK_CHANNEL}"]
    assert announcements(bot) == 1


def test_a_command_whose_write_fails_is_not_answered_as_done(
        app: BotApp, disk: FullDisk) -> None:  # noqa: F811
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    disk.fill()
    with pytest.raises(StorageUnavailable):  # no reply at all, neither success nor « Rien
        say(app, "awa", "position 1 accord")  # n'a été perdu »: the adapter refuses it
    assert app.store.positions.current(1) == {}
    disk.free()
    assert "UNICEF" in say(app, "awa", "position 1 accord").message.plain_text()


async def test_a_slack_click_that_cannot_be_stored_is_refused_with_503(
        bot: Bot, disk: FullDisk) -> None:  # noqa: F811
    say_and_send(bot.app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    disk.fill()
    status, _ = await bot.slack.click(SARAH, "position.agree", "1")
    assert status == 503  # Slack shows the person an error: nothing looks recorded
    await bot.app.dispatcher.flush()
    assert not bot.fake.called("response_url") and not bot.fake.called("chat.update")
    assert bot.app.store.positions.current(1) == {}
    disk.free()
    status, _ = await bot.slack.click(SARAH, "position.agree", "1")
    assert status == 200 and bot.app.store.positions.current(1)["UNHCR"].choice == "agree"


async def test_a_slack_event_that_cannot_be_stored_is_handled_when_slack_sends_it_again(
        bot: Bot, disk: FullDisk) -> None:  # noqa: F811
    say_and_send(bot.app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    message = {"type": "message", "channel": "D0DEMOSJ", "channel_type": "im", "user": SARAH,
               "text": "position 1 accord", "ts": "1764349300.000200"}
    disk.fill(allowed=1)  # the event id is recorded, the position is not
    assert (await bot.slack.event(message, "Ev0PLEIN"))[0] == 503
    disk.free()
    assert (await bot.slack.event(message, "Ev0PLEIN", retry=1))[0] == 200
    assert bot.app.store.positions.current(1)["UNHCR"].choice == "agree"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def test_a_telegram_update_that_cannot_be_stored_gets_503_and_is_sent_again(
        app: BotApp, telegram: FakeTelegram, disk: FullDisk) -> None:  # noqa: F811
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    runtime = await running(app, telegram)
    try:
        click = callback_update(700, AWA, "position.agree|1")
        disk.fill(allowed=1)  # the update id is recorded, the position is not
        assert await post(runtime, click) == 503  # Telegram delivers it again
        assert not telegram.called("answerCallbackQuery")  # no toast saying it was done
        disk.free()
        assert await post(runtime, click) == 200
        assert app.store.positions.current(1)["UNICEF"].choice == "agree"
        assert len(telegram.called("answerCallbackQuery")) == 1
    finally:
        await runtime.stop()


async def test_a_failed_fsync_refuses_the_update_instead_of_acknowledging_it(
        app: BotApp, telegram: FakeTelegram) -> None:
    """The write went through but the fsync that makes it durable failed (an I/O error):
    Telegram must hear 503 and send the update again, never a 200 for what may be lost."""
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    runtime = await running(app, telegram)

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    try:
        journal = app.store._engine.journal
        assert journal is not None
        journal.fsync = failing
        assert await post(runtime, callback_update(701, AWA, "position.agree|1")) == 503
        assert not telegram.called("answerCallbackQuery")
    finally:
        await runtime.stop()
