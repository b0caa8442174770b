"""A week of the network as its people live it, on Slack and Telegram at once, through the real
slack-bolt and python-telegram-bot apps against the loopback fakes: the co-chair opens a
consultation on Slack; UNICEF's focal point answers in words on Telegram and confirms with one
tap; UNHCR's, on Slack in English, objects through the form the button opens; UNICEF's other
focal point changes the agency's position and is asked first; OHCHR's never answers; the
co-chair's Home shows who is silent, and « Relancer » reminds only them. Each person's messages
are read back from what the platforms received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from storage.models import FOCAL_POINT, Member
from tests.support.fake_slack import SECRET, FakeSlack, SlackSender
from tests.support.fake_telegram import TOKEN, FakeTelegram, callback_update, text_update
from tests.support.previews import slack_command_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import buttons_of, post

SLACK_CHANNEL, TELEGRAM_CHAT = "C0NET", "-1009999"
CHAIR, SARAH, KADIATOU = "U0DEMOMK", "U0DEMOSJ", "UKADI"  # Slack: co-chair, UNHCR, UNICEF
AWA, OHCHR = 100000001, 2001  # Telegram: UNICEF (never set a language), OHCHR
WEBHOOK = "s3cret-webhook"


@dataclass
class Week:
    app: BotApp
    slack: FakeSlack
    telegram: FakeTelegram
    sender: SlackSender
    runtime: Runtime

    async def telegram_says(self, update: dict[str, Any]) -> None:
        assert await post(self.runtime, update, secret=WEBHOOK) == 200

    def telegram_to(self, chat: int) -> list[dict[str, Any]]:
        return [c.args for c in self.telegram.called("sendMessage")
                if str(c.args["chat_id"]) == str(chat)]


@pytest.fixture
async def week(app: BotApp) -> AsyncIterator[Week]:
    slack, telegram = FakeSlack(locales={SARAH: "en-US"}), FakeTelegram()
    await slack.start()
    await telegram.start()
    network = replace(app.network, channels={"slack": SLACK_CHANNEL, "telegram": TELEGRAM_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network
    awa = app.store.members.get("awa")
    awa.identities, awa.language = [f"telegram:{AWA}"], None
    app.store.members.save(awa)
    app.store.members.save(Member(id="kadiatou", name="Kadiatou Konaté", agency="UNICEF",
                                  roles=[FOCAL_POINT], identities=[f"slack:{KADIATOU}"]))
    app.store.members.save(Member(id="ohchr", name="PF HCDH", agency="OHCHR",
                                  roles=[FOCAL_POINT], identities=[f"telegram:{OHCHR}"]))
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=slack.url, telegram_bot_token=TOKEN,
                      telegram_api_url=telegram.url, telegram_webhook_secret=WEBHOOK,
                      host="127.0.0.1", port=0)
    platforms = [SlackPlatform(app, env), TelegramPlatform(app, env)]
    for platform in platforms:
        platform.rate_limits = replace(platform.rate_limits, per_chat_interval=0.0)
    runtime = Runtime(app, env, platforms=platforms)
    await runtime.start()
    try:
        yield Week(app, slack, telegram, SlackSender(slack, runtime.port), runtime)
    finally:
        await runtime.stop()
        await slack.stop()
        await telegram.stop()


def slack_buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["action_id"].split("#")[0], e.get("value", "")) for b in blocks
            if b.get("type") == "actions" for e in b["elements"]]


async def test_a_week_on_both_platforms(week: Week, spoken: Spoken) -> None:
    app = week.app
    status, _ = await slack_command_and_send(
        week.sender, app, CHAIR, "consultation ouvrir Adopter le plan 2027 | vendredi 4 "
                                 "décembre 17h")
    assert status == 200
    await app.dispatcher.flush()
    [consultation] = app.store.consultations.open()

    # Awa answers in words, in her private chat: read, then confirmed with one tap.
    await week.telegram_says(text_update(900, AWA, "D'accord pour l'UNICEF"))
    await app.dispatcher.flush()
    assert "UNICEF" not in app.store.positions.current(consultation.id)  # not on the spot
    confirm = [d for d in buttons_of(week.telegram_to(AWA)[-1])
               if d.startswith("natural.confirm") and d.endswith(".agree")]
    assert len(confirm) == 1  # « Confirmer : Accord », beside the other choices
    await week.telegram_says(callback_update(901, AWA, confirm[0]))
    await week.telegram_says(callback_update(902, AWA, confirm[0]))  # a second tap: nothing more
    await app.dispatcher.flush()
    assert [p.agency for p in app.store.positions.history(consultation.id)] == ["UNICEF"]
    assert app.store.positions.current(consultation.id)["UNICEF"].choice == "agree"

    # Sarah (Slack, in English) taps Objection on her card: a form asks the reason.
    card = next(c for c in week.slack.called("chat.postMessage")
                if ("position.objection" in [a for a, _ in slack_buttons(c.args.get("blocks")
                                                                         or [])])
                and c.args["channel"] != SLACK_CHANNEL
                and c.args["channel"] == "D" + SARAH[1:])  # the fake's DM with her
    value = dict(slack_buttons(card.args["blocks"]))["position.objection"]
    assert (await week.sender.click(SARAH, "position.objection", value))[0] == 200
    await app.dispatcher.flush()
    [opened] = week.slack.called("views.open")
    status, _ = await week.sender.submit(SARAH, opened.args["view"], "Outside the mandate")
    assert status == 200
    await app.dispatcher.flush()
    unhcr = app.store.positions.current(consultation.id)["UNHCR"]
    assert (unhcr.choice, unhcr.reason) == ("objection", "Outside the mandate")
    assert spoken.has("poll.recorded", "en", number=consultation.id)

    # Kadiatou, UNICEF's other focal point, types a different position: asked first.
    spoken.clear()
    assert (await week.sender.command(KADIATOU, f"position {consultation.id} abstention"))[0] \
        == 200
    await app.dispatcher.flush()
    assert app.store.positions.current(consultation.id)["UNICEF"].choice == "agree"
    [asked] = [c for c in week.slack.called("response_url")
               if "override.confirm" in [a for a, _ in slack_buttons(c.args.get("blocks") or [])]]
    value = dict(slack_buttons(asked.args["blocks"]))["override.confirm"]
    assert (await week.sender.click(KADIATOU, "override.confirm", value))[0] == 200
    await app.dispatcher.flush()
    unicef = app.store.positions.current(consultation.id)["UNICEF"]
    assert (unicef.choice, unicef.member_id) == ("abstain", "kadiatou")
    assert spoken.has("poll.changed_by_colleague", "fr", name="Kadiatou Konaté",
                      number=consultation.id)  # Awa is told, in French (no language set)
    told = week.telegram_to(AWA)[-1]["text"]
    assert spoken.shown(told, "poll.changed_by_colleague", "fr", name="Kadiatou Konaté",
                        number=consultation.id)

    # The co-chair's Home: who is silent, and « Relancer » for them only.
    status, _ = await week.sender.event({"type": "app_home_opened", "user": CHAIR,
                                         "channel": "D0CHAIR", "tab": "home",
                                         "event_ts": "1764349300.000100"}, "EvHOME1")
    assert status == 200
    await app.dispatcher.flush()
    [home] = [c for c in week.slack.called("views.publish") if c.args["user_id"] == CHAIR][-1:]
    nudges = [v for a, v in slack_buttons(home.args["view"]["blocks"]) if a == "todo.nudge"]
    assert nudges
    ohchr_before = len(week.telegram_to(OHCHR))
    awa_before = len(week.telegram_to(AWA))
    assert (await week.sender.click(CHAIR, "todo.nudge", nudges[0]))[0] == 200
    await app.dispatcher.flush()
    assert len(week.telegram_to(OHCHR)) == ohchr_before + 1  # silent: reminded
    assert len(week.telegram_to(AWA)) == awa_before  # UNICEF answered: left alone
