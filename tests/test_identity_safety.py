"""Linking codes and sign-in links are keys to someone's membership: never shown in a shared
chat, never written down in clear, short-lived, used once, guessed at a limited pace, and an
account joined to a member never goes unnoticed. Through the real python-telegram-bot and
slack-bolt apps where the point is about a platform, through the neutral types for the rules."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

from bot.app import BotApp
from handlers.identities import code_hash
from handlers.types import Message, Recipient
from storage.store import Store
from tests.conftest import Clock, say, text_of
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import FakeTelegram, text_update
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, FATOUMATA, NETWORK_CHAT, post, running, sent_text
from tests.support.telegram_runtime import fake as telegram_fake  # noqa: F401 (fixture)

CODE = re.compile(r"code ?: ([A-Z2-9]{8})")
TOKEN = re.compile(r"jeton=([A-Za-z0-9_-]{20,})")
STRANGER = 555555


def code_from(reply: str) -> str:
    found = CODE.search(reply)
    assert found, reply
    return found.group(1)


def everything_written(data_dir: Path) -> str:
    """Every file under the data dir, as text (JSON files, the log, anything)."""
    return "\n".join(path.read_bytes().decode("utf-8", errors="replace")
                     for path in sorted(data_dir.rglob("*")) if path.is_file())


async def test_a_code_asked_in_the_telegram_group_is_never_shown_there(
        app: BotApp, telegram_fake: FakeTelegram, spoken: Spoken) -> None:  # noqa: F811
    fake = telegram_fake
    runtime = await running(app, fake)
    try:
        await post(runtime, text_update(1, AWA, "/lier", chat_id=int(NETWORK_CHAT),
                                        chat_type="supergroup"))
        [told] = sent_text(fake, NETWORK_CHAT)
        assert "https://t.me/reseau_bot?start=hello" in told  # how to open the private chat
        await app.dispatcher.flush()
        [private] = sent_text(fake, AWA)
        code = code_from(private)
        assert code not in told
        # Whatever the stranger read in the group, he has no code to type.
        await post(runtime, text_update(2, STRANGER, "/lier RH5X2MA4"))
        assert "telegram:555555" not in app.store.members.get("awa").identities
        # « moi » in the group names no account.
        await post(runtime, text_update(3, AWA, "/moi", chat_id=int(NETWORK_CHAT),
                                        chat_type="supergroup"))
        shown = sent_text(fake, NETWORK_CHAT)[-1]
        assert spoken.shown(html.unescape(shown), "whoami.member_shared", name="Awa Traoré")
        assert not spoken.has("whoami.member")
        assert "telegram:" not in shown and "console:" not in shown
    finally:
        await runtime.stop()


async def test_no_code_or_token_is_written_in_clear_under_the_data_dir(
        app: BotApp, telegram_fake: FakeTelegram, clock: Clock) -> None:  # noqa: F811
    fake = telegram_fake
    runtime = await running(app, fake)
    try:
        # A code asked in the group, delivered by direct message.
        await post(runtime, text_update(10, AWA, "/lier", chat_id=int(NETWORK_CHAT),
                                        chat_type="supergroup"))
        await app.dispatcher.flush()
        # A code asked in private while Telegram says "later": the answer waits in the outbox.
        fake.limit("sendMessage", retry_after=5)
        await post(runtime, text_update(11, FATOUMATA, "/lier"))
        [waiting] = [r for r in app.store.outbox.all() if r.key == "answer:telegram:update:11"]
        assert waiting.status == "pending"
        clock.now += timedelta(seconds=6)
        await app.dispatcher.flush()
        # A sign-in link to the knowledge page asked in the group.
        await post(runtime, text_update(12, AWA, "/lien_savoirs", chat_id=int(NETWORK_CHAT),
                                        chat_type="supergroup"))
        await app.dispatcher.flush()
    finally:
        await runtime.stop()
    shown = [c.args.get("text", "") for c in fake.calls if c.method.startswith("sendMessage")]
    codes = {m.group(1) for text in shown for m in CODE.finditer(text)}
    tokens = {m.group(1) for text in shown for m in TOKEN.finditer(text)}
    written = everything_written(app.store.data_dir)
    leaked = [secret for secret in codes | tokens if secret in written]
    assert leaked == []
    assert len(codes) == 3 and len(tokens) == 1  # the one refused with 429 was minted too
    assert all(code_hash(code) in written for code in codes)  # the right files were read
    assert not any(secret in text for text in sent_text(fake, NETWORK_CHAT)
                   for secret in codes | tokens)


async def test_lier_in_a_slack_channel_answers_by_direct_message(bot: Bot,
                                                                  spoken: Spoken) -> None:
    await bot.slack.command("U0DEMOIM", "lier", channel="C0OTHER")
    await bot.settle()
    answer = answer_of(bot.fake)["text"]
    assert not CODE.search(answer) and spoken.shown(answer, "link.sent_privately")
    [direct] = bot.fake.posted("D0DEMOIM")
    code = code_from(direct["text"])
    assert code not in everything_written(bot.app.store.data_dir)


def answered(app: BotApp, spoken: Spoken, who: str, text: str, key: str) -> bool:
    """Whether ``who`` typing ``text`` is answered with the catalog text ``key``."""
    spoken.clear()
    return spoken.shown(say(app, who, text), key)


def test_a_code_lives_ten_minutes_is_used_once_and_only_the_newest_works(
        app: BotApp, clock: Clock, spoken: Spoken) -> None:
    first = code_from(text_of(say(app, "awa", "lier")))
    second = code_from(text_of(say(app, "awa", "lier")))
    assert answered(app, spoken, "telegram:4444", f"lier {first}", "link.bad_code")
    clock.now += timedelta(minutes=10, seconds=1)
    assert answered(app, spoken, "telegram:4444", f"lier {second}", "link.bad_code")
    assert app.store.members.by_identity("telegram:4444") is None
    third = code_from(text_of(say(app, "awa", "lier")))
    clock.now += timedelta(minutes=9)
    assert answered(app, spoken, "telegram:4444", f"lier {third}", "link.done")
    assert app.store.members.by_identity("telegram:4444").id == "awa"
    assert answered(app, spoken, "telegram:4445", f"lier {third}", "link.bad_code")
    assert app.store.members.by_identity("telegram:4445") is None


def test_wrong_codes_are_limited_per_identity_even_across_a_restart(
        tmp_path: Path, network, clock: Clock, spoken: Spoken) -> None:
    store = Store.open(tmp_path / "data")
    app = BotApp(store, network, clock=clock)
    code = code_from(text_of(say(app, "awa", "lier")))
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"):
        assert answered(app, spoken, f"telegram:{STRANGER}", f"lier {guess}", "link.bad_code")
    store.close()
    store = Store.open(tmp_path / "data")  # a restart forgets nothing
    app = BotApp(store, network, clock=clock)
    assert answered(app, spoken, f"telegram:{STRANGER}", f"lier {code}", "link.too_many")
    assert app.store.members.by_identity(f"telegram:{STRANGER}") is None
    # Another account is not slowed down by the stranger's guesses.
    assert answered(app, spoken, "telegram:4444", f"lier {code}", "link.done")
    clock.now += timedelta(hours=1, seconds=1)
    assert answered(app, spoken, f"telegram:{STRANGER}", "lier FFFFFFFF", "link.bad_code")
    store.close()


def test_an_account_joined_to_a_co_chair_is_told_to_her_and_to_the_secretariat(
        app: BotApp, spoken: Spoken) -> None:
    code = code_from(text_of(say(app, "slack:U0DEMOMK", "lier")))  # Moussa, co-chair, Slack
    say(app, f"telegram:{STRANGER}", f"lier {code}", display_name="Quelqu'un")
    assert f"telegram:{STRANGER}" in app.store.members.get("moussa").identities
    notices = [(Recipient.from_dict(r.recipient), Message.from_dict(r.message).plain_text())
               for r in app.store.outbox.all() if r.key.startswith("identity-added:")]
    recipients = {recipient for recipient, _ in notices}
    assert recipients == {Recipient("identity", "slack:U0DEMOMK"),  # not the new account
                          Recipient("member", "mariam")}  # the secretariat
    assert all(f"telegram:{STRANGER}" in text for _, text in notices)
    # The secretariat takes that account off her; she stays a member with her own account.
    assert spoken.shown(next(text for recipient, text in notices if recipient.kind == "member"),
                        "link.added_secretariat", "fr", account=f"telegram:{STRANGER}",
                        remove=spoken.text("cmd.member_remove.name", "fr"))
    say(app, "mariam", f"membre retirer telegram:{STRANGER}")
    moussa = app.store.members.get("moussa")
    assert moussa.active and f"telegram:{STRANGER}" not in moussa.identities
    assert app.store.members.by_identity(f"telegram:{STRANGER}") is None


def test_moi_in_a_group_shows_no_identities(app: BotApp, spoken: Spoken) -> None:
    shared = text_of(say(app, "telegram:100000001", "moi", private=False, chat_id="-100"))
    assert spoken.shown(shared, "whoami.member_shared", name="Awa Traoré")
    assert "telegram:" not in shared
    unknown = text_of(say(app, f"telegram:{STRANGER}", "moi", private=False, chat_id="-100"))
    assert str(STRANGER) not in unknown
    assert "telegram:100000001" in text_of(say(app, "telegram:100000001", "moi"))
