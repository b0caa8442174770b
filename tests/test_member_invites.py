"""Onboarding without ids: ``membre inviter <agence>`` gives a one-time Telegram link and a
Slack code; whoever opens it asks to join with their real account (shown by name and username),
the secretariat approves, and the newcomer gets what is still open for their agency."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from bot.app import BotApp
from handlers.types import Message, Recipient
from tests.conftest import Clock, click, say, text_of
from tests.support.fake_telegram import FakeTelegram, text_update
from tests.support.previews import telegram_says_and_sends
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import (  # noqa: F401 (fixture)
    AWA,
    CHAIR,
    GROUP,
    NETWORK_CHAT,
    buttons_of,
    fake,
    post,
    running,
    sent_text,
)

NEWCOMER = 999999001
LINK = re.compile(r"https://t\.me/reseau_bot\?start=(join-([A-Z2-9]{16}))")


def person(update: dict[str, Any], first: str = "Binta", last: str = "Diarra",
           username: str = "binta_d") -> dict[str, Any]:
    """The update as Telegram sends it for someone with a full name and a username."""
    update["message"]["from"].update(first_name=first, last_name=last, username=username)
    return update


def invite(app: BotApp, typed: str = "membre inviter FAO") -> tuple[str, str]:
    """The secretariat's invitation: (the /start payload, the code)."""
    found = LINK.search(text_of(say(app, "console:mariam", typed)))
    assert found is not None
    return found.group(1), found.group(2)


def rows_for(app: BotApp, member_id: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient("member", member_id)]


