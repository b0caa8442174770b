"""Where each member is reached, and when a delivery to them last failed: the secretariat sees
it in ``membres`` and the co-chairs' digest; members see the list as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.app import BotApp
from bot.dispatch.contract import Rejected, Target
from bot.platforms.email.adapter import EmailPlatform
from bot.ratelimit import RateLimits
from handlers import reach
from handlers.digest import digest_message
from handlers.types import Message, Outgoing, Recipient
from storage.models import Member
from tests.conftest import Clock, say
from tests.support.fake_telegram import FakeTelegram
from tests.support.smtp_server import Mailbox, smtp_server
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, fake, running  # noqa: F401 (fixture)

ADDRESS = "awa.traore@unicef.org"


@pytest.fixture
def server() -> Iterator[tuple[str, Mailbox]]:
    with smtp_server() as running_server:
        yield running_server


def give_address(app: BotApp, member_id: str, address: str = ADDRESS) -> None:
    with app.store.transaction():
        member = app.store.members.get(member_id)
        member.identities.append(f"email:{address}")
        app.store.members.save(member)


def queue(app: BotApp, key: str, member: str) -> None:
    with app.store.transaction():
        app.ctx.queue(Outgoing(Recipient("member", member), Message(title="Bonjour"), "fr", key))


class Recorder:
    rate_limits = RateLimits()

    def __init__(self, platform: str) -> None:
        self.platform = platform

    async def deliver(self, target: Target, message: Message) -> None:
        return None

    async def probe(self) -> None:
        return None


class Refusing(Recorder):
    async def deliver(self, target: Target, message: Message) -> None:
        raise Rejected("550 no such user")


async def test_a_telegram_403_shows_in_membres_with_email_as_where_she_is_reached(
        app: BotApp, fake: FakeTelegram, server: tuple[str, Mailbox],  # noqa: F811
        spoken: Spoken) -> None:
    give_address(app, "awa")
    runtime = await running(app, fake)
    try:
        app.add_adapter(EmailPlatform(server[0], "bot@reseau.example.org"))
        fake.forbid(AWA)  # she blocked the bot, or never opened it: Telegram answers 403
        queue(app, "hello", "awa")
        await app.dispatcher.flush()
        row = next(r for r in app.store.outbox.all() if r.key == "hello")
        assert row.status == "sent" and row.done == [f"email:{ADDRESS}"]
        assert len(fake.called("sendMessage:403")) == 1
        failure = app.store.delivery_failures.get("awa:telegram")
        assert (failure.member_id, failure.reason) == ("awa", "not_started")
        assert failure.at == app.ctx.now_iso()

        spoken.clear()
        say(app, "mariam", "membres")  # the secretariat, in a private conversation
        email = spoken.text("reach.where.email", "fr")
        assert spoken.has("reach.line", "fr", where=email)
        telegram = spoken.text("reach.where.telegram", "fr")
        date = app.catalog.date("fr", app.ctx.now(), app.network.timezone)
        [said] = spoken.all("reach.failure", "fr")  # the one member with a failure
        assert dict(said.params) == {"platform": telegram, "date": date}
        assert spoken.has("reach.summary", "fr", email=1)
    finally:
        await runtime.stop()


def test_a_member_sees_no_secretariat_only_columns(app: BotApp, spoken: Spoken) -> None:
    with app.store.transaction():
        app.store.delivery_failures.note("awa", "telegram", "blocked", app.ctx.now_iso())
    say(app, "awa", "membres")
    assert spoken.has("members.summary")
    assert not [s.key for s in spoken.said if s.key.startswith("reach.")]
    spoken.clear()
    # The secretariat asking in a group: the group would read it, so no reach either.
    say(app, "mariam", "membres", private=False, chat_id="group-1")
    assert spoken.has("members.summary")
    assert not [s.key for s in spoken.said if s.key.startswith("reach.")]
    spoken.clear()
    say(app, "aminata", "membres")  # a co-chair, privately: sees it
    assert spoken.has("reach.summary") and spoken.has("reach.failure")


def test_one_failure_kept_per_member_and_platform(app: BotApp, clock: Clock) -> None:
    with app.store.transaction():
        for _ in range(5):
            clock.now += timedelta(hours=1)
            app.store.delivery_failures.note("awa", "telegram", "blocked", app.ctx.now_iso())
        app.store.delivery_failures.note("awa", "email", "rejected", app.ctx.now_iso())
    assert len(app.store.delivery_failures.all()) == 2
    last = app.store.delivery_failures.last_of("awa")
    assert last.at == app.ctx.now_iso() and len(app.store.delivery_failures.of_member("awa")) == 2


async def test_an_address_refused_for_good_is_recorded_as_the_last_failure(
        app: BotApp) -> None:
    give_address(app, "awa")
    with app.store.transaction():
        awa = app.store.members.get("awa")
        awa.preference = "email"
        app.store.members.save(awa)
    app.add_adapter(Refusing("email"))
    queue(app, "hello", "awa")
    await app.dispatcher.flush()
    assert next(r for r in app.store.outbox.all() if r.key == "hello").status == "dead"
    failure = app.store.delivery_failures.get("awa:email")
    assert failure is not None and failure.reason == "rejected"


def test_the_digest_names_who_is_not_reached(app: BotApp, clock: Clock,
                                             spoken: Spoken) -> None:
    previous = clock.now - timedelta(days=7)
    with app.store.transaction():
        app.store.members.save(Member(id="nouvelle", name="Nouvelle Recrue", agency="WFP"))
        app.store.delivery_failures.note("awa", "telegram", "blocked", app.ctx.now_iso())
        # Before the previous digest: already told then.
        app.store.delivery_failures.note("sarah", "slack", "no_adapter",
                                         (previous - timedelta(days=1)).isoformat())
    digest = digest_message(app.ctx, "fr", previous)
    heading = spoken.text("reach.digest_heading", "fr", count=2)
    [section] = [p for p in digest.paragraphs if p.startswith(heading)]
    assert spoken.text("reach.nowhere_names", "fr", names="Nouvelle Recrue") in section
    [failed] = spoken.all("reach.failed_name", "fr")
    assert failed.params["name"] == "Awa Traoré"
    assert spoken.shown(section, "reach.failed_names")
    # All well since: no section at all.
    spoken.clear()
    digest_message(app.ctx, "fr", clock.now + timedelta(minutes=1))
    assert spoken.has("reach.nowhere_names") and not spoken.has("reach.failed_names")


def test_the_digest_section_stays_short_with_many_members(app: BotApp, spoken: Spoken) -> None:
    with app.store.transaction():
        for n in range(200):
            app.store.members.save(Member(id=f"fp{n}", name=f"Point focal {n:03d}",
                                          agency="WFP", identities=[f"slack:U{n:05d}"]))
        app.store.delivery_failures.note("fp7", "slack", "deactivated", app.ctx.now_iso())
    digest = digest_message(app.ctx, "fr", app.ctx.now() - timedelta(days=1))
    heading = spoken.text("reach.digest_heading", "fr", count=1)
    [section] = [p for p in digest.paragraphs if p.startswith(heading)]
    assert len(section.splitlines()) == 2  # the heading and one line naming Point focal 007


async def test_where_reached_is_where_the_dispatcher_sends(app: BotApp) -> None:
    """``reach.reached_on`` follows the dispatcher's choice (``targets.py``), for each kind of
    member: a preference, « les deux », an account marked unreachable, a platform this process
    does not serve, nothing left."""
    app.add_adapter(Recorder("telegram"))
    app.add_adapter(Recorder("email"))
    give_address(app, "awa")
    give_address(app, "sarah", "sarah@unhcr.org")
    give_address(app, "fatoumata", "fatoumata@wfp.org")
    with app.store.transaction():
        moussa = app.store.members.get("moussa")
        moussa.identities.append("telegram:100000009")
        moussa.preference = "both"
        app.store.members.save(moussa)
        ibrahim = app.store.members.get("ibrahim")
        ibrahim.identities.append("email:ibrahim@undp.org")
        ibrahim.preference = "slack"
        app.store.members.save(ibrahim)
        fatoumata = app.store.members.get("fatoumata")
        fatoumata.unreachable["telegram:100000002"] = "blocked"
        fatoumata.preference = "telegram"
        app.store.members.save(fatoumata)
    for member in app.store.members.active():
        queue(app, f"to-{member.id}", member.id)
    await app.dispatcher.flush()
    rows = {r.key: r for r in app.store.outbox.all()}
    for member in app.store.members.active():
        row = rows[f"to-{member.id}"]
        expected = row.done if row.status == "sent" else []
        assert sorted(reach.reached_on(app.ctx, member)) == sorted(expected), member.id
    assert reach.reached_on(app.ctx, app.store.members.get("fatoumata")) == [
        "email:fatoumata@wfp.org"]
    assert reach.reached_on(app.ctx, app.store.members.get("mariam")) == []  # console only
    # He prefers Slack, which this process does not serve: email it is, and that is where he
    # is reached, not a failure of his.
    assert rows["to-ibrahim"].done == ["email:ibrahim@undp.org"]
    assert app.store.delivery_failures.all() == []
