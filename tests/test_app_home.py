"""The Slack App Home: ``app_home_opened`` publishes the person's to-do (``views.publish``) with
its buttons, through the real slack-bolt app against the loopback fake Slack; it is published
again when what it shows changes; the leads' « Relancer » reminds only the silent agencies, at
most once an hour."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from bot.platforms.slack.home import HOME_MAX_BLOCKS, home_view
from handlers.types import Button, Entry, Message
from tests.conftest import Clock
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    TEAM,
    Bot,
    Call,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
    trigger_id,
)
from tests.support.previews import slack_command_and_send
from tests.support.spoken import Spoken
from tests.test_slack_flows import IBRAHIM, MORE, MOUSSA, SARAH, add_focal_points, dm_of

PROPOSAL = "consultation ouvrir Adopter le plan 2027 | vendredi 4 décembre 17h"
MEETING = "réunion mardi 1 décembre 10h"


async def open_home(bot: Bot, user: str, event_id: str) -> int:
    status, _ = await bot.slack.event({"type": "app_home_opened", "user": user,
                                       "channel": dm_of(user), "tab": "home",
                                       "event_ts": "1764349300.000100"}, event_id)
    await bot.settle()
    return status


def homes(bot: Bot, user: str) -> list[Call]:
    return [c for c in bot.fake.called("views.publish") if c.args["user_id"] == user]


def actions_of(call: Call) -> list[tuple[str, str]]:
    """(neutral action, value) of every button of a published home."""
    view = call.args["view"]
    assert view["type"] == "home"
    return [(e["action_id"].split("#")[0], e["value"]) for b in view["blocks"]
            if b["type"] == "actions" for e in b["elements"]]


async def click_in_home(bot: Bot, user: str, action: str, value: str) -> None:
    """A button of the App Home, as Slack sends it: a view container, no message, no
    response_url."""
    trigger = trigger_id()
    payload: dict[str, Any] = {
        "type": "block_actions", "team": {"id": TEAM}, "api_app_id": "A0RESEAU",
        "user": {"id": user, "name": user.lower(), "team_id": TEAM},
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home"}, "trigger_id": trigger,
        "actions": [{"type": "button", "action_id": action, "block_id": "b1", "value": value,
                     "action_ts": "1764349300.000200"}]}
    status, _ = await bot.slack.post(urlencode({"payload": json.dumps(payload)}))
    assert status == 200
    await bot.settle()


async def convene(bot: Bot) -> None:
    add_focal_points(bot.app)
    await slack_command_and_send(bot.slack, bot.app, MOUSSA, PROPOSAL)
    await slack_command_and_send(bot.slack, bot.app, MOUSSA, MEETING, ref="meeting")
    await bot.settle()


async def test_a_focal_point_home_lists_the_agency_consultation_and_meetings_with_buttons(
        bot: Bot, spoken: Spoken) -> None:
    await convene(bot)
    assert await open_home(bot, IBRAHIM, "Ev1") == 200
    [home] = homes(bot, IBRAHIM)
    actions = actions_of(home)
    version = bot.app.store.positions.last_number(1)
    assert [a for a in actions if a[0].startswith("position.")] == [
        (f"position.{c}", f"1.{version}")
        for c in ("agree", "reservations", "objection", "abstain")]
    assert [a for a in actions if a[0].startswith("rsvp.")] == [
        ("rsvp.present", "1"), ("rsvp.online", "1"), ("rsvp.excused", "1")]
    assert not [a for a in actions if a[0].startswith("todo.")]  # no lead's buttons
    assert spoken.has("todo.heading.polls", "fr")
    assert spoken.has("todo.heading.meetings", "fr")
    assert bot.app.store.todo_views.get(f"slack:{IBRAHIM}") is not None
    # Opening it again (the event redelivered) publishes nothing more.
    await open_home(bot, IBRAHIM, "Ev1")
    assert len(homes(bot, IBRAHIM)) == 1


async def test_a_co_chair_home_shows_the_silent_agencies_with_remind_extend_close(
        bot: Bot, spoken: Spoken) -> None:
    await convene(bot)
    spoken.clear()
    await open_home(bot, MOUSSA, "Ev2")
    [home] = homes(bot, MOUSSA)
    assert [a for a in actions_of(home) if a[0].startswith("todo.")] == [
        ("todo.nudge", "1"), ("todo.extend", "1"), ("todo.close", "1")]
    said = spoken.last("todo.follow_line", "fr", number=1)
    assert "UNDP" in said.params["agencies"] or "PNUD" in str(said.params["agencies"])


async def test_the_home_is_published_again_after_a_position(bot: Bot) -> None:
    await convene(bot)
    await open_home(bot, IBRAHIM, "Ev3")
    await open_home(bot, MOUSSA, "Ev4")
    moussa_before = len(homes(bot, MOUSSA))
    sarah_before = len(homes(bot, SARAH))
    version = bot.app.store.positions.last_number(1)
    await click_in_home(bot, IBRAHIM, "position.agree", f"1.{version}")
    assert bot.app.store.positions.current(1)["UNDP"].choice == "agree"
    latest = homes(bot, IBRAHIM)[-1]
    assert len(homes(bot, IBRAHIM)) == 2
    assert not [a for a in actions_of(latest) if a[0].startswith("position.")]
    assert ("rsvp.present", "1") in actions_of(latest)  # the meeting is still there
    assert len(homes(bot, MOUSSA)) == moussa_before + 1  # his silent agencies changed
    assert len(homes(bot, SARAH)) == sarah_before == 0  # never opened hers: not published
    # Nothing changed since: another command publishes nothing.
    await bot.slack.command(IBRAHIM, "membres", ref="again")
    await bot.settle()
    assert len(homes(bot, IBRAHIM)) == 2


async def test_home_views_are_coalesced_in_the_outbox(bot: Bot) -> None:
    """Two changes before the dispatcher runs: one view goes out, the older one is skipped."""
    await convene(bot)
    await open_home(bot, IBRAHIM, "Ev5")
    version = bot.app.store.positions.last_number(1)
    from tests.support.chat import click
    click(bot.app, f"slack:{IBRAHIM}", "position.agree", f"1.{version}")
    click(bot.app, f"slack:{IBRAHIM}", "rsvp.present", "1")
    views = [r for r in bot.app.store.outbox.all() if r.key.startswith(f"todo:slack:{IBRAHIM}")]
    assert [r.status for r in views] == ["skipped", "pending"]
    before = len(homes(bot, IBRAHIM))
    await bot.settle()
    assert len(homes(bot, IBRAHIM)) == before + 1


async def test_remind_reaches_only_the_silent_agencies_and_not_twice_within_the_hour(
        bot: Bot, clock: Clock, spoken: Spoken) -> None:
    await convene(bot)
    version = bot.app.store.positions.last_number(1)
    await click_in_home(bot, IBRAHIM, "position.agree", f"1.{version}")
    bot.fake.reset()
    await click_in_home(bot, MOUSSA, "todo.nudge", "1")
    assert spoken.has("todo.nudged", "fr", number=1)
    reminded = {c.args["channel"] for c in bot.fake.called("chat.postMessage")}
    assert {dm_of(SARAH), *(dm_of(u) for u in MORE.values())} <= reminded
    assert dm_of(IBRAHIM) not in reminded  # UNDP answered
    rows = [r for r in bot.app.store.outbox.all() if ":nudge:" in r.key]
    assert rows and not [r for r in rows if r.recipient.get("ref") == "ibrahim"]
    assert bot.app.store.jobs_done.latest("todo-nudge:1:") is not None

    bot.fake.reset()
    clock.now += timedelta(minutes=30)
    await click_in_home(bot, MOUSSA, "todo.nudge", "1")
    assert spoken.has("todo.nudge_too_soon", "fr", number=1)
    assert not [c for c in bot.fake.called("chat.postMessage")
                if c.args["channel"] == dm_of(SARAH)]

    clock.now += timedelta(minutes=31)
    await click_in_home(bot, MOUSSA, "todo.nudge", "1")
    assert [c for c in bot.fake.called("chat.postMessage") if c.args["channel"] == dm_of(SARAH)]


async def test_extend_offers_two_spans_and_close_asks_first(bot: Bot, spoken: Spoken) -> None:
    await convene(bot)
    deadline = bot.app.store.consultations.get(1).deadline
    await click_in_home(bot, MOUSSA, "todo.extend", "1")
    offered = spoken.last("todo.extend_choose", "fr", number=1)
    assert offered
    await click_in_home(bot, MOUSSA, "todo.extend_by", "1:2d:0")
    extended = bot.app.store.consultations.get(1)
    assert extended.previous_deadlines == [deadline]
    assert extended.deadline > deadline
    await click_in_home(bot, MOUSSA, "todo.extend_by", "1:2d:0")  # the same card again
    assert spoken.has("todo.extend_already", "fr", number=1)
    assert len(bot.app.store.consultations.get(1).previous_deadlines) == 1

    await click_in_home(bot, MOUSSA, "todo.close", "1")
    assert spoken.has("todo.close_confirm", "fr", number=1)
    assert bot.app.store.consultations.get(1).status == "open"
    await click_in_home(bot, MOUSSA, "todo.close_confirmed", "1")
    assert bot.app.store.consultations.get(1).status == "closed"


async def test_a_focal_point_may_not_remind(bot: Bot, spoken: Spoken) -> None:
    await convene(bot)
    await click_in_home(bot, IBRAHIM, "todo.nudge", "1")
    assert spoken.has("error.not_allowed", "fr")
    assert bot.app.store.jobs_done.latest("todo-nudge:1:") is None


async def test_slash_command_alone_shows_the_todo_not_an_error(bot: Bot,
                                                                spoken: Spoken) -> None:
    await convene(bot)
    spoken.clear()
    await bot.slack.command(IBRAHIM, "", ref="alone")
    await bot.settle()
    answer = answer_of(bot.fake, "alone")
    assert spoken.shown(answer["text"], "todo.title", "fr")
    assert "error.empty" not in spoken
    # A newcomer gets the help's first screen.
    await bot.slack.command("U0STRANGER", "", ref="stranger")
    await bot.settle()
    assert spoken.has("help.intro_unknown")


def test_a_home_never_exceeds_slack_100_blocks() -> None:
    buttons = tuple(Button("position.agree", str(n), "Accord") for n in range(3))
    message = Message(title="À faire", entries=[Entry(f"n° {n}", buttons) for n in range(80)])
    blocks = home_view(message)["blocks"]
    assert len(blocks) <= HOME_MAX_BLOCKS
    assert blocks[-1]["type"] == "context"
    assert blocks[-2]["type"] == "actions"  # no line is left without its buttons
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids))


def test_the_manifest_enables_the_home_tab_and_its_event() -> None:
    from tests.conftest import REPO
    text = (REPO / "manifest.yml").read_text(encoding="utf-8")
    assert "home_tab_enabled: true" in text
    assert "- app_home_opened" in text
