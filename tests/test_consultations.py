"""Consultations: one position per agency, the Executive Committee decides by the mode's rule,
the silent are reminded, the outcome is announced and registered; joint statements."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from datetime import UTC, datetime

import pytest

from bot.app import BotApp
from handlers.types import Inbound, Message, Recipient
from storage.models import EXTERNAL_PARTNER, FOCAL_POINT, Member
from tests.conftest import Clock, click, ran, say, text_of
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    bot_fixture,
    fake_fixture,
)
from tests.support.followups import followed
from tests.support.previews import handle_and_send, say_and_send
from tests.support.spoken import Spoken

# Demo members cover IOM, UNICEF, UNHCR, UNDP; these complete the Executive Committee.
MORE = {"ILO": "slack:UILO", "OHCHR": "telegram:2001", "UNDESA": "slack:UDESA",
        "UNODC": "telegram:2002"}


@pytest.fixture
def full(app: BotApp) -> BotApp:
    for agency, identity in MORE.items():
        app.store.members.save(Member(id=agency.lower(), name=f"Point focal {agency}",
                                      agency=agency, roles=[FOCAL_POINT],
                                      identities=[identity]))
    return app


def open_poll(app: BotApp, text: str = "Adopter le plan de travail 2027 | vendredi 4 décembre "
              "17h") -> str:
    return text_of(say_and_send(app, "aminata", f"consultation ouvrir {text}"))


def all_executive_agree(app: BotApp, number: str = "1", skip: str = "") -> None:
    people = {"mariam": "IOM", "awa": "UNICEF", "sarah": "UNHCR", "ibrahim": "UNDP",
              "ilo": "ILO", "ohchr": "OHCHR", "undesa": "UNDESA", "unodc": "UNODC"}
    for member_id, agency in people.items():
        if agency != skip:
            member = app.store.members.get(member_id)
            identity = member.identities[0]
            click(app, identity, "position.agree", number)


def refused_as_not_allowed(spoken: Spoken, reply: object) -> bool:
    """The reply says the command is for others (a member without the role, or no member)."""
    return spoken.shown(reply, "error.not_allowed") or spoken.shown(reply, "error.not_a_member")


def messages_to(app: BotApp, kind: str, ref: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient(kind, ref)]


def test_opening_consults_every_agency_through_its_focal_points(full: BotApp,
                                                                 spoken: Spoken) -> None:
    reply = open_poll(full)
    assert reply.splitlines()[0] == spoken.text("poll.opened", "fr", number=1)
    consultation = full.store.consultations.get(1)
    assert (consultation.deadline, consultation.mode) == (
        "2026-12-04T17:00:00.000000+00:00", "consensus")
    assert spoken.shown(reply, "poll.deadline.consensus", "fr", when=full.ctx.when(
        "fr", datetime.fromisoformat(consultation.deadline)))
    assert spoken.shown(reply, "poll.asked", agencies=23, people=9)
    [to_awa] = messages_to(full, "member", "awa")
    assert to_awa.paragraphs[0] == "Adopter le plan de travail 2027"
    assert [(b.action, b.value, b.label) for b in to_awa.buttons] == [
        (f"position.{choice}", "1.0", spoken.text(f"poll.choice.{choice}", "fr"))
        for choice in ("agree", "reservations", "objection", "abstain")] + [
        ("later", "poll.1", spoken.text("later.button", "fr"))]
    assert messages_to(full, "member", "sarah")[0].buttons[1].label == spoken.text(
        "poll.choice.reservations", "en")
    assert messages_to(full, "member", "aminata") == []  # a co-chair, not a focal point
    [announce] = messages_to(full, "channel", "network")
    assert announce.title == spoken.text("poll.announce_title", "fr", number=1)


def test_only_leads_open_and_default_deadline_is_seven_days(full: BotApp,
                                                             spoken: Spoken) -> None:
    assert refused_as_not_allowed(spoken, say_and_send(full, "awa", "consultation ouvrir Texte"))
    assert full.store.consultations.all() == []
    reply = say_and_send(full, "mariam", "consultation ouvrir Proposition sans échéance")
    deadline = full.store.consultations.get(1).deadline
    assert deadline == "2026-12-05T17:00:00.000000+00:00"  # seven days from now
    assert spoken.shown(reply, "poll.deadline.consensus",
                        when=full.ctx.when("fr", datetime.fromisoformat(deadline)))
    assert spoken.shown(say_and_send(full, "mariam", "consultation ouvrir  | demain 10h"),
                        "poll.open_usage")
    assert len(full.store.consultations.all()) == 1


def test_positions_one_per_agency_latest_counts_history_kept(full: BotApp, store,
                                                              spoken: Spoken) -> None:
    open_poll(full)
    assert spoken.shown(click(full, "telegram:100000001", "position.agree", "1"),
                        "poll.recorded", number=1, agency="UNICEF",
                        choice=spoken.text("poll.choice.agree", "fr"))
    click(full, "telegram:100000001", "position.agree", "1")  # double click
    assert len(store.positions.history(1)) == 1
    # A second UNICEF focal point changes the agency's position: the first is told.
    store.members.save(Member(id="moussa-u", name="Moussa Sangaré", agency="UNICEF",
                              roles=[FOCAL_POINT], identities=["slack:UMS"]))
    asked = click(full, "slack:UMS", "position.objection", "1")
    assert spoken.shown(asked, "reason.prompt.objection", number=1)  # the reason is asked
    assert asked.message.ask is not None and asked.message.ask.required
    assert len(store.positions.history(1)) == 1  # not recorded without a reason
    asked = say(full, "slack:UMS", "position 1 objection Le budget n'est pas chiffré")
    assert [b.action for b in asked.message.buttons] == ["override.confirm", "override.keep"]
    before = len(messages_to(full, "member", "awa"))
    click(full, "slack:UMS", "override.confirm", asked.message.buttons[0].value)
    assert len(messages_to(full, "member", "awa")) == before  # told after the ack
    assert followed(full) == 2  # the first position's telling, and this one's
    current = store.positions.current(1)
    assert current["UNICEF"].choice == "objection" and current["UNICEF"].member_id == "moussa-u"
    assert [p.choice for p in store.positions.history(1)] == ["agree", "objection"]
    told = messages_to(full, "member", "awa")[-1].plain_text()
    assert told == spoken.text("poll.changed_by_colleague", "fr", name="Moussa Sangaré",
                               number=1, before=spoken.text("poll.choice.agree", "fr"),
                               after=spoken.text("poll.choice.objection", "fr"))
    say(full, "sarah", "position 1 reservations Timeline too tight")
    assert store.positions.current(1)["UNHCR"].reason == "Timeline too tight"


def test_who_may_not_give_a_position(full: BotApp, store, clock: Clock,
                                     spoken: Spoken) -> None:
    open_poll(full)
    assert spoken.shown(say(full, "aminata", "position 1 accord"),  # co-chair only
                        "error.not_allowed")
    store.members.save(Member(id="crm", name="Croix-Rouge", agency="RCO",
                              roles=[EXTERNAL_PARTNER], identities=["telegram:77"]))
    assert spoken.shown(say(full, "telegram:77", "position 1 accord"), "error.not_allowed")
    assert spoken.shown(click(full, "slack:UNKNOWN", "position.agree", "1"),
                        "error.not_a_member")
    assert store.positions.history(1) == []
    say_and_send(full, "aminata", "consultation ouvrir Groupe | vendredi 4 décembre 17h | groupe "
        "données migratoires")
    assert spoken.shown(say(full, "fatoumata", "position 2 accord"), "poll.agency_not_consulted",
                        number=2, agency="PAM")
    assert store.positions.history(2) == []
    clock.now = datetime(2026, 12, 4, 17, 1, tzinfo=UTC)
    assert spoken.shown(click(full, "awa", "position.agree", "1"), "poll.closed", number=1)
    assert store.positions.history(1) == []


def test_status_names_silent_executive_entities_first(full: BotApp, spoken: Spoken) -> None:
    open_poll(full)
    say(full, "awa", "position 1 accord")
    say(full, "fatoumata", "position 1 objection Hors mandat")
    spoken.clear()
    shown = text_of(say(full, "ibrahim", "consultation 1"))
    lines = shown.splitlines()
    assert lines[lines.index(spoken.text("poll.positions_heading")) + 1] == spoken.text(
        "poll.tally_line", mark="★ ", agency="UNICEF", choice=spoken.text("poll.choice.agree"))
    assert spoken.text("poll.tally_line_reason", mark="", agency="PAM", reason="Hors mandat",
                       choice=spoken.text("poll.choice.objection")) in lines
    silent = spoken.last("poll.silent")
    assert silent.text in lines
    assert silent.params["executive"] == "OIT, OIM, PNUD, HCR, HCDH, DAES, ONUDC"
    # The other silent agencies are counted, not named (PAM answered).
    others = [a for a in full.network.agencies if not a.executive and a.code != "WFP"]
    assert silent.params["count"] == len(others) > 1 and "BCR" not in silent.text


async def test_reminders_reach_only_the_silent_once(full: BotApp, clock: Clock) -> None:
    open_poll(full)
    say(full, "awa", "position 1 accord")
    clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 48 hours before
    assert ran(await full.run_due_jobs(), "consultation.reminder") == 1
    reminded = {Recipient.from_dict(r.recipient).ref for r in full.store.outbox.all()
                if r.key.startswith("consultation-reminder:1:")}
    assert "awa" not in reminded and {"sarah", "mariam", "ibrahim", "fatoumata"} <= reminded
    assert ran(await full.run_due_jobs(), "consultation.reminder") == 0
    say(full, "sarah", "position 1 agree")
    clock.now = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)  # 4 hours before
    await full.run_due_jobs()
    second = [Recipient.from_dict(r.recipient).ref for r in full.store.outbox.all()
              if r.key.startswith("consultation-reminder:1:")]
    assert second.count("sarah") == 1 and second.count("mariam") == 2


async def test_consensus_adopted_when_all_executive_agree(full: BotApp, clock: Clock,
                                                          spoken: Spoken) -> None:
    open_poll(full)
    all_executive_agree(full)
    say(full, "fatoumata", "position 1 objection Pas d'accord")  # not Executive: no veto
    clock.now = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    await full.run_due_jobs()
    consultation = full.store.consultations.get(1)
    assert consultation.status == "closed" and consultation.outcome == "adopted"
    assert consultation.closed_by == "deadline"
    title = spoken.text("poll.outcome_title.adopted", "fr", number=1)
    [outcome] = [m for m in messages_to(full, "channel", "network") if m.title == title]
    assert spoken.shown(outcome, "poll.tally_line_reason", "fr", agency="PAM",
                        reason="Pas d'accord")
    assert spoken.text("poll.outcome_title.adopted", "en", number=1) in [
        m.title for m in messages_to(full, "member", "sarah")]
    assert ran(await full.run_due_jobs(), "consultation.reminder") == 0  # closed once


async def test_consensus_fails_with_one_executive_entity_silent(full: BotApp, clock) -> None:
    open_poll(full)
    all_executive_agree(full, skip="UNODC")
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    await full.run_due_jobs()
    assert full.store.consultations.get(1).outcome == "not_adopted"


async def test_silence_procedure(full: BotApp, clock: Clock) -> None:
    open_poll(full, "Note conceptuelle | vendredi 4 décembre 17h | silence")
    open_poll(full, "Autre note | vendredi 4 décembre 17h | silence")
    say(full, "fatoumata", "position 1 objection Non")  # not Executive: silence holds
    say(full, "sarah", "position 2 objection Breaks the silence")
    clock.now = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    await full.run_due_jobs()
    assert full.store.consultations.get(1).outcome == "adopted"
    assert full.store.consultations.get(2).outcome == "not_adopted"


async def test_closing_recovered_on_start_up(tmp_path, network) -> None:
    from storage.store import Store

    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    open_poll(app, "Texte | lundi 30 novembre 9h | silence")
    store.close()
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    store = Store.open(tmp_path / "d")
    again = BotApp(store, network, clock=clock)
    await again.run_due_jobs()
    assert again.store.consultations.get(1).outcome == "adopted"
    reminders = [r for r in again.store.outbox.all()
                 if r.key.startswith("consultation-reminder:")]
    assert reminders == []  # the deadline passed: reminders are moot
    store.close()


def test_early_close_extension_note_and_register(full: BotApp, clock: Clock,
                                                  spoken: Spoken) -> None:
    def t(key: str, **params: object) -> str:
        return full.catalog.t("fr", key, **params)

    open_poll(full)
    reply = say_and_send(full, "aminata", "consultation prolonger 1 vendredi 11 décembre 17h")
    assert spoken.shown(reply, "poll.extended", number=1)
    deadline = full.store.consultations.get(1).deadline
    assert deadline == "2026-12-11T17:00:00.000000+00:00"
    assert spoken.text("poll.extended_title", "fr", number=1) in [
        m.title for m in messages_to(full, "member", "awa")]
    assert spoken.shown(say(full, "aminata", "consultation prolonger 1 jeudi 10 décembre 17h"),
                        "poll.extend_earlier")
    assert full.store.consultations.get(1).deadline == deadline
    say(full, "awa", "position 1 objection =HYPERLINK(\"http://x\")")
    assert spoken.shown(say_and_send(full, "moussa", "consultation clore 1"),
                        "poll.outcome.not_adopted")
    assert spoken.shown(say(full, "awa", "position 1 accord"), "poll.closed", number=1)
    assert spoken.shown(say(full, "mariam", "consultation conclusion 1 Texte"),
                        "error.not_allowed")
    say(full, "aminata", "consultation conclusion 1 Le texte sera revu en janvier.")
    assert spoken.shown(say(full, "awa", "consultation 1"), "poll.outcome_note",
                        note="Le texte sera revu en janvier.")
    why = " ; ".join([t("poll.short.objected", agencies="UNICEF"),
                      t("poll.short.silent", agencies="OIT, OIM, PNUD, HCR, HCDH, DAES, ONUDC")])
    assert spoken.shown(say(full, "awa", "décisions"), "poll.decision_line_why", number=1,
                        scope=t("poll.scope.network"), why=why,
                        outcome=t("poll.outcome_short.not_adopted"),
                        proposal="Adopter le plan de travail 2027",
                        date=full.catalog.date("fr", clock.now, "Africa/Bamako"))
    export = say(full, "awa", "decisions csv").message.attachments[0]
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "no." or rows[0][0] == "n°"
    assert rows[1][1] == "Adopter le plan de travail 2027" and rows[1][6] == "not_adopted"
    assert rows[1][9:] == ["réseau", "UNICEF", "OIT, OIM, PNUD, HCR, HCDH, DAES, ONUDC", "", "",
                          ""]  # the last: agencies never reached
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


CONCURRENT_AGENCIES = ["IOM", "UNDP", "UNHCR", "UNICEF", "ILO", "OHCHR", "UNDESA", "UNODC"]


async def test_two_hundred_positions_posted_at_once_over_http_lose_or_duplicate_none(
        bot: Bot) -> None:
    """Two hundred signed Slack slash commands ``position`` sent at the same time, by five focal
    points of each of eight agencies: every one acknowledged is in the history exactly once,
    and each agency has one current position, its latest."""
    app = bot.app
    users = {}
    for agency in CONCURRENT_AGENCIES:
        for n in range(5):
            user = f"UC{agency}{n}"
            app.store.members.save(Member(id=f"c-{agency.lower()}-{n}", name=f"{agency} {n}",
                                          agency=agency, roles=[FOCAL_POINT],
                                          identities=[f"slack:{user}"]))
            users[user] = agency
    handle_and_send(app, Inbound(platform="slack", user_id="U0DEMOMK",
                                 text="consultation ouvrir Texte | vendredi 4 décembre 17h"))
    senders = list(users)
    choices = ["agree", "reservations", "abstain", "objection"]

    def choice_of(i: int) -> str:
        """The same for every focal point of an agency: none changes a colleague's choice
        (that would ask for a confirmation first)."""
        return choices[CONCURRENT_AGENCIES.index(users[senders[i % len(senders)]]) % 4]

    async def position(i: int) -> tuple[int, str]:
        status, _ = await bot.slack.command(senders[i % len(senders)],
                                            f"position 1 {choice_of(i)} raison {i}",
                                            ref=f"p{i}")
        return status, f"raison {i}"

    results = await asyncio.gather(*(position(i) for i in range(200)))
    assert [status for status, _ in results] == [200] * 200
    history = app.store.positions.history(1)
    assert Counter(p.reason for p in history) == Counter(reason for _, reason in results)
    current = app.store.positions.current(1)
    assert sorted(current) == sorted(CONCURRENT_AGENCIES)  # one per agency, none other
    for agency, kept in current.items():
        theirs = [p for p in history if p.agency == agency]
        assert len(theirs) == 25
        assert kept.id == max(p.id for p in theirs)  # the latest recorded counts
        assert app.store.members.get(kept.member_id).agency == agency


def test_joint_statement_lifecycle(full: BotApp, clock: Clock, spoken: Spoken) -> None:
    def not_published() -> bool:
        spoken.clear()
        reply = say(full, "aminata", "déclaration publier 1")
        return spoken.shown(reply, "statement.not_adopted", number=1) and not any(
            r.recipient["kind"] == "channel" and r.key.startswith("statement")
            for r in full.store.outbox.all())

    assert spoken.shown(say(full, "awa", "déclaration demander Journée internationale des "
                                         "migrants"), "statement.requested", number=1)
    assert spoken.text("statement.asked_title", "fr", number=1) in [
        m.title for m in messages_to(full, "member", "aminata")]
    assert not_published()
    reply = say_and_send(full, "aminata", "déclaration projet 1 Le réseau rappelle… | "
                                 "vendredi 4 décembre 17h")
    assert spoken.shown(reply, "statement.draft_sent", number=1, version=1)
    poll = full.store.consultations.get(1)
    assert poll.scope == "executive" and poll.proposal == "Le réseau rappelle…"
    assert messages_to(full, "member", "fatoumata") == []  # WFP is not on the Committee
    all_executive_agree(full)
    # Amending starts a new round; positions on version 1 do not count for version 2.
    say_and_send(full, "aminata", "déclaration projet 1 Le réseau rappelle, avec force… | "
                         "vendredi 4 décembre 17h")
    assert full.store.consultations.get(1).outcome == "superseded"
    assert full.store.positions.current(2) == {}
    say_and_send(full, "moussa", "consultation clore 2")
    assert not_published()
    say_and_send(full, "aminata", "déclaration projet 1 Version 3 | vendredi 4 décembre 17h")
    all_executive_agree(full, "3")
    say_and_send(full, "aminata", "consultation clore 3")
    assert spoken.shown(say(full, "mariam", "déclaration publier 1"), "error.not_allowed")
    assert spoken.shown(say(full, "aminata", "déclaration publier 1"), "statement.published",
                        number=1)
    published = messages_to(full, "channel", "network")[-1]
    assert published.title == spoken.text("statement.published_title", "fr")
    assert published.paragraphs[0] == "Version 3"
    announced = len(full.store.outbox.all())
    assert spoken.shown(say(full, "aminata", "déclaration publier 1"),
                        "statement.already_published", number=1)
    assert len(full.store.outbox.all()) == announced


async def test_reminders_to_the_silent_across_a_restart(tmp_path, network) -> None:
    from storage.store import Store

    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    open_poll(app)
    say(app, "awa", "position 1 accord")
    store.close()
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # the 48-hour reminder fell due
    store = Store.open(tmp_path / "d")
    again = BotApp(store, network, clock=clock)
    assert ran(await again.run_due_jobs(), "consultation.reminder") == 1
    reminded = {r.recipient["ref"] for r in store.outbox.all()
                if r.message["title"].startswith(("Rappel", "Reminder"))}
    assert "awa" not in reminded and "sarah" in reminded
    store.close()
    store = Store.open(tmp_path / "d")
    third = BotApp(store, network, clock=clock)
    assert ran(await third.run_due_jobs(), "consultation.reminder") == 0
    store.close()
