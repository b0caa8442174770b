"""Telegram through the real python-telegram-bot application against a fake Bot API on
127.0.0.1: webhook (with and without the secret), polling, commands in both languages, inline
keyboards, rendering limits, rate limits, and one network across Slack and Telegram."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import ClientSession

from bot.app import BotApp
from bot.config import Environment
from bot.platforms.telegram import TelegramPlatform, telegram_name
from bot.platforms.telegram_render import CALLBACK_BYTES, callback_data, chunks, render
from bot.runtime import Runtime
from handlers.commands import ACTIONS, COMMANDS
from handlers.types import Button, Message
from storage.models import CO_CHAIR, Member
from tests.conftest import text_of
from tests.fake_telegram import TOKEN, FakeTelegram, callback_update, text_update

SECRET = "s3cret-webhook"
AWA = 100000001  # UNICEF focal point in the demo network
FATOUMATA = 100000002  # WFP
CHAIR = 424242
NETWORK_CHAT = "-1001234"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def with_channel(app: BotApp) -> None:
    network = replace(app.network, channels={"telegram": NETWORK_CHAT})
    app.network = app.ctx.network = app.dispatcher.network = network


async def running(app: BotApp, fake: FakeTelegram, webhook: bool = True) -> Runtime:
    with_channel(app)
    app.store.members.save(Member(id="chair", name="Coordinatrice", agency="RCO",
                                  roles=[CO_CHAIR], identities=[f"telegram:{CHAIR}"],
                                  language="fr"))
    env = Environment(telegram_bot_token=TOKEN, telegram_api_url=fake.url,
                      telegram_webhook_secret=SECRET if webhook else "", host="127.0.0.1",
                      port=0)
    platform = TelegramPlatform(app, env)
    platform.per_chat_interval = 0  # the limiter's real waits are tested on their own
    runtime = Runtime(app, env, platforms=[platform])
    await runtime.start()
    return runtime


async def post(runtime: Runtime, update: dict, secret: str | None = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with ClientSession() as session, session.post(
            f"http://127.0.0.1:{runtime.port}/telegram/webhook", json=update,
            headers=headers) as response:
        return response.status


def sent_text(fake: FakeTelegram, chat: int | str) -> list[str]:
    return [c.args["text"] for c in fake.called("sendMessage")
            if str(c.args["chat_id"]) == str(chat)]


async def test_webhook_secret_repeats_and_menu(app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        menus = fake.called("setMyCommands")
        assert [m.args.get("language_code") for m in menus] == [None, "en"]
        names = [c["command"] for c in menus[0].args["commands"]]
        assert {"reunion", "membres", "aide", "ordre_du_jour", "consultation"} <= set(names)
        assert all(re.fullmatch(r"[a-z0-9_]{1,32}", n) for n in names)
        assert "meeting" in [c["command"] for c in menus[1].args["commands"]]

        update = text_update(1, AWA, "/membres")
        assert await post(runtime, update, secret="wrong") == 403
        assert await post(runtime, update, secret=None) == 403
        assert sent_text(fake, AWA) == []
        assert await post(runtime, update) == 200
        assert await post(runtime, update) == 200  # Telegram repeats an update: handled once
        [members] = sent_text(fake, AWA)
        assert "<b>Réseau des Nations Unies pour les migrations au Mali</b>" in members
        assert fake.called("sendMessage")[0].args["parse_mode"] == "HTML"

        await post(runtime, text_update(2, AWA, "/members@reseau_bot", chat_id=-555,
                                        chat_type="group", language="en"))
        assert "Executive Committee" in sent_text(fake, -555)[0]  # no choice: her locale
        await post(runtime, text_update(3, AWA, "/members@other_bot", chat_id=-555,
                                        chat_type="group"))
        assert len(sent_text(fake, -555)) == 1  # not for us
    finally:
        await runtime.stop()


async def test_polling_receives_commands(app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake, webhook=False)
    try:
        fake.queue(text_update(10, FATOUMATA, "/aide"))
        await fake.wait_for(lambda: sent_text(fake, FATOUMATA))
        assert "<b>Aide</b>" in sent_text(fake, FATOUMATA)[0]
    finally:
        await runtime.stop()


async def test_meeting_invites_with_keyboard_and_calendar_file(app: BotApp,
                                                               fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(20, CHAIR, "/reunion mardi 1 decembre 10h"))
        assert "convoquée" in sent_text(fake, CHAIR)[0]
        await app.dispatcher.flush()
        [invite] = [c for c in fake.called("sendMessage") if str(c.args["chat_id"]) == str(AWA)]
        keyboard = invite.args["reply_markup"]["inline_keyboard"]
        assert [b["callback_data"] for row in keyboard for b in row] == [
            "rsvp.present|1", "rsvp.online|1", "rsvp.excused|1"]
        [document] = [c for c in fake.called("sendDocument") if str(c.args["chat_id"]) ==
                      str(AWA)]
        assert document.args["document_filename"] == "reunion-1.ics"
        assert b"BEGIN:VCALENDAR" in next(iter(document.files.values()))

        await post(runtime, callback_update(21, AWA, "rsvp.present|1", "Invitation"))
        [answered] = fake.called("answerCallbackQuery")
        assert answered.args["text"].startswith("C'est noté : présent·e")
        [edited] = fake.called("editMessageText")
        assert edited.args["text"].startswith("Invitation\n\n<i>C'est noté")
        assert app.store.rsvps.get(1, "awa").status == "present"
        # a multi-word command typed with an underscore
        await post(runtime, text_update(22, CHAIR, "/reunion_deplacer 1 mercredi 2 decembre 10h"))
        assert "déplacée" in sent_text(fake, CHAIR)[-1]
    finally:
        await runtime.stop()


async def test_a_consultation_answered_half_on_slack_half_on_telegram(app: BotApp,
                                                                    fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(30, CHAIR, "/consultation ouvrir Plan | vendredi 4 "
                                                   "decembre 17h"))
        await post(runtime, callback_update(31, AWA, "position.agree|1"))
        await post(runtime, callback_update(32, FATOUMATA, "position.objection|1"))
        assert "motivée" in fake.called("answerCallbackQuery")[-1].args["text"]
        await post(runtime, text_update(33, FATOUMATA, "/position 1 objection Hors mandat"))
        from handlers.types import Inbound

        app.handle(Inbound(platform="slack", user_id="U0DEMOSJ", action="position.abstain",
                           value="1"))  # Sarah answers from Slack
        current = app.store.positions.current(1)
        assert {k: v.choice for k, v in current.items()} == {
            "UNICEF": "agree", "WFP": "objection", "UNHCR": "abstain"}
        text = text_of(app.handle(Inbound(platform="telegram", user_id=str(CHAIR),
                                          text="consultation clore 1")))
        assert "non adoptée" in text
        await app.dispatcher.flush()
        outcome = [t for t in sent_text(fake, NETWORK_CHAT) if "non adoptée" in t]
        assert outcome and "UNICEF : Accord" in outcome[0]
    finally:
        await runtime.stop()


async def test_a_429_waits_and_delivers_once(app: BotApp, fake: FakeTelegram, clock) -> None:
    from datetime import timedelta

    runtime = await running(app, fake)
    try:
        fake.limit("sendMessage", retry_after=7)
        app.ctx.send_to_member(app.store.members.get("awa"), "hello",
                               lambda lang: Message(title="Bonjour"))
        await app.dispatcher.flush()
        row = app.store.outbox.all()[-1]
        assert row.status == "pending" and row.attempts == 0  # waiting, not failed
        await app.dispatcher.flush()
        assert sent_text(fake, AWA) == []
        clock.now += timedelta(seconds=8)
        await app.dispatcher.flush()
        assert sent_text(fake, AWA) == ["<b>Bonjour</b>"]
        await app.dispatcher.flush()
        assert len(sent_text(fake, AWA)) == 1
    finally:
        await runtime.stop()


async def test_channel_capture(app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(40, AWA, "Rapport https://x.org/r #partage #1",
                                        chat_id=int(NETWORK_CHAT), chat_type="supergroup"))
        assert app.store.items.get(1).url == "https://x.org/r"
        await post(runtime, text_update(41, AWA, "bonjour à tous", chat_id=int(NETWORK_CHAT),
                                        chat_type="supergroup"))
        replies = [t for t in sent_text(fake, NETWORK_CHAT) if "enregistrée" in t]
        assert len(replies) == 1  # the capture's brief reply, nothing for "bonjour"
        assert fake.called("sendMessage")[0].args["reply_parameters"]["message_id"] == 40
    finally:
        await runtime.stop()


def test_rendering_escapes_and_splits_at_line_boundaries() -> None:
    message = Message(title="<b>Titre</b>", paragraphs=["ligne <script>\n" * 1000])
    texts, _ = render(message)
    assert all(len(t) < 4096 for t in texts) and len(texts) > 1
    assert "<script>" not in "".join(texts) and "&lt;script&gt;" in texts[0]
    assert texts[0].startswith("<b>&lt;b&gt;Titre&lt;/b&gt;</b>")
    assert all(not t.startswith("\n") for t in texts)
    joined = "\n".join(texts).splitlines()
    assert joined.count("ligne &lt;script&gt;") == 1000  # no line cut in two
    long_line = chunks(["x " * 5000])
    assert all(len(t) <= 4000 for t in long_line)


def test_callback_data_fits_64_bytes_for_every_action_and_big_ids() -> None:
    for action in ACTIONS:
        for number in (1, 999_999, 1_000_000):
            data = callback_data(Button(action.name, str(number), "é" * 40))
            assert len(data.encode("utf-8")) <= CALLBACK_BYTES
    with pytest.raises(ValueError):
        callback_data(Button("position.reservations", "é" * 40, "x"))


def test_telegram_command_names() -> None:
    assert telegram_name("réunion déplacer") == "reunion_deplacer"
    assert telegram_name("ordre du jour") == "ordre_du_jour"
    assert len(COMMANDS) > 40
