"""What a recorded position tells others is left for after the ack (``handlers/followups.py``):
the request writes the position, the answer and one follow-up, nothing more; the dispatcher
tells the colleague and edits the cards in its next pass, once, also after a crash between the
ack and that pass; a follow-up that fails is marked so and does not hold the others back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.dispatch import followups as dispatch_followups
from handlers import followups
from handlers.settings import Network
from handlers.types import Recipient
from storage import collection
from storage.followups import FAILED, WAITING, Followup
from storage.models import FOCAL_POINT, SECRETARIAT, Member
from storage.store import Store
from tests.conftest import Clock, click, say
from tests.support.previews import say_and_send
from tests.test_dispatcher import Recorder


def opened(app: BotApp) -> BotApp:
    """A consultation where Awa (UNICEF) agreed (and was told nothing yet)."""
    app.store.members.save(Member(id="kadiatou", name="Kadiatou Konaté", agency="UNICEF",
                                  roles=[FOCAL_POINT], identities=["console:kadiatou"]))
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    say(app, "awa", "position 1 accord")
    return app


def told_awa(store: Store) -> list[str]:
    return [row.key for row in store.outbox.all()
            if Recipient.from_dict(row.recipient) == Recipient("member", "awa")
            and ":changed:" in row.key]


def change(app: BotApp) -> None:
    """Kadiatou changes Awa's position and confirms."""
    asked = say(app, "kadiatou", "position 1 abstention")
    click(app, "kadiatou", "override.confirm", asked.message.buttons[0].value)


async def test_the_ack_writes_one_follow_up_and_the_next_pass_tells_once(
        app: BotApp) -> None:
    console = Recorder("console")
    app.add_adapter(console, fallback=True)
    opened(app)
    await app.dispatcher.flush()
    change(app)
    [waiting] = app.store.followups.waiting()
    assert (waiting.kind, waiting.args["colleague"], waiting.args["after"]) == (
        "position", "awa", "abstain")
    assert told_awa(app.store) == []  # not in the request: after its ack
    assert app.dispatcher.health()["followups_waiting"] == 1
    await app.dispatcher.flush()
    assert app.dispatcher.health()["followups_waiting"] == 0
    assert app.store.followups.waiting() == []
    assert app.store.followups.get(waiting.id) is None  # done: removed, nothing kept
    [key] = told_awa(app.store)
    assert app.store.outbox.get(app.store.outbox.number_of(key)).status == "sent"
    await app.dispatcher.flush()
    assert told_awa(app.store) == [key]  # once


async def test_a_follow_up_left_by_a_crash_after_the_ack_is_done_at_the_next_start(
        tmp_path: Path, network: Network, clock: Clock) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    app = opened(BotApp(store, network, clock=clock))
    change(app)
    await store.durable()  # what the ack waited for
    store.close(compact=False)  # the process dies before the dispatcher's pass

    store = Store.open(data)
    try:
        assert [f.args.get("colleague") for f in store.followups.waiting()] == [None, "awa"]
        again = BotApp(store, network, clock=clock)
        again.add_adapter(Recorder("console"), fallback=True)
        await again.dispatcher.flush()
        assert len(told_awa(store)) == 1 and store.followups.waiting() == []
        await again.dispatcher.flush()
        assert len(told_awa(store)) == 1
    finally:
        store.close()


async def test_a_follow_up_that_fails_is_marked_and_the_others_still_run(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    opened(app)
    change(app)
    first, second = app.store.followups.waiting()
    real = followups.KINDS["position"]

    def breaks_once(ctx, args):  # type: ignore[no-untyped-def]
        if args["position"] == first.args["position"]:
            raise RuntimeError("a bug in a follow-up")
        real(ctx, args)

    monkeypatch.setitem(followups.KINDS, "position", breaks_once)
    console = Recorder("console")
    app.add_adapter(console, fallback=True)
    await app.dispatcher.flush()
    assert app.store.followups.get(first.id).status == FAILED  # kept, to look at
    assert app.store.followups.get(second.id) is None  # done: removed
    assert len(told_awa(app.store)) == 1
    await app.dispatcher.flush()  # not tried again
    assert app.store.followups.get(first.id).status == FAILED
    assert WAITING not in {f.status for f in app.store.followups.all()}
    # The secretariat is told, once, what was not told.
    notices = [row for row in app.store.outbox.all() if row.key.startswith("followup-failed:")]
    assert {row.recipient["ref"] for row in notices} == {
        m.id for m in app.store.members.with_role(SECRETARIAT)} and notices
    assert all(row.key.startswith(f"followup-failed:{first.id}:") for row in notices)
    catalog = app.catalog
    [shown] = {message.paragraphs[0] for _, message in console.sent
               if message.title == catalog.t("fr", "followup.failed_title")}
    assert catalog.t("fr", "followup.what.position", number=first.args["consultation"],
                     agency=app.ctx.agency_label(first.args["agency"], "fr")) in shown


async def test_the_loop_is_given_back_between_two_follow_ups(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten follow-ups left by a run of clicks ran in one turn of the loop (25 ms), and a
    request arriving then waited for them all."""
    opened(app)
    change(app)
    say(app, "awa", "position 1 accord")  # Awa takes it back: a second follow-up
    assert len(app.store.followups.waiting()) == 2
    order: list[str] = []
    real = dispatch_followups.run

    async def a_request() -> None:
        order.append("request")

    def noting(ctx: object, followup: object) -> None:
        if not order:  # a request arrives while the first one runs
            asyncio.get_running_loop().create_task(a_request())
        order.append("follow-up")
        real(ctx, followup)  # type: ignore[arg-type]

    monkeypatch.setattr(dispatch_followups, "run", noting)
    assert await dispatch_followups.follow_up(app.ctx, app.dispatcher.ledger, None) == 2
    assert order == ["follow-up", "request", "follow-up"]


def test_a_follow_up_done_is_removed_and_the_index_is_not_built_again(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file holds only what is still to do; removing one keeps the index in step rather
    than reading every document again (a data dir from before keeps its done ones)."""
    with store.transaction():
        for _ in range(300):  # done, as earlier versions left them
            store.followups.add(lambda i: Followup(id=i, kind="position", status="done"))
        store.followups.add(lambda i: Followup(id=i, kind="position"))
    [waiting] = store.followups.waiting()
    added: list[int] = []
    real_add = collection.Index.add
    monkeypatch.setattr(collection.Index, "add",
                        lambda self, number, doc: (added.append(number),
                                                   real_add(self, number, doc))[1])
    with store.transaction():
        store.followups.remove(waiting)
    assert store.followups.waiting() == [] and store.followups.get(waiting.id) is None
    assert added == []
