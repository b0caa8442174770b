"""« Plus tard »: a card put off is brought back once at the moment chosen, across a restart,
and not at all once the answer came; an apology carries a reason and a delegate, shown to
leads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import BotApp
from handlers.settings import Network
from handlers.types import Message, Recipient
from storage.store import Store
from tests.conftest import Clock, click, ran, say
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.previews import say_and_send, slack_command_and_send
from tests.support.spoken import Spoken

SARAH = "U0DEMOSJ"
TOMORROW_9 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # Bamako is UTC+0


def later_rows(app: BotApp, member: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if r.key.startswith("later:") and Recipient.from_dict(r.recipient).ref == member]


def test_later_offers_two_moments_and_keeps_the_choice(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    asked = click(app, "awa", "later", "poll.1")
    assert [(b.action, b.value) for b in asked.message.buttons] == [
        ("later.set", "poll.1.hours"), ("later.set", "poll.1.tomorrow")]
    click(app, "awa", "later.set", "poll.1.tomorrow")
    [kept] = app.store.later.waiting()
    assert (kept.member_id, kept.kind, kept.ref, datetime.fromisoformat(kept.due)) == (
        "awa", "poll", 1, TOMORROW_9)
    click(app, "awa", "later.set", "poll.1.hours")  # changed her mind: one reminder, the new
    [kept] = app.store.later.waiting()
    assert datetime.fromisoformat(kept.due) == datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
    assert spoken.has("later.kept", "fr")


async def test_later_fires_once_after_a_restart(tmp_path: Path, store: Store, network: Network,
                                                clock: Clock, spoken: Spoken) -> None:
    first = BotApp(store, network, clock=clock)
    say_and_send(first, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    click(first, "awa", "later.set", "poll.1.tomorrow")
    first.stop()
    store.close()

    reopened = Store.open(tmp_path / "data")
    try:
        app = BotApp(reopened, network, clock=clock)
        assert ran(await app.run_due_jobs(), "later.reminder") == 0  # not yet
        clock.now = TOMORROW_9
        assert ran(await app.run_due_jobs(), "later.reminder") == 1
        [reminder] = later_rows(app, "awa")
        assert reminder.title == spoken.text("later.poll_title", "fr", number=1)
        assert [b.action for b in reminder.buttons][:4] == [
            "position.agree", "position.reservations", "position.objection", "position.abstain"]
        assert ran(await app.run_due_jobs(), "later.reminder") == 0
        app.stop()
        reopened.close()
        again = Store.open(tmp_path / "data")
        app = BotApp(again, network, clock=clock)
        assert ran(await app.run_due_jobs(), "later.reminder") == 0  # once, restart or not
        assert len(later_rows(app, "awa")) == 1
        app.stop()
        again.close()
    finally:
        reopened.close()


async def test_later_does_not_fire_once_the_agency_answered(app: BotApp, clock: Clock) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    click(app, "awa", "later.set", "poll.1.hours")
    say(app, "awa", "position 1 accord")
    clock.now = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
    assert ran(await app.run_due_jobs(), "later.reminder") == 1
    assert later_rows(app, "awa") == []
    assert app.store.later.waiting() == []


async def test_later_on_an_invitation_does_not_fire_once_answered(app: BotApp,
                                                                  clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    click(app, "awa", "later.set", "meeting.1.tomorrow")
    click(app, "sarah", "later.set", "meeting.1.tomorrow")
    say(app, "awa", "présent 1")
    clock.now = TOMORROW_9
    await app.run_due_jobs()
    assert later_rows(app, "awa") == []
    [to_sarah] = later_rows(app, "sarah")
    assert [b.action for b in to_sarah.buttons][:3] == ["rsvp.present", "rsvp.online",
                                                        "rsvp.excused"]


def test_later_past_the_deadline_is_refused(app: BotApp, clock: Clock, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Texte | samedi 28 novembre 20h")
    assert spoken.shown(click(app, "awa", "later.set", "poll.1.tomorrow"), "later.too_late")
    assert app.store.later.waiting() == []


async def test_later_over_slack(bot: Bot) -> None:
    await slack_command_and_send(bot.slack, bot.app,
                                 "U0DEMOMK", "consultation ouvrir Adopter le plan | vendredi 4 "
                                 "décembre 17h")
    await bot.settle()
    card = [c for c in bot.fake.called("chat.postMessage")
            if c.args["channel"] == "D0DEMOSJ" and c.args.get("blocks")][-1]
    await bot.slack.click(SARAH, "later", "poll.1", card.as_clicked())
    await bot.settle()
    update = bot.fake.called("chat.update")[-1]
    values = [e["value"] for b in update.args["blocks"] if b["type"] == "actions"
              for e in b["elements"]]
    assert values == ["poll.1.hours", "poll.1.tomorrow"]
    await bot.slack.click(SARAH, "later.set", "poll.1.hours",
                          {**card.as_clicked(), "blocks": update.args["blocks"]})
    await bot.settle()
    [kept] = bot.app.store.later.all()  # (the running scheduler keeps real time: may fire)
    assert (kept.member_id, kept.kind, kept.ref) == ("sarah", "poll", 1)


def test_an_apology_keeps_its_reason_and_delegate_for_leads(app: BotApp,
                                                            spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say(app, "awa", "excusé 1 mission terrain, représenté·e par Moussa Diarra")
    say(app, "sarah", "excused field mission, represented by Jane Doe")  # no number either
    say(app, "ibrahim", "excusée 1 congé")
    answers = {r.member_id: (r.status, r.reason, r.delegate) for r in app.store.rsvps.all()}
    assert answers == {"awa": ("excused", "mission terrain", "Moussa Diarra"),
                       "sarah": ("excused", "field mission", "Jane Doe"),
                       "ibrahim": ("excused", "congé", "")}
    spoken.clear()
    shown = say(app, "aminata", "réunion voir 1")
    assert spoken.shown(shown, "apology.delegate", "fr", name="Moussa Diarra")
    assert spoken.shown(shown, "apology.heading")
    assert "mission terrain" in shown.message.plain_text()
    spoken.clear()
    say(app, "fatoumata", "réunion voir 1")  # not a lead: no apologies listed
    assert not spoken.has("apology.heading")
