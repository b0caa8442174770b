"""Help that fits a phone: ``aide`` is a first screen of at most 12 lines — what waits for the
person first, then the topics — and ``aide <sujet>`` the commands of one topic the person may
use, in both languages; no command is left out of the topics."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from handlers.help_topics import TOPICS, topic_of
from handlers.roles import ANYONE
from tests.support.chat import click, say
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken

PROPOSAL = "consultation ouvrir Adopter le plan 2027 | vendredi 4 décembre 17h"


@pytest.mark.parametrize(("who", "word"), [("console:moussa", "aide"), ("console:sarah", "help"),
                                           ("console:awa", "aide"), ("console:nobody", "help")])
def test_the_first_screen_fits_a_phone(app: BotApp, who: str, word: str) -> None:
    say_and_send(app, "console:moussa", PROPOSAL)
    reply = say(app, who, word)
    assert len(reply.message.plain_text().splitlines()) <= 12
    assert {b.action for b in reply.message.buttons} == {"help.topic"}


def test_pending_items_come_first_in_both_languages(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "console:moussa", PROPOSAL)
    say_and_send(app, "console:moussa", "réunion mardi 1 décembre 10h")
    spoken.clear()
    reply = say(app, "console:awa", "aide")
    # One consultation to answer, one meeting to answer.
    pending = spoken.text("help.pending", "fr", count=2, command="à faire")
    assert reply.message.paragraphs[0].splitlines()[0] == pending
    reply = say(app, "console:sarah", "help")  # Sarah reads English
    assert spoken.shown(reply, "help.pending", "en", count=2, command="todo")
    assert [b.value for b in reply.message.buttons] == list(TOPICS)


def test_nothing_pending_no_pending_line(app: BotApp, spoken: Spoken) -> None:
    say(app, "console:awa", "aide")
    assert "help.pending" not in spoken


@pytest.mark.parametrize(("word", "topic"), [
    ("aide réunions", "meetings"), ("help meetings", "meetings"), ("aide reunion", "meetings"),
    ("aide consultations", "polls"), ("help polls", "polls"), ("aide informations", "info"),
    ("help information", "info"), ("aide réseau", "network"), ("help network", "network"),
    ("aide position", "polls")])
def test_a_topic_gives_its_commands(app: BotApp, spoken: Spoken, word: str, topic: str) -> None:
    reply = say(app, "console:moussa", word)
    said = spoken.last("help.topic_title")
    assert said.params["topic"] == spoken.text(f"help.topic.{topic}.name", said.lang).capitalize()
    keys = [c.key for c in app.router.commands
            if not c.hidden and topic_of(c.key) == topic
            and app.router.allowed(frozenset({"co_chair"}), c.roles)]
    for key in keys:
        assert spoken.has(f"cmd.{key}.help", said.lang), key
    assert reply.message.paragraphs


def test_a_topic_shows_only_what_the_person_may_use(app: BotApp, spoken: Spoken) -> None:
    say(app, "console:awa", "aide réunions")
    assert spoken.has("cmd.rsvp_present.help")
    assert not spoken.has("cmd.meeting_cancel.help")  # for the leads


def test_topic_buttons_and_unknown_topics(app: BotApp, spoken: Spoken) -> None:
    click(app, "console:awa", "help.topic", "info")
    assert spoken.has("help.topic_title", "fr", topic=spoken.text("help.topic.info.name", "fr")
                      .capitalize())
    say(app, "console:awa", "aide météo")
    assert spoken.has("help.unknown_topic", "fr")


def test_every_command_of_the_old_help_is_in_a_topic(app: BotApp) -> None:
    """Today's help content stays reachable: each visible command falls in one topic."""
    for command in app.router.commands:
        if not command.hidden:
            assert topic_of(command.key) in TOPICS
    assert any(c.roles == ANYONE for c in app.router.commands if topic_of(c.key) == "network")
