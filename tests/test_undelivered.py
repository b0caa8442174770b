"""Nothing is marked sent that was not delivered: a row the bot cannot deliver yet is held, the
secretariat is told at once by direct message (once, not per retry), and the row goes out when
its recipient becomes reachable."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.app import BotApp
from bot.config.environment import Environment
from bot.dispatch.contract import Target
from bot.ratelimit import RateLimits
from handlers.types import Message, Outgoing, Recipient
from storage.models import Member
from storage.store import Store
from tests.conftest import Clock, say
from tests.support.fake_slack import SECRET, FakeSlack
from tests.support.fake_slack import running as slack_running
from tests.support.fake_telegram import FakeTelegram, text_update
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, fake, post, running, sent_text  # noqa: F401 (fixture)

SECRETARY = 300000001  # a secretariat member on Telegram, for these tests


class Recorder:
    rate_limits = RateLimits()

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[Target, Message]] = []

    async def deliver(self, target: Target, message: Message) -> None:
        self.sent.append((target, message))

    async def probe(self) -> None:
        pass


def queue(app: BotApp, key: str, member: str, title: str = "Invitation") -> None:
    app.ctx.queue(Outgoing(Recipient("member", member), Message(title=title), "fr", key))


def reachable_secretariat(app: BotApp) -> None:
    mariam = app.store.members.get("mariam")
    mariam.identities = [f"telegram:{SECRETARY}"]
    app.store.members.save(mariam)


def notices(app: BotApp) -> list:
    return [r for r in app.store.outbox.all() if r.key.startswith("undelivered:")]


async def test_a_member_whose_platform_has_no_adapter_is_held_not_marked_sent(
        app: BotApp, spoken: Spoken) -> None:
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    reachable_secretariat(app)
    queue(app, "k1", "sarah")  # Slack (and a console seat): no adapter for either here
    queue(app, "k2", "sarah", "Rappel")
    await app.dispatcher.flush()
    rows = {r.key: r for r in app.store.outbox.all()}
    assert rows["k1"].status == rows["k2"].status == "held"
    assert rows["k1"].held_reason == "no_adapter" and rows["k1"].held_target == "slack:U0DEMOSJ"
    [notice] = notices(app)  # one for both rows: the same member, the same reason
    assert notice.status == "sent" and Recipient.from_dict(notice.recipient) == Recipient(
        "member", "mariam")
    [(target, message)] = telegram.sent  # told at once, in the same pass
    assert target.address == str(SECRETARY)
    assert spoken.shown(message, "undelivered.no_adapter", "fr", platform="Slack")
    assert str(spoken.last("undelivered.no_adapter").params["who"]).startswith("Sarah Johnson")
    await app.dispatcher.flush()
    assert len(notices(app)) == 1 and len(telegram.sent) == 1  # not again on the next pass


async def test_inactive_and_accountless_members_rows_stay_held_until_fixed(
        tmp_path: Path, network, clock: Clock) -> None:
    store = Store.open(tmp_path / "data")
    app = BotApp(store, network, clock=clock)
    reachable_secretariat(app)
    app.store.members.save(Member(id="nouvelle", name="Nouvelle", agency="WFP"))
    awa = app.store.members.get("awa")
    awa.active = False
    app.store.members.save(awa)
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    queue(app, "to-nobody", "nouvelle")
    queue(app, "to-awa", "awa")
    await app.dispatcher.flush()
    rows = {r.key: r for r in app.store.outbox.all()}
    assert (rows["to-nobody"].status, rows["to-nobody"].held_reason) == ("held", "no_identity")
    assert (rows["to-awa"].status, rows["to-awa"].held_reason) == ("held", "inactive")
    assert len(notices(app)) == 2 and all(n.status == "sent" for n in notices(app))
    # The configuration gives her an account; at the next start-up the row goes out.
    nouvelle = app.store.members.get("nouvelle")
    nouvelle.identities = ["telegram:777"]
    app.store.members.save(nouvelle)
    store.close()
    store = Store.open(tmp_path / "data")
    app = BotApp(store, network, clock=clock)
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    await app.start()
    try:
        await app.dispatcher.flush()
        rows = {r.key: r for r in app.store.outbox.all()}
        assert rows["to-nobody"].status == "sent" and rows["to-awa"].status == "held"
        assert [t.address for t, _ in telegram.sent] == ["777"]
        assert len(notices(app)) == 2  # the notice for Awa is not repeated after a restart
    finally:
        app.stop()
        store.close()


async def test_telegram_403_holds_the_row_and_the_secretariat_gets_a_deep_link(
        app: BotApp, fake: FakeTelegram, clock: Clock, spoken: Spoken) -> None:  # noqa: F811
    reachable_secretariat(app)
    runtime = await running(app, fake)
    try:
        fake.forbid(AWA)  # Awa never opened the bot
        queue(app, "invite", "awa", "Invitation : Réunion du réseau n° 1")
        queue(app, "reminder", "awa", "Rappel")
        await app.dispatcher.flush()
        rows = {r.key: r for r in app.store.outbox.all()}
        assert rows["invite"].status == rows["reminder"].status == "held"
        assert rows["invite"].held_reason == "not_started"
        assert app.store.members.get("awa").unreachable == {f"telegram:{AWA}": "not_started"}
        assert len(fake.called("sendMessage:403")) == 1  # marked: the second row did not try
        [told] = sent_text(fake, SECRETARY)
        assert spoken.shown(html.unescape(told), "undelivered.not_started", platform="Telegram")
        assert str(spoken.last("undelivered.not_started").params["who"]).startswith("Awa Traoré")
        assert spoken.shown(told, "undelivered.send_link",
                            link="https://t.me/reseau_bot?start=hello")
        clock.now += timedelta(hours=1)
        await app.dispatcher.flush()
        assert len(sent_text(fake, SECRETARY)) == 1 and len(fake.called("sendMessage:403")) == 1

        # She opens the link: Telegram sends /start hello; what waited for her is delivered.
        fake.allow(AWA)
        await post(runtime, text_update(90, AWA, "/start hello"))
        await app.dispatcher.flush()
        received = sent_text(fake, AWA)
        assert any("Invitation" in t for t in received) and any("Rappel" in t for t in received)
        assert app.store.members.get("awa").unreachable == {}
        assert {r.status for r in app.store.outbox.all()} == {"sent"}
    finally:
        await runtime.stop()


class Refusing(Recorder):
    """Telegram answering 403 "bot can't initiate conversation" to everyone."""

    async def deliver(self, target: Target, message: Message) -> None:
        from bot.dispatch.contract import Unreachable  # here: the rest of this file runs without it

        raise Unreachable("not_started")


async def test_the_reason_held_is_the_one_the_person_can_fix(app: BotApp) -> None:
    app.add_adapter(Refusing("telegram"))
    awa = app.store.members.get("awa")
    awa.identities = ["console:awa", f"telegram:{AWA}"]  # no console adapter here either
    app.store.members.save(awa)
    queue(app, "k", "awa")
    await app.dispatcher.flush()
    row = app.store.outbox.get(1)
    assert (row.status, row.held_reason, row.held_target) == (
        "held", "not_started", f"telegram:{AWA}")
    say(app, f"telegram:{AWA}", "start hello")  # so that opening the bot releases it
    assert app.store.outbox.get(1).status == "pending"


async def test_a_member_unreachable_on_telegram_gets_the_message_on_slack(app: BotApp) -> None:
    slack, telegram = Recorder("slack"), Refusing("telegram")
    app.add_adapter(slack)
    app.add_adapter(telegram)
    awa = app.store.members.get("awa")
    awa.identities = [f"telegram:{AWA}", "slack:U0AWA"]
    app.store.members.save(awa)
    queue(app, "k", "awa")
    await app.dispatcher.flush()
    [row] = [r for r in app.store.outbox.all() if r.key == "k"]
    assert row.status == "sent" and [t.address for t, _ in slack.sent] == ["U0AWA"]
    assert app.store.members.get("awa").unreachable == {f"telegram:{AWA}": "not_started"}
    assert notices(app) == []  # delivered: nothing for the secretariat to do


async def test_a_channel_nobody_configured_is_skipped_not_sent(app: BotApp) -> None:
    app.add_adapter(Recorder("telegram"))
    app.ctx.announce("news", lambda lang: Message(title="Annonce"))
    await app.dispatcher.flush()
    [row] = app.store.outbox.all()
    assert row.status == "skipped" and row.sent_at is None


def test_a_code_asked_from_a_group_by_someone_who_never_opened_the_bot_waits_for_them(
        app: BotApp) -> None:
    say(app, "telegram:100000001", "lier", private=False, chat_id="-100")
    [row] = app.store.outbox.all()
    row.status, row.held_reason, row.held_target = "held", "not_started", "telegram:100000001"
    app.store.outbox.save(row)
    say(app, "telegram:100000001", "start hello")  # she opens the private chat
    assert app.store.outbox.get(row.id).status == "pending"


async def test_slack_refusing_the_network_channel_holds_the_announcement(
        app: BotApp, network, spoken: Spoken) -> None:
    slack = FakeSlack()
    await slack.start()
    reachable_secretariat(app)
    app.network = app.ctx.network = app.dispatcher.network = replace(
        network, channels={"slack": "C0NET"})
    telegram = Recorder("telegram")
    app.add_adapter(telegram)
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=slack.url, host="127.0.0.1", port=0)
    bot = await slack_running(app, env, slack)
    try:
        slack.fail("chat.postMessage", 200, error="not_in_channel")
        app.ctx.announce("news", lambda lang: Message(title="Annonce"))
        await app.dispatcher.flush()
        [row] = [r for r in app.store.outbox.all() if r.key.startswith("news")]
        assert (row.status, row.held_reason) == ("held", "not_in_channel")
        [(_, told)] = telegram.sent
        assert spoken.shown(told, "undelivered.not_in_channel", subject="Annonce",
                            platform="Slack")
    finally:
        await bot.runtime.stop()
        await slack.stop()
