"""No ids to remember: a command without a number means the one candidate, or offers the
candidates as buttons that do the command for each; ``position <n°>`` alone shows the card; a
series' invitation answers for the whole series or the first meeting, as the person chooses."""

from __future__ import annotations

from bot.app import BotApp
from handlers.types import Message
from storage.models import FOCAL_POINT, Member
from tests.conftest import click, say
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.fake_telegram import FakeTelegram, callback_update, text_update
from tests.support.previews import say_and_send, send_preview, slack_command_and_send
from tests.support.spoken import Spoken
from tests.support.telegram_runtime import AWA, buttons_of, post, running
from tests.support.telegram_runtime import fake as telegram_fake  # noqa: F401 (fixture)

SARAH = "U0DEMOSJ"


def offered(reply: object) -> list[tuple[str, str]]:
    message: Message = reply.message  # type: ignore[attr-defined]
    return [(b.action, b.value) for b in message.buttons]


def two_meetings_this_week(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion jeudi 3 décembre 15h")


def test_present_without_a_number_answers_the_only_meeting_to_come(app: BotApp,
                                                                    spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    reply = say(app, "awa", "présent")
    assert spoken.shown(reply, "rsvp.done.present", number=1)
    assert app.store.rsvps.get(1, "awa").status == "present"
    say(app, "sarah", "online")  # English name, no number either
    assert app.store.rsvps.get(1, "sarah").status == "online"


def test_present_without_a_number_offers_the_meetings_of_the_week(app: BotApp,
                                                                   spoken: Spoken) -> None:
    two_meetings_this_week(app)
    say_and_send(app, "aminata", "réunion mardi 2 février 2027 10h")  # far later: not offered
    spoken.clear()
    reply = say(app, "awa", "présent")
    assert offered(reply) == [("pick", "rsvp_present:1"), ("pick", "rsvp_present:2")]
    assert spoken.has("pick.meeting_label", "fr", number=2)
    assert app.store.rsvps.of_meeting(1) == [] and app.store.rsvps.of_meeting(2) == []
    click(app, "awa", "pick", "rsvp_present:2")
    assert app.store.rsvps.get(2, "awa").status == "present"
    assert app.store.rsvps.get(1, "awa") is None


def test_nothing_to_answer_says_so(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say(app, "awa", "excusé"), "pick.no_meeting")
    assert app.store.rsvps.all() == []


def test_position_with_a_number_alone_shows_the_card_of_that_consultation(
        app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Premier texte | vendredi 4 décembre 17h")
    say_and_send(app, "aminata", "consultation ouvrir Second texte | vendredi 4 décembre 17h")
    reply = say(app, "awa", "position 2")
    assert offered(reply) == [(f"position.{c}", "2.0") for c in
                              ("agree", "reservations", "objection", "abstain")] + [
        ("later", "poll.2")]
    assert app.store.positions.history(2) == []


def test_position_without_a_number_means_the_one_open_or_offers_them(
        app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Premier texte | vendredi 4 décembre 17h")
    assert spoken.shown(say(app, "awa", "position accord"), "poll.recorded", number=1)
    say_and_send(app, "aminata", "consultation ouvrir Second texte | vendredi 4 décembre 17h")
    reply = say(app, "sarah", "position agree")
    assert offered(reply) == [("pick", "position:1 agree"), ("pick", "position:2 agree")]
    assert "UNHCR" not in app.store.positions.current(2)
    click(app, "sarah", "pick", "position:2 agree")
    assert app.store.positions.current(2)["UNHCR"].choice == "agree"
    # « position » alone with two open: the choice of consultations, each showing its card.
    assert offered(say(app, "ibrahim", "position")) == [("pick", "position:1"),
                                                         ("pick", "position:2")]
    card = click(app, "ibrahim", "pick", "position:2")
    assert [a for a, v in offered(card) if v.startswith("2.")][0] == "position.agree"


def test_leads_commands_mean_the_only_open_consultation(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Premier texte | vendredi 4 décembre 17h")
    say_and_send(app, "aminata", "consultation prolonger lundi 7 décembre 17h")
    assert app.store.consultations.get(1).deadline.startswith("2026-12-07T17:00")
    spoken.clear()
    assert spoken.shown(say(app, "awa", "consultation"), "poll.status_title", number=1)
    say_and_send(app, "aminata", "consultation ouvrir Second texte | vendredi 4 décembre 17h")
    reply = say_and_send(app, "aminata", "consultation clore")
    assert offered(reply) == [("pick", "poll_close:1"), ("pick", "poll_close:2")]
    assert [c.status for c in app.store.consultations.all()] == ["open", "open"]
    # A pick button is checked like the command it stands for: not a focal point's.
    assert spoken.shown(click(app, "awa", "pick", "poll_close:2"), "error.not_allowed")
    assert app.store.consultations.get(2).status == "open"
    send_preview(app, "aminata", click(app, "aminata", "pick", "poll_close:2"))
    assert [c.status for c in app.store.consultations.all()] == ["open", "closed"]


def test_a_long_rest_is_not_put_on_a_button(app: BotApp, spoken: Spoken) -> None:
    """Telegram carries 64 bytes per button: a longer command is offered to type instead."""
    say_and_send(app, "aminata", "consultation ouvrir Premier texte | vendredi 4 décembre 17h")
    say_and_send(app, "aminata", "consultation ouvrir Second texte | vendredi 4 décembre 17h")
    reply = say(app, "awa", "position objection " + "le budget n'est pas chiffré " * 3)
    assert offered(reply) == []
    assert spoken.shown(reply, "pick.type_number")


def test_a_series_invitation_answers_the_whole_series_or_the_first(
        app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    [invite] = [r for r in app.store.outbox.all() if r.key == "series:1:invite:awa"]
    buttons = Message.from_dict(invite.message).buttons
    assert [(b.action, b.value) for b in buttons] == [
        ("rsvp.present", "series.1"), ("rsvp.online", "series.1"), ("rsvp.excused", "series.1"),
        ("later", "meeting.1")]
    asked = click(app, "awa", "rsvp.present", "series.1")
    assert offered(asked) == [("rsvp.present", "series.1.all"), ("rsvp.present", "1")]
    assert app.store.rsvps.all() == []  # nothing until she chose
    click(app, "awa", "rsvp.present", "series.1.all")
    assert {r.meeting_id: r.status for r in app.store.rsvps.all()} == {
        n: "present" for n in range(1, 7)}
    assert spoken.has("rsvp.series_done.present", "fr", number=1, count=6)
    click(app, "sarah", "rsvp.excused", "series.1")
    click(app, "sarah", "rsvp.excused", "1")  # « Seulement le n° 1 »
    assert [r.meeting_id for r in app.store.rsvps.all() if r.member_id == "sarah"] == [1]


async def test_a_series_choice_over_slack(bot: Bot, spoken: Spoken) -> None:
    await slack_command_and_send(bot.slack, bot.app, "U0DEMOMK",
                                 "réunion série tous les deux mois le premier mardi à 10h")
    await bot.settle()
    invite = [c for c in bot.fake.called("chat.postMessage")
              if c.args["channel"] == "D0DEMOSJ" and c.args.get("blocks")][-1]
    await bot.slack.click(SARAH, "rsvp.online", "series.1", invite.as_clicked())
    await bot.settle()
    update = bot.fake.called("chat.update")[-1]
    ids = [(e["action_id"].split("#")[0], e["value"]) for b in update.args["blocks"]
           if b["type"] == "actions" for e in b["elements"]]
    assert ("rsvp.online", "series.1.all") in ids and ("rsvp.online", "1") in ids
    assert bot.app.store.rsvps.all() == []
    await bot.slack.click(SARAH, "rsvp.online", "series.1.all",
                          {**invite.as_clicked(), "blocks": update.args["blocks"]})
    await bot.settle()
    assert {r.meeting_id for r in bot.app.store.rsvps.all() if r.member_id == "sarah"} == set(
        range(1, 7))


async def test_present_alone_over_telegram_offers_buttons_that_answer(
        app: BotApp, telegram_fake: FakeTelegram) -> None:  # noqa: F811
    two_meetings_this_week(app)
    runtime = await running(app, telegram_fake)
    try:
        await post(runtime, text_update(30, AWA, "/present"))
        [offer] = [c for c in telegram_fake.called("sendMessage")
                   if str(c.args["chat_id"]) == str(AWA) and c.args.get("reply_markup")
                   and buttons_of(c.args)[0].startswith("pick|")]
        assert buttons_of(offer.args) == ["pick|rsvp_present:1", "pick|rsvp_present:2"]
        await post(runtime, callback_update(31, AWA, "pick|rsvp_present:2", "Lequel ?",
                                            reply_markup=offer.args["reply_markup"]))
        assert app.store.rsvps.get(2, "awa").status == "present"
        assert app.store.rsvps.get(1, "awa") is None
    finally:
        await runtime.stop()


def test_a_group_chair_picks_among_the_meetings_they_are_invited_to(app: BotApp) -> None:
    """« réunion voir » alone, for a member: the meetings they are invited to."""
    app.store.members.save(Member(id="kadiatou", name="Kadiatou Konaté", agency="WFP",
                                  roles=[FOCAL_POINT], identities=["console:kadiatou"]))
    say_and_send(app, "aminata", "réunion comité jeudi 3 décembre 9h")  # not for WFP
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    reply = say(app, "fatoumata", "réunion voir")
    assert reply.message.title and offered(reply) == []  # the one she is invited to, shown
