"""The forms on Slack, through the real slack-bolt app against the loopback fake Slack:
``/reseau réunion``, ``/reseau consultation`` and ``/reseau partager`` typed alone, the global
shortcuts and the App Home buttons open modals (``views.open`` with the trigger) within Block
Kit's limits; a submission creates the record through the one-line command's own code, and a
refused one is answered ``response_action: errors`` by the field, in the reader's language."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.platforms.slack.form_listeners import SHORTCUT
from storage.models import SECRETARIAT, Group, Member
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    TEAM,
    Bot,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
    trigger_id,
)
from tests.support.previews import slack_command_and_send, slack_press_send
from tests.support.spoken import Spoken
from tests.test_app_home import click_in_home, homes, open_home
from tests.test_slack_flows import MORE, MOUSSA, SARAH, add_focal_points, dm_of

GUEST = "U0GUEST"  # Slack in English (the fake's locale)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{2}:\d{2}$")


def at(stored: str) -> datetime:
    return datetime.fromisoformat(stored)


def plain(obj: dict[str, Any], limit: int) -> None:
    assert obj["type"] == "plain_text" and 0 < len(obj["text"]) <= limit, obj


def check_view(view: dict[str, Any]) -> None:
    """Block Kit's limits for a modal (Slack refuses the whole view past any of them)."""
    assert view["type"] == "modal" and len(view["callback_id"]) <= 255
    for name in ("title", "submit", "close"):
        plain(view[name], 24)
    assert len(view["private_metadata"]) <= 3000
    assert 0 < len(view["blocks"]) <= 100
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)) and all(len(i) <= 255 for i in ids)
    for block in view["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            continue
        assert block["type"] == "input"
        plain(block["label"], 2000)
        if "hint" in block:
            plain(block["hint"], 2000)
        element = block["element"]
        assert len(element["action_id"]) <= 255
        if "placeholder" in element:
            plain(element["placeholder"], 150)
        options = element.get("options")
        if options is not None:
            assert 0 < len(options) <= 100
            for option in options:
                plain(option["text"], 75)
                assert len(option["value"]) <= 150
            values = [o["value"] for o in options]
            for chosen in element.get("initial_options", []) + (
                    [element["initial_option"]] if "initial_option" in element else []):
                assert chosen["value"] in values
        if element["type"] == "plain_text_input":
            assert element.get("max_length", 3000) <= 3000
            assert len(element.get("initial_value", "")) <= element.get("max_length", 3000)
        if element["type"] == "datepicker" and "initial_date" in element:
            assert ISO_DATE.match(element["initial_date"])
        if element["type"] == "timepicker" and "initial_time" in element:
            assert ISO_TIME.match(element["initial_time"])
        assert element["type"] in ("plain_text_input", "url_text_input", "datepicker",
                                   "timepicker", "static_select", "multi_static_select")


def fields_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def state_of(view: dict[str, Any], answers: dict[str, str | list[str]]) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it, each element's value under its own key."""
    values: dict[str, Any] = {}
    for name, block in fields_of(view).items():
        element = block["element"]
        kind, answer = element["type"], answers.get(name)
        if kind == "datepicker":
            value: dict[str, Any] = {"selected_date": answer}
        elif kind == "timepicker":
            value = {"selected_time": answer}
        elif kind == "static_select":
            picked = [o for o in element["options"] if o["value"] == answer]
            value = {"selected_option": picked[0] if picked else None}
        elif kind == "multi_static_select":
            value = {"selected_options": [o for o in element["options"]
                                          if o["value"] in (answer or [])]}
        else:
            value = {"value": answer}
        values[name] = {element["action_id"]: {"type": kind, **value}}
    return values


async def submit(bot: Bot, user: str, view: dict[str, Any],
                 answers: dict[str, str | list[str]]) -> dict[str, Any]:
    """``user`` submits the modal; what bolt answered (``{}`` when it just closed)."""
    trigger = trigger_id()
    status, body = await bot.slack.payload({
        "type": "view_submission", "team": {"id": TEAM}, "api_app_id": "A0RESEAU",
        "user": {"id": user, "name": user.lower(), "team_id": TEAM}, "trigger_id": trigger,
        "view": {"id": f"V{trigger[:6]}", "hash": f"h{trigger[:8]}", "type": "modal",
                 "team_id": TEAM, "callback_id": view["callback_id"],
                 "private_metadata": view["private_metadata"], "title": view["title"],
                 "blocks": view["blocks"], "state": {"values": state_of(view, answers)}}})
    assert status == 200
    await bot.settle()
    return json.loads(body) if body else {}


async def opened(bot: Bot, user: str, text: str) -> dict[str, Any]:
    """``/reseau <text>`` typed: the one modal it opened, checked against Block Kit."""
    bot.fake.reset()
    status, _ = await bot.slack.command(user, text)
    assert status == 200
    await bot.settle()
    [call] = bot.fake.called("views.open")
    check_view(call.args["view"])
    return call.args["view"]


def add_english_lead(bot: Bot) -> None:
    bot.app.store.members.save(Member(id="guest", name="Guest Lead", agency="IOM",
                                      roles=[SECRETARIAT], identities=[f"slack:{GUEST}"]))


async def test_reunion_typed_alone_opens_the_meeting_form_and_submitting_it_convenes(
        bot: Bot, spoken: Spoken) -> None:
    add_focal_points(bot.app)
    view = await opened(bot, MOUSSA, "réunion")
    assert {"kind", "date", "time", "duration", "place", "link", "purpose",
            "agenda"} <= set(fields_of(view))
    assert spoken.has("form.meeting.title", "fr")
    answer = await submit(bot, MOUSSA, view, {
        "kind": "network", "date": "2026-12-08", "time": "10:00", "duration": "90",
        "link": "https://meet.example.org/reseau", "purpose": "Plan de travail 2027",
        "agenda": "Bilan 2026\n\nBudget"})
    assert answer == {}  # accepted: the modal closes
    assert bot.app.store.drafts.all()[-1].form  # previewed: sent with « Envoyer »
    await slack_press_send(bot.slack, bot.app, MOUSSA)
    await bot.settle()
    [meeting] = bot.app.store.meetings.all()
    assert (meeting.kind, at(meeting.start), at(meeting.end)) == (  # Bamako is on UTC
        "network", datetime(2026, 12, 8, 10, tzinfo=UTC), datetime(2026, 12, 8, 11, 30,
                                                                   tzinfo=UTC))
    assert meeting.link == "https://meet.example.org/reseau" and meeting.place == ""
    assert [item.text for item in meeting.agenda] == ["Plan de travail 2027", "Bilan 2026",
                                                       "Budget"]
    assert spoken.has("meeting.scheduled", "fr", number=1)
    invited = {c.args["channel"] for c in bot.fake.called("chat.postMessage")}
    assert dm_of(SARAH) in invited  # the invitations went out as for the typed command


async def test_a_meeting_form_with_a_moment_passed_is_refused_in_the_form_in_english(
        bot: Bot, spoken: Spoken) -> None:
    add_english_lead(bot)
    view = await opened(bot, GUEST, "meeting")
    assert spoken.has("form.field.date", "en")
    answer = await submit(bot, GUEST, view, {"kind": "network", "date": "2026-11-20",
                                             "time": "10:00", "duration": "120"})
    assert answer == {"response_action": "errors",
                      "errors": {"date": spoken.text("form.error.past", "en")}}
    assert bot.app.store.meetings.all() == []
    assert not bot.fake.called("chat.postMessage")  # nothing said outside the form


async def test_consultation_typed_alone_opens_the_form_and_submitting_it_opens_one(
        bot: Bot, spoken: Spoken) -> None:
    add_focal_points(bot.app)
    view = await opened(bot, MOUSSA, "consultation")
    assert [o["value"] for o in fields_of(view)["mode"]["element"]["options"]] == [
        "consensus", "silence"]
    answer = await submit(bot, MOUSSA, view, {
        "proposal": "Adopter le plan 2027", "document": "https://docs.example.org/plan",
        "deadline_date": "2026-12-04", "deadline_time": "17:00", "mode": "silence",
        "scope": "network"})
    assert answer == {}
    assert bot.app.store.drafts.all()[-1].form  # previewed: sent with « Envoyer »
    await slack_press_send(bot.slack, bot.app, MOUSSA)
    await bot.settle()
    [consultation] = bot.app.store.consultations.all()
    assert consultation.mode == "silence" and consultation.scope == "network"
    assert at(consultation.deadline) == datetime(2026, 12, 4, 17, tzinfo=UTC)
    assert consultation.proposal.startswith("Adopter le plan 2027")
    assert "https://docs.example.org/plan" in consultation.proposal
    assert spoken.has("poll.opened", "fr", number=1)


async def test_a_consultation_form_without_a_proposal_is_refused_by_its_field(
        bot: Bot, spoken: Spoken) -> None:
    view = await opened(bot, MOUSSA, "consultation ouvrir")
    answer = await submit(bot, MOUSSA, view, {"proposal": "  ", "deadline_date": "2026-12-04",
                                              "deadline_time": "17:00"})
    assert answer["errors"] == {"proposal": spoken.text("form.error.required", "fr")}
    assert bot.app.store.consultations.all() == []


async def test_a_focal_point_typing_consultation_alone_still_gets_the_status(
        bot: Bot) -> None:
    add_focal_points(bot.app)  # ILO's chairs no group: nothing to consult
    bot.fake.reset()
    await bot.slack.command(MORE["ILO"], "consultation")
    await bot.settle()
    assert not bot.fake.called("views.open")


async def test_partager_alone_opens_the_share_form_with_the_23_objectives_in_each_language(
        bot: Bot, spoken: Spoken) -> None:
    add_english_lead(bot)
    view = await opened(bot, MOUSSA, "partager")
    options = fields_of(view)["objectives"]["element"]["options"]
    assert [o["value"] for o in options] == [str(n) for n in range(1, 24)]
    assert options[0]["text"]["text"].endswith(spoken.text("gcm.1", "fr")[:60])
    english = await opened(bot, GUEST, "share")
    assert fields_of(english)["objectives"]["element"]["options"][16]["text"]["text"] \
        .startswith("17. " + spoken.text("gcm.17", "en")[:40])
    answer = await submit(bot, MOUSSA, view, {"url": "https://example.org/etude?utm_source=x",
                                              "title": "Étude sur les retours",
                                              "objectives": ["2", "21"], "type": "study"})
    assert answer == {}
    [item] = bot.app.store.items.all()
    assert (item.url, item.title, item.objectives, item.type) == (
        "https://example.org/etude", "Étude sur les retours", [2, 21], "study")
    assert spoken.has("info.shared", "fr", number=1)


async def test_a_share_form_with_a_link_a_browser_cannot_open_is_refused_by_its_field(
        bot: Bot, spoken: Spoken) -> None:
    view = await opened(bot, MOUSSA, "partager")
    answer = await submit(bot, MOUSSA, view, {"url": "ftp://example.org/x", "type": "other"})
    assert set(answer["errors"]) == {"url"}
    assert spoken.has("info.bad_link", "fr")
    assert bot.app.store.items.all() == []


async def test_the_one_line_commands_still_work_without_a_form(bot: Bot) -> None:
    await slack_command_and_send(bot.slack, bot.app, MOUSSA, "réunion mardi 8 décembre 10h")
    await slack_command_and_send(bot.slack, bot.app,
                                 MOUSSA, "consultation ouvrir Adopter le plan | vendredi 4 "
                                 "décembre 17h | silence", ref="poll")
    await bot.settle()
    assert not bot.fake.called("views.open")
    assert len(bot.app.store.meetings.all()) == 1
    assert bot.app.store.consultations.get(1).mode == "silence"


async def test_a_global_shortcut_opens_its_form(bot: Bot, spoken: Spoken) -> None:
    trigger = trigger_id()
    status, _ = await bot.slack.payload({
        "type": "shortcut", "team": {"id": TEAM}, "api_app_id": "A0RESEAU",
        "callback_id": "reseau.form.consultation", "trigger_id": trigger,
        "action_ts": "1764349300.000300",
        "user": {"id": MOUSSA, "username": "moussa", "team_id": TEAM}})
    assert status == 200
    await bot.settle()
    [call] = bot.fake.called("views.open")
    assert call.args["trigger_id"] == trigger
    check_view(call.args["view"])
    assert "proposal" in fields_of(call.args["view"])


def test_the_manifest_declares_the_three_global_shortcuts() -> None:
    manifest = (Path(__file__).parent.parent / "manifest.yml").read_text(encoding="utf-8")
    ids = re.findall(r"callback_id:\s*(\S+)", manifest)
    assert sorted(i for i in ids if SHORTCUT.match(i)) == [
        "reseau.form.consultation", "reseau.form.meeting", "reseau.form.share"]
    assert "type: global" in manifest


async def test_the_app_home_of_a_lead_offers_the_forms_and_a_focal_points_does_not(
        bot: Bot) -> None:
    assert await open_home(bot, MOUSSA, "Ev1") == 200
    assert await open_home(bot, SARAH, "Ev2") == 200
    [lead] = homes(bot, MOUSSA)
    [focal] = homes(bot, SARAH)
    buttons = [e["action_id"].split("#")[0] for b in lead.args["view"]["blocks"]
               if b["type"] == "actions" for e in b["elements"]]
    assert {"form.meeting", "form.consultation", "form.share"} <= set(buttons)
    assert not any(e["action_id"].startswith("form.") for b in focal.args["view"]["blocks"]
                   if b["type"] == "actions" for e in b["elements"])
    bot.fake.reset()
    await click_in_home(bot, MOUSSA, "form.meeting", "")
    [call] = bot.fake.called("views.open")
    check_view(call.args["view"])
    assert "date" in fields_of(call.args["view"])


async def test_a_form_slack_would_not_open_leaves_the_one_line_way_in_private(
        bot: Bot, spoken: Spoken) -> None:
    bot.fake.fail("views.open", 200, error="expired_trigger_id")
    await bot.slack.command(MOUSSA, "réunion")
    await bot.settle()
    assert spoken.shown(json.dumps(answer_of(bot.fake), ensure_ascii=False),
                        "form.meeting.typed", "fr")
    assert bot.app.store.meetings.all() == []


async def test_the_meeting_form_every_two_months_opens_a_series_with_its_link(
        bot: Bot, spoken: Spoken) -> None:
    view = await opened(bot, MOUSSA, "réunion")
    assert [o["value"] for o in fields_of(view)["repeat"]["element"]["options"]] == [
        "once", "bimonthly"]
    answer = await submit(bot, MOUSSA, view, {
        "kind": "network", "date": "2026-12-08", "time": "10:00", "duration": "120",
        "link": "https://meet.example.org/reseau", "repeat": "bimonthly"})
    assert answer == {}
    assert bot.app.store.drafts.all()[-1].form  # previewed: sent with « Envoyer »
    await slack_press_send(bot.slack, bot.app, MOUSSA)
    await bot.settle()
    [series] = bot.app.store.series.all()
    assert "INTERVAL=2" in series.rrule and "FREQ=MONTHLY" in series.rrule
    meetings = bot.app.store.meetings.of_series(series.id)
    assert len(meetings) == 6
    assert {m.link for m in meetings} == {"https://meet.example.org/reseau"}
    assert [at(m.start).month for m in meetings] == [12, 2, 4, 6, 8, 10]
    assert spoken.has("meeting.series_scheduled", "fr", number=series.id)


async def test_an_executive_committee_meeting_every_two_months_is_refused_by_its_field(
        bot: Bot, spoken: Spoken) -> None:
    view = await opened(bot, MOUSSA, "réunion")
    answer = await submit(bot, MOUSSA, view, {
        "kind": "executive", "date": "2026-12-08", "time": "10:00", "duration": "120",
        "repeat": "bimonthly"})
    assert answer["errors"] == {"repeat": spoken.text("form.error.series_network", "fr")}
    assert bot.app.store.series.all() == [] and bot.app.store.meetings.all() == []


async def test_a_group_chair_consults_only_her_group_through_the_form(bot: Bot) -> None:
    """Sarah (UNHCR) chairs « Données migratoires »: the form offers that group only, and
    submitting it consults the group, as ``consultation ouvrir … | groupe …`` would."""
    bot.app.store.groups.add_if_new(Group(id="autre", name="Autre groupe", members=["awa"],
                                          chairs=["awa"], created_at="2026-11-01T00:00:00Z"))
    view = await opened(bot, SARAH, "consultation")
    assert [o["value"] for o in fields_of(view)["scope"]["element"]["options"]] == [
        "Données migratoires"]
    answer = await submit(bot, SARAH, view, {
        "proposal": "Adopter la méthode", "deadline_date": "2026-12-04",
        "deadline_time": "17:00", "mode": "consensus", "scope": "Données migratoires"})
    assert answer == {}
    assert bot.app.store.drafts.all()[-1].form  # previewed: sent with « Envoyer »
    await slack_press_send(bot.slack, bot.app, SARAH)
    await bot.settle()
    [consultation] = bot.app.store.consultations.all()
    assert (consultation.scope, consultation.group) == ("group", "Données migratoires")
