"""A platform down for minutes or hours loses nothing: delivery retries while the message still
matters, probes the platform instead of hammering it, resumes as soon as it answers, delivers
each target on its own (one platform's outage never holds back the other), and gives up only
what stopped mattering, telling the secretariat what did not reach whom. A consultation knows
which agencies its proposal reached, and never reads an agency it never reached as silent.

Through the real slack_sdk and python-telegram-bot clients, against loopback fakes that answer
5xx while ``down``; time is the injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.dispatch.outages import PROBE_BACKOFF
from bot.dispatch.timing import MAX_BACKOFF
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from handlers.consensus import Seats, decide
from handlers.types import Message, Recipient
from storage.models import OutboxRow
from tests.conftest import Clock, say, text_of
from tests.support.fake_slack import SECRET, FakeSlack
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken

SLACK_CHANNEL, TELEGRAM_CHAT = "C0NET", "-1009999"
MARIAM = 300000001  # the secretariat, given a Telegram account here so notices reach her
AWA = 100000001  # UNICEF, on Telegram
SARAH, IBRAHIM = "U0DEMOSJ", "U0DEMOIM"  # UNHCR and UNDP, on Slack


@dataclass
class Both:
    """The bot serving Slack and Telegram, each against its fake."""

    app: BotApp
    slack: FakeSlack
    telegram: FakeTelegram
    runtime: Runtime
    clock: Clock

    async def passes(self, seconds: float, step: float = 1.0) -> None:
        """The dispatcher's passes over ``seconds`` of the injected clock, ``step`` apart."""
        for _ in range(int(seconds / step)):
            await self.app.dispatcher.flush()
            self.clock.now += timedelta(seconds=step)
        await self.app.dispatcher.flush()

    def rows(self, prefix: str = "") -> list[OutboxRow]:
        return [r for r in self.app.store.outbox.all() if r.key.startswith(prefix)]

    def telegram_texts(self, chat: int | str) -> list[str]:
        return [c.args["text"] for c in self.telegram.called("sendMessage")
                if str(c.args["chat_id"]) == str(chat)]

    async def health(self) -> dict:
        async with aiohttp.ClientSession() as session, session.get(
                f"http://127.0.0.1:{self.runtime.port}/healthz") as response:
            assert response.status == 200
            return await response.json()


