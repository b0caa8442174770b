"""A delivered outbox row keeps its receipt, not its body: the message is in the chat, and a
month of bodies held in memory was most of the bot's memory. Rows that did not reach everyone
keep the whole message, for the retry and for the secretariat."""

from __future__ import annotations

from pathlib import Path

from bot.app import BotApp
from handlers import todo_views
from handlers.types import Message, Outgoing, Recipient
from storage.store import Store
from tests.conftest import Clock
from tests.test_dispatcher import Recorder

BODY = Message(title="Consultation n° 1", paragraphs=["Proposition", "Échéance"],
               buttons=[])


def queue(app: BotApp, key: str, recipient: Recipient) -> None:
    assert app.ctx.queue(Outgoing(recipient, BODY, "fr", key))


def stored(data_dir: Path) -> dict[str, dict]:
    """The rows as a restart reads them: key → message."""
    store = Store.open(data_dir, lock=False)
    try:
        return {row.key: row.message for row in store.outbox.all()}
    finally:
        store.close()


async def test_a_delivered_row_keeps_its_title_and_the_platform_got_the_body(
        app: BotApp, tmp_path: Path) -> None:
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    queue(app, "k", Recipient("member", "awa"))
    assert await app.dispatcher.flush() == 1
    [(_, sent)] = telegram.sent
    assert sent.paragraphs == BODY.paragraphs
    [row] = app.store.outbox.all()
    assert (row.status, row.message, row.sent_at is not None) == (
        "sent", {"title": BODY.title}, True)
    assert stored(tmp_path / "data") == {"k": {"title": BODY.title}}


async def test_a_row_that_did_not_reach_keeps_its_body(app: BotApp, clock: Clock,
                                                      tmp_path: Path) -> None:
    telegram = Recorder("telegram")
    telegram.failing = True
    app.add_adapter(telegram)
    queue(app, "failing", Recipient("member", "awa"))
    queue(app, "nowhere", Recipient("channel", "network"))  # no channel configured: skipped
    await app.dispatcher.flush()
    rows = {row.key: row for row in app.store.outbox.all()}
    assert (rows["failing"].status, rows["nowhere"].status) == ("pending", "skipped")
    assert all(row.message == BODY.to_dict() for row in rows.values())
    assert stored(tmp_path / "data") == {"failing": BODY.to_dict(), "nowhere": BODY.to_dict()}


async def test_a_superseded_row_keeps_no_body(app: BotApp) -> None:
    queue(app, "card:7:0", Recipient("member", "awa"))
    assert app.store.outbox.supersede("card:7:", app.ctx.now_iso()) == 1
    [row] = app.store.outbox.all()
    assert (row.status, row.message) == ("skipped", {"title": BODY.title})


async def test_a_to_do_view_replaced_by_a_newer_one_keeps_no_body(app: BotApp) -> None:
    queue(app, "todo:console:awa:-", Recipient("member", "awa"))
    [row] = app.store.outbox.all()
    row.status, row.last_error = "skipped", todo_views.SUPERSEDED  # as ``todo_views`` does
    app.store.outbox.save(row)
    assert app.store.outbox.all()[0].message == {"title": BODY.title}
