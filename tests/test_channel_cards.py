"""One live card per consultation and per meeting in each network channel: posted once, edited
in place (Slack ``chat.update``, Telegram ``editMessageText``) with the tally, the outcome, a
move or a cancellation, a burst of changes coalesced into one edit; the outcome names the
silent Executive Committee entities and counts the other silent agencies; « consultation
relancer » reminds only the silent, as the to-do's button does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from bot.app import BotApp
from bot.config.environment import Environment
from bot.dispatch.contract import Target
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.ratelimit import RateLimits
from bot.runtime import Runtime
from handlers.channel_cards.live import EDIT_GAP
from handlers.types import Message, Recipient
from storage.models import FOCAL_POINT, Member
from tests.support.chat import Clock, say
from tests.support.fake_slack import SECRET, FakeSlack, SlackSender
from tests.support.fake_telegram import TOKEN, FakeTelegram, callback_update
from tests.support.previews import say_and_send, slack_command_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import post

SLACK_CHANNEL, TELEGRAM_CHAT = "C0NET", "-1009999"
MOUSSA, SARAH, IBRAHIM = "U0DEMOMK", "U0DEMOSJ", "U0DEMOIM"
AWA = 100000001  # UNICEF, on Telegram
TG_SECRET = "s3cret-webhook"


@dataclass
class Both:
    app: BotApp
    slack: SlackSender
    slack_fake: FakeSlack
    telegram_fake: FakeTelegram
    runtime: Runtime
    clock: Clock

    async def send_draft(self, user: str) -> None:
        """``user`` presses « Envoyer » under the preview of the broadcast they just typed."""
        await self.app.dispatcher.flush()
        draft = self.app.store.drafts.all()[-1]
        assert (await self.slack.click(user, "preview.send", str(draft.id), ref="sent"))[0] == 200

    async def later(self) -> None:
        """The coalescing gap passes, and the dispatcher runs."""
        await self.app.dispatcher.flush()
        self.clock.now += EDIT_GAP + timedelta(seconds=1)
        await self.app.dispatcher.flush()

    def slack_updates(self, ts: str) -> list[dict]:
        return [c.args for c in self.slack_fake.called("chat.update")
                if c.args["channel"] == SLACK_CHANNEL and c.args["ts"] == ts]

    def telegram_edits(self, message_id: int) -> list[dict]:
        return [c.args for c in self.telegram_fake.called("editMessageText")
                if str(c.args["chat_id"]) == TELEGRAM_CHAT and c.args["message_id"] == message_id]

    def slack_card(self, spoken: Spoken, key: str, **params: object) -> dict:
        [call] = [c for c in self.slack_fake.called("chat.postMessage")
                  if c.args["channel"] == SLACK_CHANNEL
                  and spoken.shown(c.args["text"], key, "fr", **params)]
        return {**call.args, "ts": call.response["ts"]}

    def telegram_card(self, spoken: Spoken, key: str, **params: object) -> dict:
        [call] = [c for c in self.telegram_fake.called("sendMessage")
                  if str(c.args["chat_id"]) == TELEGRAM_CHAT
                  and spoken.shown(c.args["text"], key, "fr", **params)]
        return {**call.args, "message_id": call.result["message_id"]}


@pytest.fixture
async def both(app: BotApp, clock: Clock) -> AsyncIterator[Both]:
    slack_fake, telegram_fake = FakeSlack(), FakeTelegram()
    await slack_fake.start()
    await telegram_fake.start()
    network = replace(app.network, channels={"slack": SLACK_CHANNEL, "telegram": TELEGRAM_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network
    env = Environment(slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                      slack_api_url=slack_fake.url, telegram_bot_token=TOKEN,
                      telegram_api_url=telegram_fake.url, telegram_webhook_secret=TG_SECRET,
                      host="127.0.0.1", port=0)
    slack, telegram = SlackPlatform(app, env), TelegramPlatform(app, env)
    slack.rate_limits = replace(slack.rate_limits, per_chat_interval=0.0)
    telegram.rate_limits = replace(telegram.rate_limits, per_chat_interval=0.0)
    runtime = Runtime(app, env, platforms=[slack, telegram])
    await runtime.start()
    try:
        yield Both(app, SlackSender(slack_fake, runtime.port), slack_fake, telegram_fake,
                   runtime, clock)
    finally:
        await runtime.stop()
        await slack_fake.stop()
        await telegram_fake.stop()


async def open_one(both: Both) -> None:
    status, _ = await slack_command_and_send(both.slack, both.app,
                                             MOUSSA, "consultation ouvrir Plan 2027 | vendredi 4 "
                                             "décembre 17h")
    assert status == 200
    await both.app.dispatcher.flush()


async def test_the_channel_card_is_posted_once_edited_with_the_tally_then_the_outcome(
        both: Both, spoken: Spoken) -> None:
    await open_one(both)
    slack_card = both.slack_card(spoken, "poll.announce_title", number=1)
    telegram_card = both.telegram_card(spoken, "poll.announce_title", number=1)
    # The card carries the position buttons and « Relancer ».
    actions = [e["action_id"] for b in slack_card["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert "position.agree" in actions and "todo.nudge" in actions
    # Where each copy is was remembered as it was delivered.
    [card] = both.app.store.cards.of_agency("channel:poll:1", "")
    assert card.refs == {f"slack:{SLACK_CHANNEL}": f"{SLACK_CHANNEL}:{slack_card['ts']}",
                         f"telegram:{TELEGRAM_CHAT}":
                             f"{TELEGRAM_CHAT}:{telegram_card['message_id']}"}

    assert (await both.slack.click(SARAH, "position.agree", "1.0"))[0] == 200
    assert await post(both.runtime, callback_update(700, AWA, "position.objection|1.0"),
                      secret=TG_SECRET) == 200  # an objection asks its reason
    await both.later()
    [tally] = both.slack_updates(slack_card["ts"])
    assert spoken.shown(tally["text"], "poll.tally_line", "fr", mark="★ ", agency="HCR",
                        choice=spoken.text("poll.choice.agree", "fr"))
    [edited] = both.telegram_edits(telegram_card["message_id"])
    assert spoken.shown(edited["text"], "poll.tally_line", "fr", agency="HCR")
    assert len(both.slack_fake.posted(SLACK_CHANNEL)) == 1  # no new post for a position

    assert (await both.slack.command(MOUSSA, "consultation clore 1"))[0] == 200
    await both.send_draft(MOUSSA)  # « Envoyer » under its preview
    await both.later()
    closed = both.slack_updates(slack_card["ts"])[-1]
    assert spoken.shown(closed["text"], "poll.outcome_title.not_adopted", "fr", number=1)
    assert not [b for b in closed["blocks"] if b["type"] == "actions"]  # no buttons left
    assert spoken.shown(both.telegram_edits(telegram_card["message_id"])[-1]["text"],
                        "poll.outcome_title.not_adopted", "fr", number=1)
    assert len(both.slack_fake.posted(SLACK_CHANNEL)) == 1  # still one message

    assert (await both.slack.command(MOUSSA, "consultation conclusion 1 Reprise en janvier"))[
        0] == 200
    await both.later()
    assert spoken.shown(both.slack_updates(slack_card["ts"])[-1]["text"], "poll.outcome_note",
                        "fr", note="Reprise en janvier")


async def test_a_burst_of_positions_makes_one_edit_per_card(both: Both, spoken: Spoken) -> None:
    await open_one(both)
    slack_card = both.slack_card(spoken, "poll.announce_title", number=1)
    for user in (SARAH, IBRAHIM, MOUSSA, SARAH):
        await both.slack.command(user, "position 1 accord")
    await both.app.dispatcher.flush()
    assert both.slack_updates(slack_card["ts"]) == []  # waiting: more may come
    await both.later()
    assert len(both.slack_updates(slack_card["ts"])) == 1
    # One edit queued for the card (the first position); the later ones found it waiting, and
    # it was written as it left (``handlers.live``): nothing built only to be dropped.
    edits = [row for row in both.app.store.outbox.all()
             if row.key.startswith("channelcard-edit:")]
    assert len(edits) == 1 and edits[0].status == "sent"


async def test_a_meeting_card_is_posted_then_edited_after_a_move_and_a_cancellation(
        both: Both, spoken: Spoken) -> None:
    assert (await slack_command_and_send(both.slack, both.app,
                                         MOUSSA, "réunion mardi 1 décembre 10h"))[0] == 200
    await both.app.dispatcher.flush()
    slack_card = both.slack_card(spoken, "card.meeting_title", number=1)
    telegram_card = both.telegram_card(spoken, "card.meeting_title", number=1)
    assert "rsvp.present" in [e["action_id"] for b in slack_card["blocks"]
                              if b["type"] == "actions" for e in b["elements"]]

    assert (await both.slack.command(MOUSSA, "réunion déplacer 1 mercredi 2 décembre 11h"))[
        0] == 200
    await both.later()
    [moved] = both.slack_updates(slack_card["ts"])
    assert spoken.shown(moved["text"], "card.meeting_title", "fr", number=1)
    assert moved["text"] != slack_card["text"]
    assert both.telegram_edits(telegram_card["message_id"])
    both.slack_card(spoken, "card.meeting_moved", number=1)  # and a short note

    assert (await both.slack.command(MOUSSA, "réunion annuler 1"))[0] == 200
    await both.send_draft(MOUSSA)  # « Envoyer » under its preview
    await both.later()
    cancelled = both.slack_updates(slack_card["ts"])[-1]
    assert spoken.shown(cancelled["text"], "meeting.cancelled_title", "fr", number=1)
    assert not [b for b in cancelled["blocks"] if b["type"] == "actions"]
    both.slack_card(spoken, "card.meeting_cancelled", number=1)


def test_an_executive_meeting_is_not_posted_in_the_channel(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion comité mardi 1 décembre 10h")
    assert app.store.meetings.get(1).kind == "executive"
    assert app.store.meetings.get(1) is not None
    assert not [r for r in app.store.outbox.all()
                if Recipient.from_dict(r.recipient).kind == "channel"]


def test_the_outcome_names_silent_executive_entities_and_counts_the_others(
        app: BotApp, spoken: Spoken) -> None:
    app.store.members.save(Member(id="ilo", name="PF OIT", agency="ILO", roles=[FOCAL_POINT],
                                  identities=["console:ilo"]))
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    say(app, "awa", "position 1 accord")
    spoken.clear()
    say_and_send(app, "aminata", "consultation clore 1")
    silent = spoken.last("poll.silent", "fr")
    executive = silent.params["executive"]
    assert "UNICEF" not in str(executive) and "OIM" in str(executive)
    others = [a for a in app.network.agencies if not a.executive]
    assert silent.params["count"] == len(others) > 5
    assert not any(a.acronym("fr") in silent.text.split(";")[-1] for a in others)


def test_consultation_relancer_reminds_only_the_silent_and_says_to_whom(
        app: BotApp, spoken: Spoken, clock: Clock) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    say(app, "awa", "position 1 accord")
    assert spoken.shown(say(app, "aminata", "consultation relancer 1"), "todo.nudged",
                        number=1)
    reminded = {Recipient.from_dict(r.recipient).ref for r in app.store.outbox.all()
                if r.key.startswith("poll:1:nudge:")}
    assert reminded and "awa" not in reminded and "mariam" in reminded
    assert "UNICEF" not in str(spoken.last("todo.nudged").params["agencies"])
    # Once an hour, as the to-do's button; English too.
    assert spoken.shown(say(app, "aminata", "consultation remind 1"), "todo.nudge_too_soon",
                        number=1)
    clock.now += timedelta(hours=1, minutes=1)
    assert spoken.shown(say(app, "aminata", "poll remind 1"), "todo.nudged", number=1)
    # Only the leads.
    assert spoken.shown(say(app, "awa", "consultation relancer 1"), "error.not_allowed")


class Console:
    """A platform where nothing posted can be edited (as the console): ``deliver`` returns no
    reference."""

    platform = "console"
    rate_limits = RateLimits()

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    async def deliver(self, target: Target, message: Message) -> None:
        self.received.append((target.address, message.title))

    async def probe(self) -> None:
        return None


async def test_where_no_card_can_be_edited_the_outcome_is_posted_as_before(
        app: BotApp, spoken: Spoken) -> None:
    console = Console()
    app.add_adapter(console, fallback=True)
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    await app.dispatcher.flush()
    assert app.store.cards.of_agency("channel:poll:1", "") == []
    say_and_send(app, "aminata", "consultation clore 1")
    await app.dispatcher.flush()
    titles = [title for address, title in console.received if address == "network"]
    assert titles == [spoken.text("poll.announce_title", number=1),
                      spoken.text("poll.outcome_title.not_adopted", number=1)]


def test_a_series_has_one_card_and_a_cancelled_occurrence_is_marked_on_it(
        app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion série tous les mois le 15 à 9h")
    [card] = [r for r in app.store.outbox.all() if r.recipient["kind"] == "channel"]
    assert card.key == "channelcard:series:1:network"
    occurrences = app.store.meetings.of_series(1)
    assert spoken.shown(card.message["title"], "card.series_title", count=len(occurrences))
    say_and_send(app, "aminata", f"réunion annuler {occurrences[1].id}")
    card = app.store.outbox.get(card.id)  # not delivered yet: the post itself is rewritten
    assert spoken.shown(card.message["paragraphs"][0], "card.occurrence_cancelled",
                        number=occurrences[1].id)
    channel = [r.key for r in app.store.outbox.all() if r.recipient["kind"] == "channel"]
    assert channel == [card.key, f"meeting:{occurrences[1].id}:card-note:1:channel:network"]
