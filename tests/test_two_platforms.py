"""Slack and Telegram side by side in one process: one consultation opened on Slack, answered
half by Slack buttons and half by Telegram buttons, with one tally and one outcome announced in
both network channels."""

from __future__ import annotations

from dataclasses import replace

from bot.app import BotApp
from bot.config.environment import Environment
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from handlers.channel_cards.live import EDIT_GAP
from storage.models import FOCAL_POINT, Member
from tests.support.chat import Clock
from tests.support.fake_slack import SECRET, FakeSlack, SlackSender
from tests.support.fake_telegram import TOKEN, FakeTelegram, callback_update, text_update
from tests.support.previews import slack_command_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import post

SLACK_CHANNEL, TELEGRAM_CHAT = "C0NET", "-1009999"


async def test_one_consultation_two_platforms_one_outcome(app: BotApp, spoken: Spoken,
                                                          clock: Clock) -> None:
    slack_fake, telegram_fake = FakeSlack(), FakeTelegram()
    await slack_fake.start()
    await telegram_fake.start()
    network = replace(app.network, channels={"slack": SLACK_CHANNEL, "telegram": TELEGRAM_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network
    mariam = app.store.members.get("mariam")  # IOM's focal point: reached on Telegram
    mariam.identities = ["telegram:2003"]
    app.store.members.save(mariam)
    for agency, identity in (("ILO", "slack:UILO"), ("OHCHR", "telegram:2001"),
                             ("UNDESA", "slack:UDESA"), ("UNODC", "telegram:2002")):
        app.store.members.save(Member(id=agency.lower(), name=f"PF {agency}", agency=agency,
                                      roles=[FOCAL_POINT], identities=[identity]))
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=slack_fake.url, telegram_bot_token=TOKEN,
                      telegram_api_url=telegram_fake.url, telegram_webhook_secret="s3cret-webhook",
                      host="127.0.0.1", port=0)
    slack, telegram = SlackPlatform(app, env), TelegramPlatform(app, env)
    slack.rate_limits = replace(slack.rate_limits, per_chat_interval=0.0)
    telegram.rate_limits = replace(telegram.rate_limits, per_chat_interval=0.0)
    runtime = Runtime(app, env, platforms=[slack, telegram])
    await runtime.start()
    try:
        sender = SlackSender(slack_fake, runtime.port)
        status, _ = await slack_command_and_send(
            sender, app, "U0DEMOMK", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h | "
                                     "silence")
        assert status == 200
        await app.dispatcher.flush()
        # invitations went out on each member's platform
        assert any(c.args.get("chat_id") == 2001 for c in telegram_fake.called("sendMessage"))
        assert slack_fake.called("conversations.open")
        # Slack: UNHCR (Sarah), UNDP (Ibrahim), ILO; Telegram: UNICEF (Awa), OHCHR, UNODC
        for user, choice in (("U0DEMOSJ", "agree"), ("U0DEMOIM", "abstain"),
                             ("UILO", "agree")):
            assert (await sender.click(user, f"position.{choice}", "1"))[0] == 200
        for n, (user, choice) in enumerate(((100000001, "agree"), (2001, "reservations"),
                                            (2002, "agree"))):
            assert await post(runtime, callback_update(500 + n, user, f"position.{choice}|1"),
                              secret="s3cret-webhook") == 200
        # « Réserves » asks its (optional) reason by reply prompt: OHCHR gives none.
        assert await post(runtime, text_update(510, 2001, "-"), secret="s3cret-webhook") == 200
        current = app.store.positions.current(1)
        assert {k: v.choice for k, v in current.items()} == {
            "UNHCR": "agree", "UNDP": "abstain", "ILO": "agree", "UNICEF": "agree",
            "OHCHR": "reservations", "UNODC": "agree"}
        assert (await sender.command("U0DEMOMK", "consultation clore 1"))[0] == 200
        draft = app.store.drafts.all()[-1]  # previewed first: « Envoyer »
        assert (await sender.click("U0DEMOMK", "preview.send", str(draft.id)))[0] == 200
        await app.dispatcher.flush()
        clock.now += EDIT_GAP  # the channel card's edit, coalesced, goes a little later
        await app.dispatcher.flush()
        def outcome(text: str) -> bool:
            return spoken.shown(text, "poll.outcome_title.adopted", "fr", number=1)

        # The outcome is shown on the one card of each channel, edited in place.
        slack_outcome = [c.args for c in slack_fake.called("chat.update")
                         if c.args["channel"] == SLACK_CHANNEL and outcome(c.args["text"])]
        telegram_outcome = [c.args["text"] for c in telegram_fake.called("editMessageText")
                            if str(c.args["chat_id"]) == TELEGRAM_CHAT and outcome(c.args["text"])]
        assert len(slack_fake.posted(SLACK_CHANNEL)) == 1
        assert len(slack_outcome) == 1 and len(telegram_outcome) == 1
        assert spoken.shown(telegram_outcome[0], "poll.tally_line", "fr", agency="HCDH",
                            choice=spoken.text("poll.choice.reservations", "fr"))
        assert app.store.consultations.get(1).outcome == "adopted"
    finally:
        await runtime.stop()
        await slack_fake.stop()
        await telegram_fake.stop()
