"""Telegram as its users know it: ``/start <payload>`` deep links (linking, opening a
consultation or a meeting, with the typed command's permissions), command menus scoped to
private chats, groups and each lead's own chat, a caption on the calendar file."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from bot.app import BotApp
from handlers.deeplinks import PAYLOAD, meeting_payload, poll_payload
from tests.conftest import Clock, say, text_of
from tests.support.fake_telegram import FakeTelegram, text_update
from tests.support.previews import telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import (  # noqa: F401 (fixture)
    AWA,
    CHAIR,
    FATOUMATA,
    NETWORK_CHAT,
    fake,
    post,
    running,
    sent_text,
)

STRANGER = 555555
LINK = re.compile(r"https://t\.me/reseau_bot\?start=(link-[A-Z2-9]{8})")


async def test_start_payloads_link_and_open_a_consultation_or_a_meeting(
        app: BotApp, fake: FakeTelegram, clock: Clock, spoken: Spoken) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        # On Slack, « lier » gives the link that opens the bot on Telegram and links at once.
        reply = text_of(say(app, "slack:U0DEMOIM", "lier"))
        payload = LINK.search(reply).group(1)
        assert PAYLOAD.match(payload) and payload.endswith(reply.split("code : ")[1][:8])
        await post(runtime, text_update(1, 7001, f"/start {payload}"))
        assert "telegram:7001" in app.store.members.get("ibrahim").identities
        await post(runtime, text_update(2, STRANGER, f"/start {payload}"))  # used once
        assert app.store.members.by_identity(f"telegram:{STRANGER}") is None
        assert spoken.shown(sent_text(fake, STRANGER)[-1], "link.bad_code")
        expired = LINK.search(text_of(say(app, "slack:U0DEMOSJ", "lier"))).group(1)
        clock.now += timedelta(minutes=11)
        await post(runtime, text_update(3, 7002, f"/start {expired}"))
        assert app.store.members.by_identity("telegram:7002") is None

        # A consultation and a meeting, opened from a link: shown to members only.
        await telegram_says_and_sends(runtime, app, 4, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        await telegram_says_and_sends(runtime, app, 5, CHAIR, "/reunion mardi 8 decembre 10h")
        await app.dispatcher.flush()  # the invitations first: what follows reads the last answer
        await post(runtime, text_update(6, AWA, f"/start {poll_payload(1)}"))
        assert "Plan" in sent_text(fake, AWA)[-1]
        assert spoken.shown(sent_text(fake, AWA)[-1], "poll.status_title", number=1)
        await post(runtime, text_update(7, AWA, f"/start {meeting_payload(1)}"))
        assert spoken.shown(sent_text(fake, AWA)[-1], "meeting.show_title", number=1)
        for n, payload in enumerate((poll_payload(1), meeting_payload(1))):
            spoken.clear()
            await post(runtime, text_update(8 + n, STRANGER, f"/start {payload}"))
            refused = sent_text(fake, STRANGER)[-1]
            assert "Plan" not in refused
            assert not spoken.has("poll.status_title") and not spoken.has("meeting.show_title")
            assert spoken.shown(html.unescape(refused), "error.not_a_member")
        # Anything else opens a member's to-do (a newcomer's help: tests/test_todo.py).
        await post(runtime, text_update(10, FATOUMATA, "/start poll-x!"))
        assert f"<b>{spoken.text('todo.title')}</b>" in sent_text(fake, FATOUMATA)[-1]
    finally:
        await runtime.stop()


async def test_command_menus_are_scoped_to_private_chats_groups_and_leads(
        app: BotApp, fake: FakeTelegram) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        menus = {(m.args["scope"]["type"], m.args["scope"].get("chat_id"),
                  m.args.get("language_code")): [c["command"] for c in m.args["commands"]]
                 for m in fake.called("setMyCommands")}
        for code in (None, "en"):
            assert ("all_private_chats", None, code) in menus
            assert ("all_group_chats", None, code) in menus
            assert ("chat", CHAIR, code) in menus  # the co-chair's own chat
        private = menus[("all_private_chats", None, None)]
        group = menus[("all_group_chats", None, None)]
        chair = menus[("chat", CHAIR, None)]
        assert {"position", "membres", "lier", "present"} <= set(private)
        assert "reunion" not in private and "demandes" not in private  # not a member's
        assert "start" not in private
        assert len(group) <= 10 and {"aide", "partager", "reunions"} <= set(group)
        assert "position" not in group and "lier" not in group
        assert {"reunion", "consultation", "digest"} <= set(chair)
        assert "meeting" in menus[("chat", CHAIR, "en")]
    finally:
        await runtime.stop()


async def test_a_lead_appointed_after_start_up_gets_a_menu_in_their_chat(
        app: BotApp, fake: FakeTelegram) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        awa = app.store.members.get("awa")
        awa.roles = ["secretariat", "focal_point"]
        app.store.members.save(awa)
        await post(runtime, text_update(1, AWA, "/moi"))
        scopes = [m.args["scope"] for m in fake.called("setMyCommands")]
        assert {"type": "chat", "chat_id": AWA} in scopes
    finally:
        await runtime.stop()


async def test_the_calendar_file_has_a_caption(app: BotApp, fake: FakeTelegram,  # noqa: F811
                                                spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 1, CHAIR, "/reunion mardi 1 decembre 10h")
        await app.dispatcher.flush()
        [document] = [c for c in fake.called("sendDocument") if c.args["chat_id"] == AWA]
        assert document.args["document_filename"] == "reunion-1.ics"
        caption = document.args["caption"]
        said = spoken.last("meeting.calendar_caption", "fr",
                           kind=spoken.text("meeting.kind.network", "fr"))
        assert caption == said.text
        start = app.store.meetings.get(1).start
        assert app.catalog.date("fr", datetime.fromisoformat(start), app.network.timezone) in \
            str(said.params["when"])
    finally:
        await runtime.stop()
