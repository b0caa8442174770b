"""Guided conversations on Telegram, through the real python-telegram-bot application against
the fake Bot API: ``/reunion`` alone asks each answer in turn (inline keyboards for choices, a
reply prompt for a text, the moment confirmed with « Oui »), across a restart, with two leads at
once, ``/annuler``, and a focal point refused."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from bot.app import BotApp
from storage.conversations import CANCELLED, DONE, EXPIRED
from storage.models import CO_CHAIR, SECRETARIAT, Member
from tests.conftest import Clock
from tests.support import telegram_runtime
from tests.support.fake_telegram import FakeTelegram, callback_update, text_update
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, CHAIR, buttons_of, post, running

fake = telegram_runtime.fake  # the fixture: the fake Bot API, serving
OTHER_CHAIR = 434343
SECRETARY = 454545


def last_keyboard(fake: FakeTelegram, chat: int, starts: str = "flow.") -> dict:
    """The latest message (sent or edited) to ``chat`` with a button starting with ``starts``
    (the invitations the other lead's meeting sends come in between)."""
    calls = [c for c in fake.calls if c.method in ("sendMessage", "editMessageText")
             and str(c.args.get("chat_id")) == str(chat)
             and "inline_keyboard" in (c.args.get("reply_markup") or {})
             and any(d.startswith(starts) for d in buttons_of(c.args))]
    return calls[-1].args


def tap(fake: FakeTelegram, chat: int, starts: str, nth: int = 0) -> str:
    """The callback data of the ``nth`` button starting with ``starts`` on the latest
    keyboard that has one."""
    return [d for d in buttons_of(last_keyboard(fake, chat, starts))
            if d.startswith(starts)][nth]


async def press(runtime, fake: FakeTelegram, update: int, chat: int, starts: str,
                nth: int = 0) -> None:
    shown = last_keyboard(fake, chat, starts)
    await post(runtime, callback_update(update, chat, tap(fake, chat, starts, nth),
                                        html.unescape(re.sub(r"</?[bi]>", "", shown["text"])),
                                        reply_markup=shown["reply_markup"]))


def conversation_of(app: BotApp, user: int):
    return max((c for c in app.store.conversations.all()
                if c.identity == f"telegram:{user}"), key=lambda c: c.id)


async def test_a_meeting_asked_on_telegram_across_a_restart(app: BotApp, fake: FakeTelegram,
                                                            clock: Clock,
                                                            spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(1, CHAIR, "/reunion"))
        first = last_keyboard(fake, CHAIR)
        assert spoken.shown(html.unescape(first["text"]), "flow.intro")
        assert buttons_of(first) == [f"flow.pick|1.0.{n}" for n in range(4)] + ["flow.cancel|1"]
        await press(runtime, fake, 2, CHAIR, "flow.pick|")  # the network's meeting
        assert fake.called("answerCallbackQuery")
        prompt = fake.called("sendMessage")[-1].args
        assert prompt["reply_markup"]["force_reply"] is True  # the day and time, typed
        assert spoken.shown(html.unescape(prompt["text"]), "flow.moment_label")
        await post(runtime, text_update(3, CHAIR, "jeudi 3 décembre 10h"))
        confirm = last_keyboard(fake, CHAIR)
        assert buttons_of(confirm) == ["flow.confirm|1.yes", "flow.confirm|1.no",
                                       "flow.cancel|1"]
        assert spoken.shown(html.unescape(confirm["text"]), "flow.confirm_moment")
    finally:
        await runtime.stop()

    restarted = BotApp(app.store, app.network, clock=clock)  # a new process, same data
    runtime = await running(restarted, fake)
    try:
        edits = len(fake.called("editMessageText"))
        await press(runtime, fake, 4, CHAIR, "flow.confirm|1.yes")
        [edited] = fake.called("editMessageText")[edits:]
        assert spoken.shown(html.unescape(edited.args["text"]), "form.field.duration")
        await press(runtime, fake, 5, CHAIR, "flow.pick|", 1)  # an hour
        await press(runtime, fake, 6, CHAIR, "flow.skip|")  # the usual place
        for n, text in enumerate(("https://meet.example.org/x", "passer", "passer")):
            await post(runtime, text_update(7 + n, CHAIR, text))
        await press(runtime, fake, 10, CHAIR, "flow.pick|")  # once: its preview
        assert restarted.store.meetings.get(1) is None
        await press(runtime, fake, 11, CHAIR, "preview.send|")  # « Envoyer »
        meeting = restarted.store.meetings.get(1)
        assert meeting.start.startswith("2026-12-03T10:00") and meeting.end[11:16] == "11:00"
        assert meeting.link == "https://meet.example.org/x"
        assert conversation_of(restarted, CHAIR).status == DONE
        assert spoken.has("meeting.scheduled", number=1)
    finally:
        await runtime.stop()


async def test_two_leads_at_once_on_telegram(app: BotApp, fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    app.store.members.save(Member(id="chair2", name="Co-présidente", agency="IOM",
                                  roles=[CO_CHAIR], identities=[f"telegram:{OTHER_CHAIR}"],
                                  language="fr"))
    try:
        await post(runtime, text_update(20, CHAIR, "/reunion"))
        await post(runtime, text_update(21, OTHER_CHAIR, "/reunion"))
        await press(runtime, fake, 22, OTHER_CHAIR, "flow.pick|")
        await press(runtime, fake, 23, CHAIR, "flow.pick|")
        await post(runtime, text_update(24, CHAIR, "jeudi 3 décembre 10h"))
        await post(runtime, text_update(25, OTHER_CHAIR, "vendredi 4 décembre 15h"))
        # the other's « Oui » pressed by the first lead is not hers
        await post(runtime, callback_update(26, CHAIR, tap(fake, OTHER_CHAIR, "flow.confirm")))
        assert conversation_of(app, OTHER_CHAIR).pending
        update = 27
        for chair in (OTHER_CHAIR, CHAIR):
            await press(runtime, fake, update, chair, "flow.confirm|", 0)
            await press(runtime, fake, update + 1, chair, "flow.pick|")  # half an hour
            await press(runtime, fake, update + 2, chair, "flow.skip|")
            for n in range(3):
                await post(runtime, text_update(update + 3 + n, chair, "passer"))
            await press(runtime, fake, update + 6, chair, "flow.pick|")
            await press(runtime, fake, update + 7, chair, "preview.send|")
            update += 10
        starts = {m.created_by: m.start[:16] for m in app.store.meetings.all()}
        assert starts == {"chair": "2026-12-03T10:00", "chair2": "2026-12-04T15:00"}
    finally:
        await runtime.stop()


async def test_annuler_and_who_may_start(app: BotApp, fake: FakeTelegram,
                                         spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(40, CHAIR, "/reunion"))
        await press(runtime, fake, 41, CHAIR, "flow.pick|")
        # The question answered, its buttons are taken off (the next answer is typed).
        [spent] = [c for c in fake.called("editMessageReplyMarkup")
                   if str(c.args["chat_id"]) == str(CHAIR)]
        assert not (spent.args.get("reply_markup") or {}).get("inline_keyboard")
        spoken.clear()
        await post(runtime, text_update(42, CHAIR, "/annuler"))
        assert spoken.has("flow.cancelled")
        assert conversation_of(app, CHAIR).status == CANCELLED
        await post(runtime, text_update(43, CHAIR, "jeudi 3 décembre 10h"))
        assert not spoken.has("flow.confirm_moment") and app.store.meetings.get(1) is None
        spoken.clear()
        await post(runtime, text_update(44, AWA, "/reunion"))  # a focal point
        assert spoken.has("error.not_allowed")
        assert not [c for c in app.store.conversations.all()
                    if c.identity == f"telegram:{AWA}"]
    finally:
        await runtime.stop()


async def test_annuler_tapped_takes_the_questions_buttons_off(app: BotApp,
                                                              fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(50, CHAIR, "/reunion"))
        await press(runtime, fake, 51, CHAIR, "flow.cancel|")
        assert conversation_of(app, CHAIR).status == CANCELLED
        [edited] = [c for c in fake.called("editMessageText")
                    if str(c.args["chat_id"]) == str(CHAIR)]
        assert not (edited.args.get("reply_markup") or {}).get("inline_keyboard")
    finally:
        await runtime.stop()


async def test_a_consultation_and_a_share_asked_on_telegram(app: BotApp, fake: FakeTelegram,
                                                            spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(50, CHAIR, "/consultation"))
        assert fake.called("sendMessage")[-1].args["reply_markup"]["force_reply"] is True
        await post(runtime, text_update(51, CHAIR, "Adopter le plan 2027"))
        await press(runtime, fake, 52, CHAIR, "flow.skip|")  # no document
        await post(runtime, text_update(53, CHAIR, "vendredi 4 décembre"))
        await press(runtime, fake, 54, CHAIR, "flow.confirm|", 0)
        await press(runtime, fake, 55, CHAIR, "flow.pick|", 0)  # consensus
        await press(runtime, fake, 56, CHAIR, "flow.pick|", 0)  # the whole network
        await press(runtime, fake, 57, CHAIR, "preview.send|")  # « Envoyer » under the preview
        opened = app.store.consultations.get(1)
        assert opened.proposal == "Adopter le plan 2027" and opened.mode == "consensus"
        assert opened.deadline.startswith("2026-12-04T")

        await post(runtime, text_update(60, AWA, "/partager"))
        await post(runtime, text_update(61, AWA, "pas un lien"))
        assert spoken.has("info.bad_link")
        assert fake.called("sendMessage")[-1].args["reply_markup"]["force_reply"] is True
        await post(runtime, text_update(62, AWA, "https://example.org/etude"))
        await press(runtime, fake, 63, AWA, "flow.skip|")  # no title
        await post(runtime, text_update(64, AWA, "2 21"))
        await press(runtime, fake, 65, AWA, "flow.pick|", 2)  # a study
        item = app.store.items.get(1)
        assert (item.url, item.objectives, item.type) == ("https://example.org/etude", [2, 21],
                                                          "study")
    finally:
        await runtime.stop()


async def test_membre_ajouter_on_telegram_gives_an_invitation_link(app: BotApp,
                                                                   fake: FakeTelegram) -> None:
    runtime = await running(app, fake)
    app.store.members.save(Member(id="sec", name="Secrétariat", agency="IOM",
                                  roles=[SECRETARIAT], identities=[f"telegram:{SECRETARY}"],
                                  language="fr"))
    try:
        await post(runtime, text_update(70, SECRETARY, "/membre_ajouter"))
        shown = last_keyboard(fake, SECRETARY)
        labels = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
        await press(runtime, fake, 71, SECRETARY, "flow.pick|", labels.index("UNICEF"))
        await press(runtime, fake, 72, SECRETARY, "flow.pick|", 0)  # an invitation link
        await post(runtime, text_update(73, SECRETARY, "Jean Diarra"))
        [invite] = app.store.member_invites.all()
        assert (invite.agency, invite.name) == ("UNICEF", "Jean Diarra")
        link = fake.called("sendMessage")[-1].args["text"]
        assert "?start=" in link  # the deep link to forward, minted as it left
    finally:
        await runtime.stop()


async def test_a_conversation_left_on_telegram_is_closed_with_a_message(
        app: BotApp, fake: FakeTelegram, clock: Clock, spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(80, CHAIR, "/partager"))
        clock.now += timedelta(minutes=31)
        spoken.clear()
        await app.run_due_jobs()
        await app.dispatcher.flush()
        told = fake.called("sendMessage")[-1].args
        assert str(told["chat_id"]) == str(CHAIR)
        assert spoken.shown(html.unescape(told["text"]), "flow.expired", minutes=30)
        assert conversation_of(app, CHAIR).status == EXPIRED
        await post(runtime, text_update(81, CHAIR, "https://example.org/tard"))
        assert app.store.items.get(1) is None  # no longer an answer
    finally:
        await runtime.stop()
