"""Cards stay true: after a change by a button, a command, a form or a colleague of the same
agency, each focal point's card (the proposal with its buttons, as delivered) is edited to show
the agency's current position with the chosen button marked; a burst of changes makes one edit
per card; an edit the platform refuses because the message is gone is dropped, not retried."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import BotApp
from bot.dispatch.followups import follow_up
from handlers.types import Inbound
from storage.cards import Card
from storage.models import FOCAL_POINT, Consultation, Member
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    Call,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import FakeTelegram, text_update
from tests.support.previews import say_and_send, slack_command_and_send, telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, CHAIR, post, running
from tests.test_dispatcher import Recorder

MOUSSA, IBRAHIM, AICHA = "U0DEMOMK", "U0DEMOIM", "U0UNDP2"  # co-chair; UNDP's two focal points
TELEGRAM_COLLEAGUE = 100000077  # a second UNICEF focal point, on Telegram


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def dm_of(user: str) -> str:
    return "D" + user[1:]


def card_of(bot: Bot, user: str) -> Call:
    return [c for c in bot.fake.called("chat.postMessage") if c.args["channel"] == dm_of(user)
            and any(b["type"] == "actions" for b in c.args.get("blocks", []))][0]


def buttons(blocks: list[dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    """action → (label, style) of the buttons of a message."""
    return {e["action_id"]: (e["text"]["text"], e.get("style")) for b in blocks
            if b["type"] == "actions" for e in b["elements"]}


def updates_of(bot: Bot, card: Call) -> list[Call]:
    return [c for c in bot.fake.called("chat.update") if c.args["channel"] ==
            card.args["channel"] and c.args["ts"] == card.response["ts"]]


async def open_with_colleague(bot: Bot) -> tuple[Call, Call]:
    """UNDP has two Slack focal points; consultation n° 1 reaches both: their cards."""
    bot.app.store.members.save(Member(id="aicha", name="Aïcha Touré", agency="UNDP",
                                      roles=[FOCAL_POINT], identities=[f"slack:{AICHA}"]))
    await slack_command_and_send(bot.slack, bot.app,
                                 MOUSSA, "consultation ouvrir Adopter le plan 2027 | "
                                 "vendredi 4 décembre 17h")
    await bot.settle()
    return card_of(bot, IBRAHIM), card_of(bot, AICHA)


async def test_a_colleagues_click_edits_the_other_cards_of_the_agency(
        bot: Bot, spoken: Spoken) -> None:
    ibrahims, aichas = await open_with_colleague(bot)
    # Where each card is was recorded as it was delivered.
    cards = {card.member_id: card for card in bot.app.store.cards.of_agency("poll:1", "UNDP")}
    assert cards["ibrahim"].refs == {
        f"slack:{IBRAHIM}": f"{dm_of(IBRAHIM)}:{ibrahims.response['ts']}"}

    await bot.slack.click(AICHA, "position.agree", "1.0", aichas.as_clicked())
    await bot.settle()
    [edit] = updates_of(bot, ibrahims)  # his card, edited for her change
    marked = buttons(edit.args["blocks"])
    assert marked["position.agree"] == (spoken.text("card.chosen", "fr"), "primary")
    assert marked["position.abstain"][1] is None
    assert spoken.has("card.current", "fr", agency="PNUD", name="Aïcha Touré")
    assert spoken.shown(edit.args["text"], "card.current", "fr", agency="PNUD")
    # Hers is edited once, by the answer to her click, which marks her choice too.
    [answered] = updates_of(bot, aichas)
    assert buttons(answered.args["blocks"])["position.agree"][1] == "primary"


async def test_a_typed_position_edits_every_card_of_the_agency_including_ones_own(
        bot: Bot, spoken: Spoken) -> None:
    ibrahims, aichas = await open_with_colleague(bot)
    bot.fake.reset()
    await bot.slack.command(IBRAHIM, "position 1 objection Hors du mandat")
    await bot.settle()
    for card in (ibrahims, aichas):
        [edit] = updates_of(bot, card)
        assert buttons(edit.args["blocks"])["position.objection"] == (
            spoken.text("card.chosen", "fr", choice=spoken.text("poll.choice.objection", "fr")),
            "primary")
    assert spoken.has("card.current_reason", "fr", reason="Hors du mandat", name="Ibrahim Maïga")


async def test_a_burst_of_changes_makes_one_edit_per_card_the_latest(
        bot: Bot, spoken: Spoken) -> None:
    ibrahims, aichas = await open_with_colleague(bot)
    bot.fake.reset()
    for choice in ("accord", "abstention", "réserves"):  # before the dispatcher runs
        bot.app.handle(Inbound(platform="slack", user_id=IBRAHIM, text=f"position 1 {choice}"))
    await bot.settle()
    for card in (ibrahims, aichas):
        [edit] = updates_of(bot, card)
        assert buttons(edit.args["blocks"])["position.reservations"][1] == "primary"
    # One edit queued per card (the first change); the later ones found it still waiting,
    # and it was written as it left (``handlers.live``): nothing built only to be dropped.
    queued = [row for row in bot.app.store.outbox.all() if row.key.startswith("card:")]
    assert len(queued) == 2 and {row.status for row in queued} == {"sent"}


async def test_an_edit_of_a_card_gone_is_dropped_not_retried(bot: Bot) -> None:
    ibrahims, _ = await open_with_colleague(bot)
    bot.fake.reset()
    bot.fake.fail("chat.update", 200, error="message_not_found", times=5)
    await bot.slack.command(AICHA, "position 1 accord")
    await bot.settle()
    assert len(bot.fake.called("chat.update!200")) == 2  # both cards tried once
    rows = [row for row in bot.app.store.outbox.all() if row.key.startswith("card:")]
    assert rows and {row.status for row in rows} == {"sent"}
    await bot.settle()
    assert len(bot.fake.called("chat.update!200")) == 2  # never tried again


async def test_a_telegram_card_is_edited_after_a_colleagues_change(
        app: BotApp, telegram: FakeTelegram, spoken: Spoken) -> None:
    app.store.members.save(Member(id="salif", name="Salif Diarra", agency="UNICEF",
                                  roles=[FOCAL_POINT],
                                  identities=[f"telegram:{TELEGRAM_COLLEAGUE}"]))
    runtime = await running(app, telegram)
    try:
        await telegram_says_and_sends(runtime, app, 60, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        [card] = [c for c in telegram.called("sendMessage")
                  if str(c.args["chat_id"]) == str(AWA) and "reply_markup" in c.args]
        telegram.calls.clear()
        await post(runtime, text_update(61, TELEGRAM_COLLEAGUE, "/position 1 abstention"))
        [edit] = [c for c in telegram.called("editMessageText")
                  if str(c.args["chat_id"]) == str(AWA)]
        assert edit.args["message_id"] == card.result["message_id"]
        labels = [b["text"] for row in edit.args["reply_markup"]["inline_keyboard"]
                  for b in row]
        assert spoken.text("card.chosen", "fr",
                           choice=spoken.text("poll.choice.abstain", "fr")) in labels
        assert spoken.has("card.current", "fr", agency="UNICEF", name="Salif Diarra")

        # Her card gone from the chat: the edit is dropped, not retried.
        telegram.fail("editMessageText", 400, "Bad Request: message to edit not found", times=5)
        telegram.calls.clear()
        await post(runtime, text_update(62, TELEGRAM_COLLEAGUE, "/position 1 accord"))
        await app.dispatcher.flush()
        assert len([c for c in telegram.called("editMessageText:400")
                    if str(c.args["chat_id"]) == str(AWA)]) == 1
    finally:
        await runtime.stop()


async def aicha_on_two_platforms(app: BotApp) -> tuple[Recorder, Recorder, Consultation]:
    """UNDP's Aïcha on Slack and Telegram; consultation n° 1 open, her card (n° 900) delivered
    to both."""
    slack, telegram = Recorder("slack"), Recorder("telegram")
    app.add_adapter(slack)
    app.add_adapter(telegram)
    app.store.members.save(Member(id="aicha", name="Aïcha Touré", agency="UNDP",
                                  roles=[FOCAL_POINT], preference="both",
                                  identities=[f"slack:{AICHA}", "telegram:777"]))
    say_and_send(app, f"slack:{MOUSSA}", "consultation ouvrir Plan | vendredi 4 décembre 17h")
    [consultation] = app.store.consultations.open()
    assert await app.dispatcher.flush() > 0
    app.store.cards.save(Card(id="900", topic=f"poll:{consultation.id}", member_id="aicha",
                              agency="UNDP", refs={f"slack:{AICHA}": "DUNDP2:1.0",
                                                   "telegram:777": "777:5"}))
    slack.sent.clear()
    telegram.sent.clear()
    return slack, telegram, consultation


async def test_a_click_leaves_the_clicked_copy_to_its_answer_and_edits_the_other_platforms(
        app: BotApp) -> None:
    """A focal point on Slack and Telegram clicks their Slack card: its answer shows the change
    there, and the same card's Telegram copy is edited; a card whose one copy was clicked gets
    no edit; a colleague's card is edited on its platform; an answer from an email's link
    edits every copy."""
    slack, telegram, consultation = await aicha_on_two_platforms(app)
    app.store.cards.save(Card(id="901", topic=f"poll:{consultation.id}", member_id="ibrahim",
                              agency="UNDP", refs={f"slack:{IBRAHIM}": "DDEMOIM:1.0"}))

    app.handle(Inbound(platform="slack", user_id=AICHA, chat_id="DUNDP2",
                       action="position.agree", value=f"{consultation.id}.0"))
    await app.dispatcher.flush()
    edited = {(target.platform, target.edit) for target, _ in slack.sent + telegram.sent
              if target.edit}
    assert edited == {("telegram", "777:5"), ("slack", "DDEMOIM:1.0")}

    aichas = app.store.cards.get("900")
    assert aichas is not None
    app.store.cards.save(dataclasses.replace(aichas, refs={f"slack:{AICHA}": "DUNDP2:1.0"}))
    slack.sent.clear()
    telegram.sent.clear()
    app.handle(Inbound(platform="slack", user_id=AICHA, chat_id="DUNDP2",
                       action="position.abstain",
                       value=f"{consultation.id}.{app.store.positions.last_number(1)}"))
    await app.dispatcher.flush()
    edited = {(target.platform, target.edit) for target, _ in slack.sent + telegram.sent
              if target.edit}
    assert edited == {("slack", "DDEMOIM:1.0")}

    # Answered from an email's link: no chat shows it, so her Slack card is edited too.
    aicha = app.store.members.get("aicha")
    assert aicha is not None
    app.store.members.save(dataclasses.replace(
        aicha, identities=[*aicha.identities, "email:aicha@undp.example"]))
    slack.sent.clear()
    app.handle(Inbound(platform="email", user_id="aicha@undp.example", action="position.agree",
                       value=f"{consultation.id}.{app.store.positions.last_number(1)}"))
    await app.dispatcher.flush()
    edited = {(target.platform, target.edit) for target, _ in slack.sent if target.edit}
    assert edited == {("slack", "DDEMOIM:1.0"), ("slack", "DUNDP2:1.0")}


async def test_a_change_that_comes_before_a_clicks_edits_left_reaches_the_clicked_copy(
        app: BotApp) -> None:
    """Aïcha's click leaves her Slack copy to its answer; before that edit leaves, she types
    another position on Telegram: her Slack copy must show it, so the edit that left it out
    is replaced by one that does not."""
    slack, telegram, consultation = await aicha_on_two_platforms(app)
    app.handle(Inbound(platform="slack", user_id=AICHA, chat_id="DUNDP2",
                       action="position.agree", value=f"{consultation.id}.0"))
    await follow_up(app.ctx, app.dispatcher.ledger, None)  # her card's edit queued, not sent
    app.handle(Inbound(platform="telegram", user_id="777", text="position 1 abstention"))
    await app.dispatcher.flush()
    edited = {(target.platform, target.edit) for target, _ in slack.sent + telegram.sent
              if target.edit}
    assert {("slack", "DUNDP2:1.0"), ("telegram", "777:5")} <= edited
    rows = [row for row in app.store.outbox.all() if row.key.startswith("card:900:")]
    assert sorted(row.status for row in rows) == ["sent", "skipped"]