async def test_invitation_end_to_end_link_pending_approved_and_caught_up(
        app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        await telegram_says_and_sends(runtime, app, 1, CHAIR,
                                      "/consultation ouvrir Plan | vendredi 4 decembre 17h")
        await telegram_says_and_sends(runtime, app, 2, CHAIR, "/reunion mardi 8 decembre 10h")
        payload, code = invite(app)
        [stored] = app.store.member_invites.all()
        assert stored.agency == "FAO" and stored.status == "open"
        assert stored.token_hash == hashlib.sha256(code.encode()).hexdigest()
        app.store.sync_now()
        on_disk = [p.read_bytes() for p in app.store.data_dir.rglob("*") if p.is_file()]
        assert on_disk and not any(code.encode() in data for data in on_disk)  # hashes only

        await post(runtime, person(text_update(3, NEWCOMER, f"/start {payload}")))
        request = app.store.join_requests.pending_for(f"telegram:{NEWCOMER}")
        assert request is not None and request.agency == "FAO" and request.invite == 1
        assert spoken.shown(sent_text(fake, NEWCOMER)[-1], "invite.accepted",
                            number=request.id)
        assert app.store.member_invites.get(1).status == "used"

        spoken.clear()
        click(app, "console:mariam", "join.approve", str(request.id))
        member = app.store.members.by_identity(f"telegram:{NEWCOMER}")
        assert member is not None and member.agency == "FAO"
        received = rows_for(app, member.id)
        polls = [m for m in received if m.title == spoken.text("poll.open_title", number=1)]
        meetings = [m for m in received if any(a.filename.endswith(".ics")
                                               for a in m.attachments)]
        assert len(polls) == 1 and polls[0].buttons
        assert len(meetings) == 1 and meetings[0].buttons
        await app.dispatcher.flush()
        cards = [c for c in fake.called("sendMessage") if str(c.args["chat_id"]) ==
                 str(NEWCOMER) and "reply_markup" in c.args]
        assert len(cards) >= 2 and all(buttons_of(c.args) for c in cards)
        assert [c for c in fake.called("sendDocument")
                if str(c.args["chat_id"]) == str(NEWCOMER)]

        # Once each: the proposal and the invitation are not sent again.
        click(app, "console:mariam", "join.approve", str(request.id))
        assert len(rows_for(app, member.id)) == len(received)
    finally:
        await runtime.stop()


async def test_used_expired_and_forged_invitations_are_refused(
        app: BotApp, fake: FakeTelegram, clock: Clock, spoken: Spoken) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        payload, _ = invite(app)
        await post(runtime, person(text_update(1, NEWCOMER, f"/start {payload}")))
        await post(runtime, person(text_update(2, 999999002, f"/start {payload}"), "Eve"))
        assert app.store.join_requests.pending_for("telegram:999999002") is None
        assert spoken.shown(sent_text(fake, 999999002)[-1], "invite.used")

        expired, _ = invite(app)
        clock.now += timedelta(days=8)
        await post(runtime, person(text_update(3, 999999003, f"/start {expired}"), "Old"))
        assert app.store.join_requests.pending_for("telegram:999999003") is None
        assert spoken.shown(sent_text(fake, 999999003)[-1], "invite.expired")

        await post(runtime, person(text_update(4, 999999004, "/start join-ABCDEFGHJKLMNPQR")))
        assert app.store.join_requests.pending_for("telegram:999999004") is None
        assert spoken.shown(sent_text(fake, 999999004)[-1], "invite.unknown")
    finally:
        await runtime.stop()


async def test_invitation_posted_in_a_group_is_refused_and_burnt(
        app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        _, code = invite(app)
        await post(runtime, person(text_update(1, NEWCOMER, f"/rejoindre {code}",
                                               chat_id=GROUP, chat_type="group")))
        assert app.store.join_requests.pending_for(f"telegram:{NEWCOMER}") is None
        assert spoken.shown(sent_text(fake, GROUP)[-1], "invite.not_private")
        assert app.store.member_invites.get(1).status == "burnt"
        assert any(spoken.shown(m, "invite.burnt_notice", number=1)
                   for m in rows_for(app, "mariam"))
        # Others saw it: in private, it no longer works either.
        await post(runtime, person(text_update(2, NEWCOMER, f"/rejoindre {code}")))
        assert app.store.join_requests.pending_for(f"telegram:{NEWCOMER}") is None
        assert spoken.shown(sent_text(fake, NEWCOMER)[-1], "invite.used")
    finally:
        await runtime.stop()


async def test_invitation_link_shared_in_the_network_chat_is_not_kept_and_is_burnt(
        app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        payload, _ = invite(app)
        shared = f"#partage https://t.me/reseau_bot?start={payload}"
        await post(runtime, text_update(1, AWA, shared, chat_id=int(NETWORK_CHAT),
                                        chat_type="supergroup"))
        assert app.store.items.all() == []  # never an item the whole network reads
        assert app.store.member_invites.get(1).status == "burnt"
        assert spoken.has("invite.not_private")
        await post(runtime, person(text_update(2, NEWCOMER, f"/start {payload}")))
        assert app.store.join_requests.pending_for(f"telegram:{NEWCOMER}") is None
        assert spoken.shown(sent_text(fake, NEWCOMER)[-1], "invite.used")
    finally:
        await runtime.stop()


async def test_join_request_shows_name_and_username_not_the_numeric_id(
        app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:  # noqa: F811
    runtime = await running(app, fake)
    try:
        payload, _ = invite(app)
        await post(runtime, person(text_update(1, NEWCOMER, f"/start {payload}")))
        [ask] = [m for m in rows_for(app, "mariam")
                 if m.title == spoken.text("join.request_title", number=1)]
        assert ask.paragraphs[0] == spoken.text("join.request_body", name="Binta Diarra",
                                                identity="Telegram @binta_d")
        assert str(NEWCOMER) not in ask.plain_text()
        listed = say(app, "console:mariam", "demandes")
        assert spoken.shown(listed, "join.pending_line", name="Binta Diarra",
                            identity="Telegram @binta_d")
        assert str(NEWCOMER) not in text_of(listed)
    finally:
        await runtime.stop()


def test_slack_code_typed_in_the_bot_dm_and_refused_in_a_channel(
        app: BotApp, spoken: Spoken) -> None:
    app.ctx.start_links["telegram"] = "https://t.me/reseau_bot?start={payload}"
    _, code = invite(app, "membre inviter UNHCR Jane Doe")
    refused = say(app, "slack:UCHAN", f"rejoindre {code}", private=False, chat_id="C1",
                  display_name="Someone")
    assert spoken.shown(refused, "invite.not_private")
    _, code = invite(app, "member invite UNHCR Jane Doe")
    reply = say(app, "slack:UJANE", f"rejoindre {code.lower()}", display_name="Jane D.")
    request = app.store.join_requests.pending_for("slack:UJANE")
    assert request is not None and request.agency == "UNHCR" and request.name == "Jane Doe"
    assert spoken.shown(reply, "invite.accepted", number=request.id)
    assert spoken.shown(say(app, "slack:UX", "rejoindre"), "join.usage")  # as before
