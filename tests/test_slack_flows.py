"""Whole stories over Slack: a consultation and a meeting, from the slash command to the DMs with
buttons, the clicks, the reminders, the files and the outcome in the network channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.app import BotApp
from handlers.channel_cards.live import EDIT_GAP
from storage.models import FOCAL_POINT, Member
from tests.conftest import Clock
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    NETWORK_CHANNEL,
    Bot,
    Call,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.previews import slack_command_and_send
from tests.support.spoken import Spoken

MOUSSA, SARAH, IBRAHIM = "U0DEMOMK", "U0DEMOSJ", "U0DEMOIM"  # co-chair, UNHCR, UNDP
MORE = {"ILO": "U0ILO", "OHCHR": "U0OHCHR", "UNDESA": "U0DESA", "UNODC": "U0ODC"}


def add_focal_points(app: BotApp) -> None:
    """Slack focal points for the rest of the Executive Committee."""
    for agency, user in MORE.items():
        app.store.members.save(Member(id=agency.lower(), name=f"Point focal {agency}",
                                      agency=agency, roles=[FOCAL_POINT],
                                      identities=[f"slack:{user}"]))


def dm_of(user: str) -> str:
    return "D" + user[1:]  # what the fake's conversations.open answers


def last_post(bot: Bot, channel: str) -> Call:
    return [c for c in bot.fake.called("chat.postMessage") if c.args["channel"] == channel][-1]


def action_ids(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in payload["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def button_labels(payload: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in payload["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def answer_block(update: Call) -> str:
    last = update.args["blocks"][-1]
    assert last["type"] == "context" and last["block_id"] == "reseau-answer"
    return last["elements"][0]["text"]


async def test_a_consultation_from_command_to_outcome(bot: Bot, clock: Clock,
                                                     spoken: Spoken) -> None:
    add_focal_points(bot.app)
    status, _ = await slack_command_and_send(
        bot.slack, bot.app, MOUSSA,
        "consultation ouvrir Adopter le plan 2027 | vendredi 4 décembre 17h")
    assert status == 200
    await bot.settle()
    assert spoken.shown(answer_of(bot.fake)["text"], "preview.title", "fr")
    sent = bot.fake.called("chat.update")[-1]  # « Envoyer » pressed: the preview, replaced
    assert spoken.shown(sent.args["text"], "poll.opened", "fr", number=1)

    # Every Slack focal point gets the proposal with the four buttons, in their language.
    opened = {c.args["users"] for c in bot.fake.called("conversations.open")}
    assert opened >= {SARAH, IBRAHIM, *MORE.values()} and MOUSSA not in opened
    to_ibrahim = last_post(bot, dm_of(IBRAHIM))
    assert spoken.shown(to_ibrahim.args["text"], "poll.open_title", "fr", number=1)
    assert action_ids(to_ibrahim.args) == [("position.agree", "1.0"),
                                           ("position.reservations", "1.0"),
                                           ("position.objection", "1.0"),
                                           ("position.abstain", "1.0"), ("later", "poll.1")]
    assert spoken.text("poll.choice.reservations", "en") in button_labels(
        last_post(bot, dm_of(SARAH)).args)
    assert "Adopter le plan 2027" in last_post(bot, NETWORK_CHANNEL).args["text"]

    # Three agencies answer by button; each clicked message shows the person's answer.
    for user, action in ((SARAH, "position.agree"), (IBRAHIM, "position.reservations"),
                         (MORE["ILO"], "position.agree")):
        clicked = last_post(bot, dm_of(user)).as_clicked()
        status, _ = await bot.slack.click(user, action, "1", clicked)
        assert status == 200
    await bot.settle()
    # « Réserves » opened a form for the (optional) reason: Ibrahim sends it empty.
    [form] = bot.fake.called("views.open")
    assert (await bot.slack.submit(IBRAHIM, form.args["view"], None))[0] == 200
    await bot.settle()
    assert set(bot.app.store.positions.current(1)) == {"UNHCR", "UNDP", "ILO"}
    updates = {c.args["channel"]: c for c in bot.fake.called("chat.update")}
    assert spoken.shown(answer_block(updates[dm_of(SARAH)]), "poll.recorded", "en", number=1)
    assert bot.app.store.positions.current(1)["UNDP"].choice == "reservations"
    assert spoken.shown(last_post(bot, dm_of(IBRAHIM)).args["text"], "poll.recorded", "fr",
                        number=1, choice=spoken.text("poll.choice.reservations", "fr"))
    card = [c for c in bot.fake.called("chat.postMessage") if c.args["channel"] ==
            dm_of(IBRAHIM)][0]
    assert updates[dm_of(IBRAHIM)].args["ts"] == card.response["ts"]  # his card, kept true
    assert action_ids(updates[dm_of(IBRAHIM)].args)  # the buttons stay: a position can change

    # 48 hours before the deadline, only the silent agencies are reminded.
    bot.fake.reset()
    clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    await bot.app.run_due_jobs()
    reminded = {c.args["channel"] for c in bot.fake.called("chat.postMessage")
                if spoken.shown(c.args["text"], "poll.reminder_title", number=1)}
    assert reminded == {dm_of(MORE[a]) for a in ("OHCHR", "UNDESA", "UNODC")}

    # At the deadline the outcome is announced in the network channel and told to everyone.
    clock.now = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    await bot.app.run_due_jobs()
    clock.now += EDIT_GAP  # the channel card's edit goes after the coalescing gap
    await bot.settle()
    assert not bot.fake.posted(NETWORK_CHANNEL)  # no new post: the card is edited
    outcome = [c for c in bot.fake.called("chat.update")
               if c.args["channel"] == NETWORK_CHANNEL][-1].args  # the card, edited in place
    assert bot.app.store.consultations.get(1).outcome == "not_adopted"
    assert outcome["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "emoji": True,
        "text": spoken.text("poll.outcome_title.not_adopted", "fr", number=1)}}
    assert spoken.shown(last_post(bot, dm_of(SARAH)).args["text"],
                        "poll.outcome_title.not_adopted", "en", number=1)

    # A late click is answered, not ignored.
    late = [c for c in bot.fake.called("chat.postMessage")
            if c.args["channel"] == dm_of(MORE["OHCHR"])][0]
    await bot.slack.click(MORE["OHCHR"], "position.agree", "1", late.as_clicked())
    await bot.settle()
    assert spoken.shown(answer_block(bot.fake.called("chat.update")[-1]), "poll.closed",
                        number=1)
    assert "OHCHR" not in bot.app.store.positions.current(1)


async def test_a_meeting_invite_carries_its_calendar_file_and_rsvp_updates_it(
        bot: Bot, clock: Clock, spoken: Spoken) -> None:
    await slack_command_and_send(bot.slack, bot.app, MOUSSA, "réunion mardi 1 décembre 10h")
    await bot.settle()
    sent = bot.fake.called("chat.update")[-1]  # « Envoyer » pressed: the preview, replaced
    assert spoken.shown(sent.args["text"], "meeting.scheduled", "fr", number=1)
    invite = last_post(bot, dm_of(SARAH))
    assert spoken.shown(invite.args["text"], "meeting.invite_title", "en", number=1,
                        kind=spoken.text("meeting.kind.network", "en"))
    assert action_ids(invite.args) == [("rsvp.present", "1"), ("rsvp.online", "1"),
                                       ("rsvp.excused", "1"), ("later", "meeting.1"),
                                       ("feed.subscribe", "personal")]

    # The .ics goes through files_upload_v2's three calls, into the same DM.
    asked = bot.fake.called("files.getUploadURLExternal")
    assert {c.args["filename"] for c in asked} == {"reunion-1.ics"}
    uploads = bot.fake.called("upload")
    assert len(uploads) == len(asked) == 3  # moussa, sarah, ibrahim have Slack identities
    assert all(u.body.startswith(b"BEGIN:VCALENDAR") for u in uploads)
    completed = {c.args["channel_id"] for c in bot.fake.called("files.completeUploadExternal")}
    assert completed == {dm_of(MOUSSA), dm_of(SARAH), dm_of(IBRAHIM)}

    updates = len(bot.fake.called("chat.update"))  # the preview, replaced by its answer
    await bot.slack.click(SARAH, "rsvp.present", "1", invite.as_clicked())
    await bot.settle()
    [update] = bot.fake.called("chat.update")[updates:]
    assert update.args["channel"] == dm_of(SARAH)
    assert spoken.shown(answer_block(update), "rsvp.done.present", "en", number=1)
    assert bot.app.store.rsvps.get(1, "sarah").status == "present"

    # Clicking again replaces the answer instead of piling answers up.
    again = {**invite.as_clicked(), "blocks": update.args["blocks"]}
    await bot.slack.click(SARAH, "rsvp.online", "1", again)
    await bot.settle()
    blocks = bot.fake.called("chat.update")[-1].args["blocks"]
    assert sum(b.get("block_id") == "reseau-answer" for b in blocks) == 1

    # Once the meeting has started, a click gets a clear answer.
    clock.now = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    await bot.slack.click(SARAH, "rsvp.excused", "1", invite.as_clicked())
    await bot.settle()
    assert spoken.shown(answer_block(bot.fake.called("chat.update")[-1]), "meeting.past", "en",
                        number=1)
    assert bot.app.store.rsvps.get(1, "sarah").status == "online"


async def test_a_click_in_a_shared_channel_is_answered_privately(bot: Bot,
                                                                 spoken: Spoken) -> None:
    await slack_command_and_send(bot.slack, bot.app, MOUSSA, "réunion mardi 1 décembre 10h")
    await bot.settle()
    shared = {**last_post(bot, dm_of(IBRAHIM)).as_clicked(), "channel": "C0SHARED"}
    updates = len(bot.fake.called("chat.update"))  # the preview, replaced by the answer
    await bot.slack.click(IBRAHIM, "rsvp.present", "1", shared, ref="shared")
    await bot.settle()
    assert len(bot.fake.called("chat.update")) == updates
    answer = answer_of(bot.fake, "shared")
    assert answer["response_type"] == "ephemeral"
    assert spoken.shown(answer["text"], "rsvp.done.present", "fr", number=1)


def inert(payload: dict[str, Any]) -> bool:
    """No live Slack markup: no ``<!…>`` broadcast, ``<@…>`` mention or ``<http…>`` link."""
    sent = json.dumps({k: payload[k] for k in ("text", "blocks")}, ensure_ascii=False)
    return "<!" not in sent and "<@" not in sent and "<http" not in sent


async def test_mentions_and_links_in_user_text_are_made_inert(bot: Bot, clock: Clock) -> None:
    # As Slack sends text: typed markup arrives escaped, a real mention arrives as an entity.
    proposal = "Texte &lt;!channel&gt; &lt;@U0DEMOSJ&gt; &lt;http://evil.example&gt; &amp; <!here>"
    await slack_command_and_send(bot.slack, bot.app, MOUSSA,
                                 f"consultation ouvrir {proposal} | vendredi 4 décembre 17h")
    await bot.settle()
    stored = bot.app.store.consultations.get(1).proposal
    assert stored == "Texte <!channel> <@U0DEMOSJ> <http://evil.example> & @here"
    shown = "Texte &lt;!channel&gt; &lt;@U0DEMOSJ&gt; &lt;http://evil.example&gt; &amp; @here"
    announced = last_post(bot, NETWORK_CHANNEL).args
    assert announced["blocks"][1]["text"]["text"] == shown
    assert announced["text"].startswith(f"Consultation n° 1 ouverte\n{shown}")

    # A reason with a forged link label, shown to everyone when the consultation closes.
    await bot.slack.event({"type": "message", "channel": dm_of(IBRAHIM), "channel_type": "im",
                           "user": IBRAHIM, "ts": "1764349100.000300",
                           "text": "position 1 objection Voir &lt;http://evil.example|le budget"
                                   "&gt; <!channel>"}, "Ev0100")
    await bot.slack.command(MOUSSA, "consultation clore 1", ref="close")
    await bot.settle()
    assert "preview.send" in json.dumps(answer_of(bot.fake, "close"))  # previewed first
    draft = bot.app.store.drafts.all()[-1]
    await bot.slack.click(MOUSSA, "preview.send", str(draft.id), ref="sent")
    await bot.settle()
    clock.now += EDIT_GAP  # the channel card's edit goes after the coalescing gap
    await bot.settle()
    outcome = [c for c in bot.fake.called("chat.update")
               if c.args["channel"] == NETWORK_CHANNEL][-1].args  # the card, edited
    assert "Voir &lt;http://evil.example|le budget&gt; @channel" in json.dumps(
        outcome["blocks"], ensure_ascii=False)
    assert all(inert(c.args) for c in bot.fake.called("chat.postMessage"))
    assert inert(answer_of(bot.fake)) and inert(answer_of(bot.fake, "close"))
