"""Telegram through the real python-telegram-bot application against a fake Bot API on
127.0.0.1: webhook (with and without the secret), polling, commands in both languages and in
groups, inline keyboards and callback queries, rate limits, the network chat, a restart."""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta

import pytest

from bot.app import BotApp
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import Runtime
from handlers.channel_cards.live import EDIT_GAP
from handlers.types import Inbound, Message
from tests.conftest import Clock, text_of
from tests.support import telegram_runtime
from tests.support.fake_telegram import (
    TOKEN,
    FakeTelegram,
    callback_update,
    edited_update,
    text_update,
)
from tests.support.previews import send_preview, telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import (
    AWA,
    CHAIR,
    FATOUMATA,
    GROUP,
    NETWORK_CHAT,
    SECRET,
    buttons_of,
    environment,
    post,
    running,
    sent_text,
)

fake = telegram_runtime.fake  # the fixture: the fake Bot API, serving


async def test_webhook_secret_repeats_and_menu(app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        assert {c.method for c in fake.calls} == {"getMe", "setMyCommands"}
        menus = fake.called("setMyCommands")
        defaults = [m for m in menus if m.args["scope"] == {"type": "default"}]
        assert [m.args.get("language_code") for m in defaults] == [None, "en"]
        french = [c["command"] for c in defaults[0].args["commands"]]
        english = [c["command"] for c in defaults[1].args["commands"]]
        assert {"membres", "aide", "ordre_du_jour", "consultation", "position",
                "rejoindre", "langue", "present", "en_ligne", "excuse", "decisions"} <= set(french)
        assert {"members", "help", "agenda", "join", "language"} <= set(english)
        for menu in menus:
            assert 0 < len(menu.args["commands"]) <= 100
            for entry in menu.args["commands"]:
                assert re.fullmatch(r"[a-z0-9_]{1,32}", entry["command"])
                assert 1 <= len(entry["description"]) <= 256

        update = text_update(1, AWA, "/membres")
        before = len(fake.calls)
        assert await post(runtime, update, secret="wrong") == 403
        assert await post(runtime, update, secret=None) == 403
        assert len(fake.calls) == before
        assert await post(runtime, update) == 200
        assert await post(runtime, update) == 200  # Telegram repeats an update: handled once
        [members] = sent_text(fake, AWA)
        assert f"<b>{app.network.name('fr')}</b>" in members
        assert fake.called("sendMessage")[0].args["parse_mode"] == "HTML"
        assert await post(runtime, {"not": "an update"}) == 400
    finally:
        await runtime.stop()


async def test_polling_receives_commands(app: BotApp, fake: FakeTelegram,
                                         spoken: Spoken) -> None:
    runtime = await running(app, fake, webhook=False)
    try:
        fake.queue(text_update(10, FATOUMATA, "/aide"))
        await fake.wait_for(lambda: sent_text(fake, FATOUMATA))
        assert f"<b>{spoken.text('help.title', 'fr')}</b>" in sent_text(fake, FATOUMATA)[0]
        assert fake.called("deleteWebhook")  # polling and a webhook exclude each other
        polls = fake.called("getUpdates")
        assert polls and polls[0].args["allowed_updates"] == ["message", "callback_query"]
    finally:
        await runtime.stop()


async def test_commands_in_a_group(app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(2, AWA, "/membres", chat_id=GROUP, chat_type="group"))
        await post(runtime, text_update(3, AWA, "/members@reseau_bot", chat_id=GROUP,
                                        chat_type="group", language="en"))
        french, english = sent_text(fake, GROUP)
        assert spoken.shown(french, "members.summary", "fr")
        assert spoken.shown(english, "members.summary", "en")  # her Telegram language
        assert fake.called("sendMessage")[0].args["reply_parameters"]["message_id"] == 2
        await post(runtime, text_update(4, AWA, "/members@other_bot", chat_id=GROUP,
                                        chat_type="group"))
        await post(runtime, text_update(5, AWA, "bonjour", chat_id=GROUP, chat_type="group"))
        assert len(sent_text(fake, GROUP)) == 2  # not for us: another bot, ordinary chatter
    finally:
        await runtime.stop()


async def test_private_text_start_and_edits(app: BotApp, fake: FakeTelegram,
                                            spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(6, AWA, "membres"))  # no slash in a private chat
        assert spoken.shown(sent_text(fake, AWA)[0], "members.summary", "fr")
        await post(runtime, text_update(7, FATOUMATA, "/start", language="en"))
        # a member: what waits for her (a newcomer's /start is the help: tests/test_todo.py)
        assert f"<b>{spoken.text('todo.title', 'en')}</b>" in sent_text(fake, FATOUMATA)[0]
        await post(runtime, edited_update(8, AWA, "/membres"))
        assert len(sent_text(fake, AWA)) == 1  # editing a message does not run it again
    finally:
        await runtime.stop()


async def test_meeting_invites_with_keyboard_and_calendar_file(app: BotApp, fake: FakeTelegram,
                                                               spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(20, CHAIR, "/reunion mardi 1 decembre 10h"))
        # First the preview, with its three buttons as an inline keyboard; nothing sent yet.
        [preview] = [c for c in fake.called("sendMessage")
                     if str(c.args["chat_id"]) == str(CHAIR)]
        assert spoken.shown(html.unescape(preview.args["text"]), "preview.meeting")
        assert buttons_of(preview.args) == ["preview.send|1", "preview.edit|1",
                                            "preview.cancel|1"]
        assert app.store.meetings.all() == []
        await app.dispatcher.flush()
        assert [c for c in fake.called("sendMessage") if str(c.args["chat_id"]) != str(CHAIR)
                ] == []  # nobody invited before « Envoyer »
        await post(runtime, callback_update(1020, CHAIR, "preview.send|1", "Aperçu",
                                            reply_markup=preview.args["reply_markup"]))
        [sent] = [c for c in fake.called("editMessageText")
                  if str(c.args["chat_id"]) == str(CHAIR)]  # the preview, replaced
        assert spoken.shown(html.unescape(sent.args["text"]), "meeting.scheduled", number=1)
        await post(runtime, callback_update(1021, CHAIR, "preview.send|1", "Aperçu"))
        assert len(app.store.meetings.all()) == 1  # pressed twice: one meeting
        await app.dispatcher.flush()
        for person in (FATOUMATA, AWA):
            [invite] = [c for c in fake.called("sendMessage")
                        if str(c.args["chat_id"]) == str(person)]
            assert invite.args["text"].startswith("<b>")
            assert buttons_of(invite.args) == ["rsvp.present|1", "rsvp.online|1",
                                               "rsvp.excused|1", "later|meeting.1",
                                               "feed.subscribe|personal"]
            [document] = [c for c in fake.called("sendDocument")
                          if str(c.args["chat_id"]) == str(person)]
            assert document.args["document_filename"] == "reunion-1.ics"
            assert b"BEGIN:VCALENDAR" in next(iter(document.files.values()))

        bold = [{"type": "bold", "offset": 0, "length": 10}]
        keyboard = invite.args["reply_markup"]
        await post(runtime, callback_update(21, AWA, "rsvp.present|1", "Invitation\nmardi",
                                            entities=bold, reply_markup=keyboard))
        [answered] = [c for c in fake.called("answerCallbackQuery")
                      if c.args["callback_query_id"] == "cb21"]
        assert answered.args["text"] == spoken.text("rsvp.done.present", number=1)
        [edited] = [c for c in fake.called("editMessageText")
                    if str(c.args["chat_id"]) == str(AWA)]
        assert edited.args["text"].startswith("<b>Invitation</b>\nmardi\n\n<i>")
        assert spoken.shown(html.unescape(edited.args["text"]), "rsvp.done.present", number=1)
        assert edited.args["parse_mode"] == "HTML"
        assert buttons_of(edited.args) == ["rsvp.present|1", "rsvp.online|1", "rsvp.excused|1",
                                           "later|meeting.1", "feed.subscribe|personal"]
        assert app.store.rsvps.get(1, "awa").status == "present"
        # she changes her mind on the edited message: her new answer replaces the old one
        shown = html.unescape(re.sub(r"</?[bi]>", "", edited.args["text"]))
        italic = {"type": "italic", "offset": 18, "length": len(shown) - 18}
        await post(runtime, callback_update(22, AWA, "rsvp.online|1", shown,
                                            entities=[*bold, italic], reply_markup=keyboard))
        assert app.store.rsvps.get(1, "awa").status == "online"
        last = fake.called("editMessageText")[-1].args["text"]
        assert last.count("<i>") == 1
        assert spoken.shown(html.unescape(last), "rsvp.done.online", number=1)
        assert spoken.text("rsvp.done.present") not in html.unescape(last)

        # a multi-word command, typed with an underscore or with a space (the answer first,
        # then the new date as every invitee gets it)
        await post(runtime, text_update(23, CHAIR, "/reunion_deplacer 1 mercredi 2 decembre 10h"))
        assert spoken.shown(html.unescape(sent_text(fake, CHAIR)[-2]), "meeting.moved", number=1)
        assert app.store.meetings.get(1).start.startswith("2026-12-02")
        await post(runtime, text_update(24, CHAIR, "/reunion deplacer 1 jeudi 3 decembre 10h"))
        assert spoken.shown(html.unescape(sent_text(fake, CHAIR)[-2]), "meeting.moved", number=1)
        assert app.store.meetings.get(1).start.startswith("2026-12-03")
    finally:
        await runtime.stop()


async def test_a_consultation_answered_by_buttons(app: BotApp, fake: FakeTelegram,
                                                  spoken: Spoken, clock: Clock) -> None:
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 30, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        await app.dispatcher.flush()
        [invite] = [c for c in fake.called("sendMessage") if str(c.args["chat_id"]) == str(AWA)]
        assert "position.agree|1.0" in buttons_of(invite.args)
        toasts = len(fake.called("answerCallbackQuery"))  # « Envoyer »'s
        edits = len(fake.called("editMessageText"))  # the preview, replaced by its answer
        await post(runtime, callback_update(31, AWA, "position.agree|1.0"))
        await post(runtime, callback_update(32, FATOUMATA, "position.objection|1.0"))
        toast = fake.called("answerCallbackQuery")[-1].args["text"]  # the reason is asked
        assert spoken.text("reason.prompt.objection", number=1).startswith(toast)
        assert "WFP" not in app.store.positions.current(1)
        assert len(fake.called("answerCallbackQuery")) == toasts + 2
        assert len(fake.called("editMessageText")) == edits + 1  # the asking card: as it was
        await post(runtime, text_update(33, FATOUMATA, "/position 1 objection Hors mandat"))
        app.handle(Inbound(platform="slack", user_id="U0DEMOSJ", action="position.abstain",
                           value="1"))  # Sarah answers from Slack
        current = app.store.positions.current(1)
        assert {k: v.choice for k, v in current.items()} == {
            "UNICEF": "agree", "WFP": "objection", "UNHCR": "abstain"}
        preview = app.handle(Inbound(platform="telegram", user_id=str(CHAIR),
                                     text="consultation clore 1"))
        text = text_of(send_preview(app, f"telegram:{CHAIR}", preview))
        assert spoken.shown(text, "poll.outcome.not_adopted", "fr")
        assert app.store.consultations.get(1).outcome == "not_adopted"
        await app.dispatcher.flush()
        clock.now += EDIT_GAP  # the channel card's edit goes after the coalescing gap
        await app.dispatcher.flush()
        edited = [c.args["text"] for c in fake.called("editMessageText")
                  if str(c.args["chat_id"]) == NETWORK_CHAT]  # the group's card, edited
        outcome = [t for t in edited
                   if spoken.shown(t, "poll.outcome_title.not_adopted", number=1)]
        assert outcome and spoken.shown(outcome[0], "poll.tally_line", agency="UNICEF",
                                        choice=spoken.text("poll.choice.agree", "fr"))
    finally:
        await runtime.stop()


async def test_a_button_in_a_group_answers_only_the_person(app: BotApp,
                                                           fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 35, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        in_group = len(sent_text(fake, NETWORK_CHAT))  # the consultation's announcement
        to_awa = len(sent_text(fake, AWA))  # her invitation
        edits = len(fake.called("editMessageText"))  # the preview, replaced by its answer
        await post(runtime, callback_update(36, AWA, "position.agree|1",
                                            chat_id=int(NETWORK_CHAT), chat_type="supergroup"))
        assert app.store.positions.current(1)["UNICEF"].choice == "agree"
        assert fake.called("answerCallbackQuery")
        assert len(fake.called("editMessageText")) == edits  # the shared message: as it was
        assert len(sent_text(fake, NETWORK_CHAT)) == in_group  # nothing said in the group
        assert len(sent_text(fake, AWA)) == to_awa  # and nothing privately: accepted
    finally:
        await runtime.stop()


async def test_a_click_on_a_group_card_older_than_the_position_offers_fresh_buttons_privately(
        app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 37, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        await post(runtime, callback_update(38, AWA, "position.agree|1.0"))  # in her chat
        await app.dispatcher.flush()  # the invitations first: what follows counts new messages
        [agreed] = app.store.positions.history(1)
        before = len(sent_text(fake, AWA))
        in_group = len(sent_text(fake, NETWORK_CHAT))  # the consultation's announcement
        await post(runtime, callback_update(39, AWA, "position.abstain|1.0",  # the group's card
                                            chat_id=int(NETWORK_CHAT), chat_type="supergroup"))
        assert [p.choice for p in app.store.positions.history(1)] == ["agree"]
        assert len(sent_text(fake, NETWORK_CHAT)) == in_group  # nothing said in the group
        [private] = [c for c in fake.called("sendMessage")
                     if str(c.args["chat_id"]) == str(AWA)][before:]
        assert f"position.abstain|1.{agreed.id}" in buttons_of(private.args)
        await post(runtime, callback_update(40, AWA, f"position.abstain|1.{agreed.id}"))
        assert app.store.positions.current(1)["UNICEF"].choice == "abstain"
    finally:
        await runtime.stop()


async def test_a_429_waits_and_delivers_once(app: BotApp, fake: FakeTelegram,
                                             clock: Clock) -> None:
    runtime = await running(app, fake)
    try:
        fake.limit("sendMessage", retry_after=7)
        app.ctx.send_to_member(app.store.members.get("awa"), "hello",
                               lambda lang: Message(title="Bonjour"))
        await app.dispatcher.flush()
        row = app.store.outbox.all()[-1]
        assert row.status == "pending" and row.attempts == 0  # waiting, not failed
        assert len(fake.called("sendMessage:429")) == 1
        await app.dispatcher.flush()
        assert sent_text(fake, AWA) == [] and len(fake.called("sendMessage:429")) == 1
        clock.now += timedelta(seconds=8)
        await app.dispatcher.flush()
        assert sent_text(fake, AWA) == ["<b>Bonjour</b>"]
        await app.dispatcher.flush()
        assert len(sent_text(fake, AWA)) == 1
    finally:
        await runtime.stop()


async def test_a_rate_limited_reply_goes_through_the_outbox(app: BotApp, fake: FakeTelegram,
                                                            clock: Clock, spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        fake.limit("sendMessage", retry_after=5, times=2)  # the reply, then the first retry
        assert await post(runtime, text_update(50, AWA, "/membres")) == 200
        await app.dispatcher.flush()
        assert sent_text(fake, AWA) == [] and len(fake.called("sendMessage:429")) == 1
        clock.now += timedelta(seconds=6)
        await app.dispatcher.flush()
        assert sent_text(fake, AWA) == [] and len(fake.called("sendMessage:429")) == 2
        [row] = [r for r in app.store.outbox.all() if r.key == "answer:telegram:update:50"]
        assert row.status == "pending"
        clock.now += timedelta(seconds=6)
        await app.dispatcher.flush()
        [members] = sent_text(fake, AWA)
        assert spoken.shown(members, "members.summary")
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
        replied_to = [c.args["reply_parameters"]["message_id"] for c in fake.called("sendMessage")
                      if "reply_parameters" in c.args]
        assert replied_to == [40]  # and the item is not announced again in this group
    finally:
        await runtime.stop()


async def test_buttons_work_after_a_restart(app: BotApp, fake: FakeTelegram,
                                            clock: Clock) -> None:
    runtime = await running(app, fake)
    platform = runtime.platforms[0]
    assert isinstance(platform, TelegramPlatform)
    assert platform.application.bot.callback_data_cache is None  # no in-memory button data
    assert platform.application.bot.rate_limiter is None  # the dispatcher paces sends
    try:
        await telegram_says_and_sends(runtime, app, 60, CHAIR, "/reunion mardi 1 decembre 10h")
        await app.dispatcher.flush()
    finally:
        await runtime.stop()
    restarted = BotApp(app.store, app.network, clock=clock)  # a new process, same data
    env = environment(fake)
    runtime = Runtime(restarted, env, platforms=[TelegramPlatform(restarted, env)])
    await runtime.start()
    try:
        await post(runtime, callback_update(61, FATOUMATA, "rsvp.excused|1"))
        assert restarted.store.rsvps.get(1, "fatoumata").status == "excused"
        assert fake.called("editMessageText")
    finally:
        await runtime.stop()


async def test_set_webhook_with_a_public_https_url(app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake, public_url="https://bot.example.org/")
    try:
        [hook] = fake.called("setWebhook")
        assert hook.args["url"] == "https://bot.example.org/telegram/webhook"
        assert hook.args["secret_token"] == SECRET
        assert hook.args["allowed_updates"] == ["message", "callback_query"]
    finally:
        await runtime.stop()


async def test_the_token_stays_out_of_the_logs(app: BotApp, fake: FakeTelegram,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(70, AWA, "/membres"))
        assert sent_text(fake, AWA)
    finally:
        await runtime.stop()
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
