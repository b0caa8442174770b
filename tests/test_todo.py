"""The to-do off Slack: Telegram ``/afaire``, ``/todo`` and ``/start`` for a member (a newcomer's
``/start`` stays the help) through the real python-telegram-bot app against the fake Bot API,
and the console's ``à faire`` in the real ``reseau-bot`` process."""

from __future__ import annotations

from pathlib import Path

from bot.app import BotApp
from handlers.todo import MAX_ENTRIES
from tests.support import telegram_runtime
from tests.support.chat import Clock, say
from tests.support.fake_telegram import FakeTelegram, callback_update, text_update
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, CHAIR, buttons_of, post, running
from tests.test_console import chat, t

fake = telegram_runtime.fake  # the fixture: the fake Bot API, serving

PROPOSAL = "consultation ouvrir Adopter le plan 2027 | vendredi 4 décembre 17h"
NEWCOMER = 777000111


def last_to(fake: FakeTelegram, chat_id: int) -> dict:
    return [c.args for c in fake.called("sendMessage")
            if str(c.args["chat_id"]) == str(chat_id)][-1]


async def test_afaire_and_todo_send_the_list_with_inline_buttons(
        app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        say_and_send(app, "console:moussa", PROPOSAL)
        say_and_send(app, "console:moussa", "réunion mardi 1 décembre 10h")
        await app.dispatcher.flush()
        version = app.store.positions.last_number(1)
        spoken.clear()
        assert await post(runtime, text_update(50, AWA, "/afaire")) == 200
        sent = last_to(fake, AWA)
        assert spoken.shown(sent["text"], "todo.title", "fr")
        data = buttons_of(sent)
        assert f"position.agree|1.{version}" in data and "rsvp.present|1" in data
        assert not [d for d in data if d.startswith("todo.")]
        # Each row holds one entry's buttons, labelled with the entry's tag.
        rows = sent["reply_markup"]["inline_keyboard"]
        first = rows[0][0]
        assert first["text"].startswith(spoken.text("todo.tag.poll", "fr", number=1))
        assert await post(runtime, text_update(51, AWA, "/todo")) == 200
        assert buttons_of(last_to(fake, AWA)) == data

        # A click on the list records the position, and the next list no longer asks for it.
        await post(runtime, callback_update(52, AWA, f"position.agree|1.{version}",
                                            reply_markup=sent["reply_markup"]))
        assert app.store.positions.current(1)["UNICEF"].choice == "agree"
        await post(runtime, text_update(53, AWA, "/afaire"))
        assert not [d for d in buttons_of(last_to(fake, AWA)) if d.startswith("position.")]

        # A co-chair's list has the silent agencies with remind, extend, close.
        await post(runtime, text_update(54, CHAIR, "/afaire"))
        assert {"todo.nudge|1", "todo.extend|1", "todo.close|1"} <= set(
            buttons_of(last_to(fake, CHAIR)))
    finally:
        await runtime.stop()


async def test_start_gives_a_member_the_todo_and_a_newcomer_the_help(
        app: BotApp, fake: FakeTelegram, spoken: Spoken) -> None:
    runtime = await running(app, fake)
    try:
        say_and_send(app, "console:moussa", PROPOSAL)
        await app.dispatcher.flush()
        spoken.clear()
        await post(runtime, text_update(60, AWA, "/start"))
        assert spoken.shown(last_to(fake, AWA)["text"], "todo.title", "fr")
        assert any(d.startswith("position.") for d in buttons_of(last_to(fake, AWA)))
        spoken.clear()
        await post(runtime, text_update(61, NEWCOMER, "/start"))
        assert spoken.shown(last_to(fake, NEWCOMER)["text"], "help.title", "fr")
        assert "todo.title" not in spoken
    finally:
        await runtime.stop()


def test_nothing_to_do_says_so(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "console:awa", "à faire")
    assert spoken.shown(reply, "todo.nothing", "fr")
    assert not reply.message.entries


def test_a_long_todo_stops_at_the_limit_and_counts_the_rest(app: BotApp, clock: Clock,
                                                             spoken: Spoken) -> None:
    for n in range(MAX_ENTRIES + 3):
        say_and_send(app, "console:moussa",
                     f"consultation ouvrir Proposition {n} | vendredi 4 décembre 17h")
    reply = say(app, "console:awa", "todo")
    items = [e for e in reply.message.entries if e.buttons]
    assert len(items) == MAX_ENTRIES
    assert spoken.has("todo.more", "fr", count=3)


def test_console_a_faire_lists_the_buttons_with_their_commands(tmp_path: Path) -> None:
    data = tmp_path / "data"
    opened = chat(data, [PROPOSAL, "aperçu 1 envoyer"], "console", "--as", "moussa")
    assert opened.returncode == 0, opened.stderr
    result = chat(data, ["à faire"], "console", "--as", "ibrahim")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert t("todo.title") in out
    assert t("console.button_hint", command="position 1 accord") in out
