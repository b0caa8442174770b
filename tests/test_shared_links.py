"""Links shared with the network: Slack's ``<url|label>`` and Telegram's text links understood,
deceptive links refused with the reason, tracking parameters dropped, a capture acknowledged
once and never posted back where it came from, ``@reseau`` mentions answered privately."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.app import BotApp
from bot.dispatch.contract import Target
from bot.platforms.slack.render import escape
from bot.ratelimit import RateLimits
from handlers.types import Inbound, Message, Recipient
from tests.conftest import say, text_of
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    BOT_USER,
    NETWORK_CHANNEL,
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import TOKEN, FakeTelegram, text_update
from tests.support.telegram_runtime import NETWORK_CHAT, post, sent_text
from tests.support.telegram_runtime import running as telegram_running

IBRAHIM = "U0DEMOIM"  # UNDP focal point, French
EVIL = "https://evil.example\\@www.unhcr.org/"  # browsers open evil.example


def in_channel(user: str, text: str, ts: str = "1764349100.000200",
               channel_type: str = "channel") -> dict[str, Any]:
    return {"type": "message", "channel": NETWORK_CHANNEL, "channel_type": channel_type,
            "user": user, "text": text, "ts": ts}


def ephemeral_texts(bot: Bot) -> list[str]:
    return [c.args["text"] for c in bot.fake.called("chat.postEphemeral")]


def refusal(app: BotApp, key: str, **params: object) -> str:
    """The answer to a refused capture, as Slack's fallback text carries it."""
    return escape(app.ctx.t("fr", "info.capture_refused", reason=app.ctx.t("fr", key, **params)))


# Slack's link markup.

async def test_a_slack_labelled_link_in_the_network_channel_is_captured_not_ignored(
        bot: Bot) -> None:
    await bot.slack.event(in_channel(IBRAHIM, "<https://www.unhcr.org/b.pdf|le rapport> "
                                              "#partage"), "Ev0100")
    await bot.settle()
    [item] = bot.app.store.items.newest_first()
    assert (item.url, item.title) == ("https://www.unhcr.org/b.pdf", "le rapport")
    [reaction] = bot.fake.called("reactions.add")
    assert reaction.args["name"] == "white_check_mark"
    assert ephemeral_texts(bot) == [bot.app.ctx.t("fr", "info.captured", number=1)]
    # Acknowledged once: the item is not posted again in the channel it came from.
    assert bot.fake.posted(NETWORK_CHANNEL) == []
    [row] = [r for r in bot.app.store.outbox.all() if r.key.startswith("item:1:")]
    assert row.status == "sent" and row.last_error is None


async def test_a_slack_labelled_link_in_a_direct_message_is_not_refused_as_not_a_link(
        bot: Bot) -> None:
    await bot.slack.event({"type": "message", "channel": "D0DEMOIM", "channel_type": "im",
                           "user": IBRAHIM, "ts": "1764349100.000300",
                           "text": "partager <https://www.unhcr.org/b.pdf|le rapport> #1"},
                          "Ev0101")
    await bot.settle()
    [item] = bot.app.store.items.newest_first()
    assert (item.url, item.title, item.objectives) == (
        "https://www.unhcr.org/b.pdf", "le rapport", [1])
    # Shared from a DM, the item is announced in the network channel.
    [announced] = bot.fake.posted(NETWORK_CHANNEL)
    assert "https://www.unhcr.org/b.pdf" in announced["text"]


async def test_a_private_network_channel_is_read_like_a_public_one(bot: Bot) -> None:
    await bot.slack.event(in_channel(IBRAHIM, "Note <https://x.org/n.pdf> #partage",
                                     channel_type="group"), "Ev0102")
    await bot.settle()
    assert bot.app.store.items.get(1).url == "https://x.org/n.pdf"


# Refusals say why, to the author only.

async def test_a_refused_capture_is_explained_privately_not_dropped_in_silence(
        bot: Bot) -> None:
    await bot.slack.event(in_channel(IBRAHIM, f"<{EVIL}> #partage"), "Ev0110")
    await bot.slack.event(in_channel(IBRAHIM, "<https://x.org/a> #partage #99",
                                     ts="1764349100.000201"), "Ev0111")
    await bot.slack.event(in_channel("U0STRANGER", "<https://x.org/b> #partage",
                                     ts="1764349100.000202"), "Ev0112")
    await bot.slack.event(in_channel(IBRAHIM, "On se voit demain #info",
                                     ts="1764349100.000203"), "Ev0113")  # conversation
    await bot.settle()
    app = bot.app
    assert app.store.items.newest_first() == []
    assert bot.fake.called("reactions.add") == []
    assert ephemeral_texts(bot) == [
        refusal(app, "info.link_userinfo", link=EVIL),
        refusal(app, "info.unknown_tag", tag="#99"),
        refusal(app, "info.capture_not_member", join="rejoindre"),
    ]
    users = [c.args["user"] for c in bot.fake.called("chat.postEphemeral")]
    assert users == [IBRAHIM, IBRAHIM, "U0STRANGER"]


async def test_a_duplicate_capture_gets_no_tick_and_says_which_item_it_repeats(
        bot: Bot) -> None:
    say(bot.app, "awa", "partager https://x.org/r.pdf Rapport")
    await bot.slack.event(in_channel(IBRAHIM, "<https://www.x.org/r.pdf/> #partage"), "Ev0120")
    await bot.settle()
    assert bot.fake.called("reactions.add") == []
    [note] = ephemeral_texts(bot)
    assert note.startswith(bot.app.ctx.t("fr", "info.capture_refused", reason="").strip())
    assert "n° 1" in note


# @reseau in a channel.