@pytest.fixture
async def both(app: BotApp, clock: Clock) -> AsyncIterator[Both]:
    slack, telegram = FakeSlack(), FakeTelegram()
    await slack.start()
    await telegram.start()
    network = replace(app.network, channels={"slack": SLACK_CHANNEL, "telegram": TELEGRAM_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network
    mariam = app.store.members.get("mariam")
    mariam.identities = [f"telegram:{MARIAM}"]
    app.store.members.save(mariam)
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=slack.url, telegram_bot_token=TOKEN,
                      telegram_api_url=telegram.url, telegram_webhook_secret="s3cret-webhook",
                      host="127.0.0.1", port=0)
    platforms = [SlackPlatform(app, env), TelegramPlatform(app, env)]
    for platform in platforms:
        # the limiter would otherwise wait in real time
        platform.rate_limits = replace(platform.rate_limits, per_chat_interval=0.0)
    runtime = Runtime(app, env, platforms=platforms)
    await runtime.start()
    try:
        yield Both(app, slack, telegram, runtime, clock)
    finally:
        await runtime.stop()
        await slack.stop()
        await telegram.stop()


def slack_sends(fake: FakeSlack) -> int:
    """Delivery calls that reached Slack while it was down (probes not counted)."""
    return sum(1 for c in fake.refused() if not c.method.startswith("auth.test"))


async def test_a_five_minute_slack_outage_loses_nothing(both: Both) -> None:
    say_and_send(both.app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    both.app.ctx.announce("news", lambda lang: Message(title="Annonce"))
    both.slack.down()
    await both.passes(5 * 60)  # Slack answers 503 for five minutes, a pass every second
    pending = [r for r in both.app.store.outbox.all() if r.status == "pending"]
    assert pending and not [r for r in both.app.store.outbox.all()
                            if r.status in ("dead", "expired")]
    assert slack_sends(both.slack) == 1  # one failed delivery, then only probes
    probes = len(both.slack.refused("auth.test"))
    assert 5 <= probes <= 15  # backing off: 2, 4, 8, 16 seconds, then every 30

    both.slack.up()
    await both.passes(PROBE_BACKOFF.total_seconds())  # at most one probe interval
    assert {r.status for r in both.rows("poll:1:open")} == {"sent"}
    for dm in ("D0DEMOSJ", "D0DEMOIM"):  # each invitation once, with its buttons
        [invitation] = both.slack.posted(dm)
        assert any(b["type"] == "actions" for b in invitation["blocks"])
    assert [p["text"] for p in both.slack.posted(SLACK_CHANNEL)].count("Annonce") == 1
    assert both.app.store.consultations.get(1).delivery["UNHCR"] == "reached"


async def test_the_probe_brings_delivery_back_without_waiting_for_the_rows_timers(
        both: Both) -> None:
    both.slack.down()
    for member in ("sarah", "ibrahim", "moussa"):
        both.app.ctx.send_to_member(both.app.store.members.get(member), "hello",
                                    lambda lang: Message(title="Bonjour"))
    await both.app.dispatcher.flush()
    rows = both.rows("hello")
    assert {r.status for r in rows} == {"pending"} and slack_sends(both.slack) == 1
    later = min(datetime.fromisoformat(r.next_attempt_at) for r in rows)
    assert later >= both.clock.now + MAX_BACKOFF  # no row is tried again one by one
    assert (await both.health())["reasons"] == ["platform:slack"]

    both.slack.up()
    await both.passes(2)  # the first probe, two seconds later
    assert {r.status for r in both.rows("hello")} == {"sent"} and both.clock.now < later
    assert len(both.slack.called("chat.postMessage")) == 3
    assert (await both.health())["status"] == "ok"


async def test_a_channel_announcement_reaches_telegram_while_slack_is_down(both: Both) -> None:
    both.slack.down()
    both.app.ctx.announce("news", lambda lang: Message(title="Annonce"))
    await both.app.dispatcher.flush()
    [row] = both.rows("news")
    assert row.status == "pending" and row.done == [f"telegram:{TELEGRAM_CHAT}"]
    assert both.telegram_texts(TELEGRAM_CHAT) == ["<b>Annonce</b>"]  # not held back by Slack
    both.slack.up()
    await both.passes(4)
    assert both.app.store.outbox.get(row.id).status == "sent"
    assert [p["text"] for p in both.slack.posted(SLACK_CHANNEL)] == ["Annonce"]
    assert both.telegram_texts(TELEGRAM_CHAT) == ["<b>Annonce</b>"]  # not sent twice


async def test_an_invitation_past_its_meeting_expires_with_one_notice_per_person(
        both: Both) -> None:
    both.slack.down()
    say_and_send(both.app, "aminata", "réunion lundi 30 novembre 10h")  # in 41 hours
    start = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    while both.clock.now <= start:  # Slack stays down past the meeting; reminders fall due
        await both.app.run_due_jobs()
        await both.app.dispatcher.flush()
        both.clock.now += timedelta(minutes=30)
    sarah = [r for r in both.app.store.outbox.all()
             if Recipient.from_dict(r.recipient) == Recipient("member", "sarah")]
    assert len(sarah) >= 2 and {r.status for r in sarah} == {"expired"}  # invitation, reminder
    assert all(r.failed == {f"slack:{SARAH}": "expired"} and r.sent_at is None for r in sarah)
    notices = [r for r in both.rows("undelivered:member:sarah:expired:")]
    assert len(notices) == 1 and notices[0].status == "sent"  # one, for both rows
    [told] = [t for t in both.telegram_texts(MARIAM) if "Sarah Johnson" in t]
    assert told.count("«") == len(sarah) and "Slack" in told  # each subject named once
    assert not both.slack.posted()  # nothing went to Slack after the meeting started
    both.slack.up()
    await both.passes(120)
    assert not both.slack.posted(f"D{SARAH[1:]}")  # an invitation to a past meeting: never


async def test_a_consultation_survives_hours_of_telegram_outage_before_its_deadline(
        both: Both, spoken: Spoken) -> None:
    both.telegram.down()
    say_and_send(both.app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    await both.passes(2 * 3600, step=30)
    status = text_of(say(both.app, "aminata", "consultation 1"))
    waiting = both.app.catalog.t("fr", "poll.not_reached_yet", agencies="OIM, UNICEF, PAM")
    assert waiting in status.splitlines()  # named while the proposal has not reached them
    await both.passes(3 * 3600, step=30)
    both.telegram.up()
    await both.passes(60)
    assert any("Plan 2027" in t for t in both.telegram_texts(AWA))
    consultation = both.app.store.consultations.get(1)
    assert {consultation.delivery[a] for a in ("IOM", "UNICEF", "WFP")} == {"reached"}
    spoken.clear()
    say(both.app, "aminata", "consultation 1")
    assert spoken.has("poll.status_title") and not spoken.has("poll.not_reached_yet")


async def test_an_agency_never_reached_is_not_counted_as_silent(both: Both) -> None:
    both.telegram.down()  # IOM (Mariam) and UNICEF (Awa) are on Telegram
    say_and_send(both.app, "aminata", "consultation ouvrir Note | lundi 30 novembre 9h | silence")
    say_and_send(both.app, "aminata", "consultation ouvrir Plan | lundi 30 novembre 9h")
    await both.passes(60)
    say(both.app, f"slack:{SARAH}", "position 2 accord")  # UNDP stays silent on Slack
    both.clock.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    await both.app.run_due_jobs()
    silence, consensus = (both.app.store.consultations.get(n) for n in (1, 2))
    assert silence.outcome == "not_adopted"  # no objection, yet not adopted: never asked
    assert silence.decision["not_reached"] == ["IOM", "UNICEF"]
    assert silence.decision["silent"] == []
    assert consensus.decision["silent"] == ["UNDP"]  # reached, no answer
    assert consensus.decision["not_reached"] == ["IOM", "UNICEF"]  # listed apart
    why = both.app.catalog.t("en", "poll.why.not_reached",
                             agencies=both.app.catalog.join("en", ["IOM", "UNICEF"]))
    assert why in text_of(say(both.app, f"slack:{SARAH}", "consultation 1")).splitlines()


def test_decide_reads_an_agency_never_reached_apart_under_both_rules() -> None:
    seats = Seats(("IOM", "UNDP", "UNICEF"))
    silence = decide("silence", seats, {"UNDP": "agree"}, unreached={"UNICEF"})
    assert (silence.outcome, silence.silent, silence.not_reached) == (
        "not_adopted", (), ("UNICEF",))
    consensus = decide("consensus", seats, {"UNDP": "agree"}, unreached={"UNICEF"})
    assert (consensus.silent, consensus.not_reached) == (("IOM",), ("UNICEF",))
    answered = decide("silence", seats, {"UNICEF": "agree"}, unreached={"UNICEF"})
    assert answered.outcome == "adopted" and answered.not_reached == ()  # it answered anyway
    assert decide("silence", seats, {}).outcome == "adopted"  # nothing known unreached


async def test_a_message_telegram_refuses_for_good_is_reported_at_once(both: Both) -> None:
    both.telegram.fail("sendMessage", 400, "Bad Request: can't parse entities: unsupported tag")
    both.app.ctx.send_to_member(both.app.store.members.get("awa"), "broken",
                                lambda lang: Message(title="Cassé"))
    await both.app.dispatcher.flush()
    [row] = both.rows("broken")
    assert row.status == "dead" and row.failed == {f"telegram:{AWA}": "rejected"}
    [notice] = both.rows("undelivered:member:awa:rejected:")
    assert notice.status == "sent"  # told in the same pass, not after retries
    await both.passes(600, step=60)
    assert len(both.telegram.called("sendMessage:400")) == 1  # never tried again


async def test_telegram_chat_not_found_holds_the_row_instead_of_retrying(both: Both) -> None:
    both.telegram.fail("sendMessage", 400, "Bad Request: chat not found")
    both.app.ctx.send_to_member(both.app.store.members.get("fatoumata"), "hi",
                                lambda lang: Message(title="Bonjour"))
    await both.app.dispatcher.flush()
    [row] = both.rows("hi")
    assert (row.status, row.held_reason) == ("held", "not_started")


async def test_healthz_is_degraded_while_a_platform_fails_and_messages_wait(both: Both) -> None:
    assert (await both.health())["status"] == "ok"
    both.telegram.down()
    both.app.ctx.send_to_member(both.app.store.members.get("awa"), "k",
                                lambda lang: Message(title="Bonjour"))
    await both.passes(90)
    health = await both.health()
    assert health["status"] == "degraded"
    assert health["reasons"] == ["platform:telegram", "deliveries_waiting"]
    assert health["platforms_down"]["telegram"]["waiting"] == 1
    assert health["outbox_waiting"] == 1 and health["disk"] == "ok"
    both.telegram.up()
    await both.passes(60)
    health = await both.health()
    assert (health["status"], health["reasons"], health["outbox_waiting"]) == ("ok", [], 0)