async def test_a_mention_runs_the_command_for_that_person_and_answers_privately(
        bot: Bot) -> None:
    text = f"<@{BOT_USER}> partager <https://x.org/m.pdf|Mémo> #2"
    # Slack sends both events for a mention in a channel the bot reads: one command runs.
    await bot.slack.event({"type": "app_mention", "channel": NETWORK_CHANNEL, "user": IBRAHIM,
                           "text": text, "ts": "1764349100.000400"}, "Ev0130")
    await bot.slack.event(in_channel(IBRAHIM, text, ts="1764349100.000400"), "Ev0131")
    await bot.settle()
    [item] = bot.app.store.items.newest_first()
    assert (item.title, item.objectives) == ("Mémo", [2])
    [answer] = bot.fake.called("chat.postEphemeral")
    assert answer.args["user"] == IBRAHIM and answer.args["channel"] == NETWORK_CHANNEL
    assert answer.args["text"].startswith("Information n° 1 partagée")
    assert bot.fake.posted(NETWORK_CHANNEL) == []  # the mention itself shows it there


async def test_a_mention_in_another_channel_answers_there_privately(bot: Bot) -> None:
    await bot.slack.event({"type": "app_mention", "channel": "C0OTHER", "user": IBRAHIM,
                           "text": f"<@{BOT_USER}> membres", "ts": "1764349100.000500",
                           "thread_ts": "1764349000.000100"}, "Ev0140")
    await bot.settle()
    [answer] = bot.fake.called("chat.postEphemeral")
    assert (answer.args["channel"], answer.args["user"], answer.args["thread_ts"]) == (
        "C0OTHER", IBRAHIM, "1764349000.000100")
    assert "membres actifs" in answer.args["text"]
    assert bot.fake.posted() == []


def test_a_refused_link_is_explained_in_a_direct_share_too(app: BotApp) -> None:
    reply = text_of(say(app, "awa", f"partager {EVIL} Rapport"))
    assert reply == app.ctx.t("fr", "info.link_userinfo", link=EVIL)
    assert app.store.items.newest_first() == []


def test_punctuation_around_a_link_is_not_part_of_it(app: BotApp) -> None:
    say(app, "awa", "partager Le rapport (https://x.org/r.pdf). #1")
    item = app.store.items.get(1)
    assert (item.url, item.title) == ("https://x.org/r.pdf", "Le rapport")


def test_a_label_that_reads_like_another_address_is_not_used_as_the_title(app: BotApp) -> None:
    say(app, "awa", "partager [www.unhcr.org](https://evil.example/) #1")
    assert app.store.items.get(1).title == ""


# Tracking parameters.

def test_a_shared_link_is_announced_without_its_tracking_parameters(app: BotApp) -> None:
    say(app, "awa", "partager https://dtm.iom.int/mali?utm_source=slack&id=3&fbclid=x"
                    "&utm_medium=chat Suivi #1")
    item = app.store.items.get(1)
    assert item.url == "https://dtm.iom.int/mali?id=3"
    [row] = [r for r in app.store.outbox.all() if r.key.startswith("item:1:")]
    announced = Message.from_dict(row.message)
    assert "https://dtm.iom.int/mali?id=3" in announced.paragraphs
    assert "utm_" not in str(row.message) and "fbclid" not in str(row.message)


# Not posted back where it came from, on every platform.

class Recorder:
    """An adapter that records what the dispatcher gives it."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.rate_limits = RateLimits()
        self.sent: list[Target] = []

    async def deliver(self, target: Target, message: Message) -> None:
        self.sent.append(target)

    async def probe(self) -> None:
        pass


async def test_a_capture_is_announced_on_the_other_platform_only(app: BotApp) -> None:
    network = replace(app.network, channels={"slack": "C0NET", "telegram": "-1009999"})
    app.network = app.ctx.network = app.dispatcher.network = network
    slack, telegram = Recorder("slack"), Recorder("telegram")
    app.add_adapter(slack)
    app.add_adapter(telegram)
    reply = app.handle(Inbound(platform="slack", user_id=IBRAHIM, chat_id="C0NET",
                               private=False, capture=True, visible=True,
                               text="https://x.org/r.pdf #partage"))
    assert reply.accepted
    await app.dispatcher.flush()
    assert [t.key for t in telegram.sent] == ["telegram:-1009999"]
    assert slack.sent == []
    [row] = [r for r in app.store.outbox.all() if r.key.startswith("item:1:")]
    assert Recipient.from_dict(row.recipient).skip == "slack:C0NET"

    # A slash command is seen by nobody else: its item is announced everywhere.
    say(app, f"slack:{IBRAHIM}", "partager https://x.org/s.pdf", chat_id="C0NET",
        private=False)
    await app.dispatcher.flush()
    assert [t.key for t in slack.sent] == ["slack:C0NET"]


async def test_a_telegram_capture_is_not_posted_again_in_its_group(
        app: BotApp) -> None:
    fake = FakeTelegram()
    await fake.start()
    runtime = await telegram_running(app, fake)
    try:
        update = text_update(60, 100000001, "le rapport #partage #1", chat_id=int(NETWORK_CHAT),
                             chat_type="supergroup")
        update["message"]["entities"] = [{"type": "text_link", "offset": 0, "length": 10,
                                          "url": "https://x.org/r.pdf"}]
        assert await post(runtime, update) == 200
        await app.dispatcher.flush()
        item = app.store.items.get(1)
        assert (item.url, item.title) == ("https://x.org/r.pdf", "le rapport")
        assert sent_text(fake, NETWORK_CHAT) == [app.ctx.t("fr", "info.captured", number=1)]
    finally:
        await runtime.stop()
        await fake.stop()
    assert TOKEN  # the fake Bot API was the one spoken to
