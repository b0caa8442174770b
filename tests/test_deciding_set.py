"""Who decides a consultation: empty Executive Committee seats are left out and named (or block
consensus, if the network says so), a working group decides its own consultations, a statement
draft stays with the Executive Committee — and every outcome says why."""

from __future__ import annotations

import csv
import io
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config.network import load_network
from bot.config.problems import ConfigError
from bot.ratelimit import RateLimits
from handlers.consensus import Decision, Seats, decide
from handlers.settings import Network
from handlers.types import Message, Recipient
from storage.models import FOCAL_POINT, Consultation, Member
from storage.store import Store
from tests.conftest import BIN, REPO, Clock, cli_env, ran, say, text_of
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken

FOUR = ["IOM", "UNDP", "UNHCR", "UNICEF"]  # the built-in network's staffed Executive seats
EMPTY = ["ILO", "OHCHR", "UNDESA", "UNODC"]  # OIT, HCDH, DAES, ONUDC: no focal point
DEADLINE = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def t(app: BotApp, key: str, **params: object) -> str:
    return app.catalog.t("fr", key, **params)


def messages_to(app: BotApp, kind: str, ref: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient(kind, ref)]


class Delivered:
    """A platform that takes every message: the consulted were all reached."""

    platform = "console"
    rate_limits = RateLimits()

    async def deliver(self, target: object, message: Message) -> None:
        pass

    async def probe(self) -> None:
        pass


def all_four_agree(app: BotApp, number: int = 1) -> None:
    for who in ("mariam", "ibrahim", "sarah", "awa"):
        say(app, who, f"position {number} accord")


@pytest.fixture
def strict(store: Store, network: Network, clock: Clock) -> BotApp:
    """The built-in network with the stricter reading: an empty seat blocks consensus."""
    return BotApp(store, replace(network, empty_seat_blocks=True), clock=clock)


# The rule itself, as a pure function of plain data.

def test_decide_leaves_empty_seats_out_and_names_them() -> None:
    seats = Seats(("IOM", "UNDP"), ("UNDESA",))
    decision = decide("consensus", seats, {"IOM": "agree", "UNDP": "reservations"})
    assert decision == Decision("adopted", left_out=(("UNDESA", "no_focal_point"),))


def test_decide_says_who_objected_and_who_did_not_answer() -> None:
    seats = Seats(("IOM", "UNDP", "UNHCR"))
    positions = {"IOM": "objection", "WFP": "objection"}  # WFP does not decide
    decision = decide("consensus", seats, positions)
    assert (decision.outcome, decision.objected, decision.silent) == (
        "not_adopted", ("IOM",), ("UNDP", "UNHCR"))
    assert decide("silence", seats, positions).silent == ()  # silence needs no answer


def test_decide_stricter_reading_blocks_consensus_only() -> None:
    seats = Seats(("IOM",), ("UNDESA",), empty_seat_blocks=True)
    consensus = decide("consensus", seats, {"IOM": "agree"})
    assert (consensus.outcome, consensus.blocking, consensus.left_out) == (
        "not_adopted", ("UNDESA",), ())
    silence = decide("silence", seats, {})
    assert silence.outcome == "adopted" and silence.left_out == (("UNDESA", "no_focal_point"),)


def test_decide_an_empty_seat_that_answers_takes_part() -> None:
    seats = Seats(("IOM",), ("UNDESA", "UNODC"), empty_seat_blocks=True)
    objected = decide("consensus", seats, {"IOM": "agree", "UNDESA": "objection"})
    assert objected.objected == ("UNDESA",) and objected.joined == ("UNDESA",)
    assert objected.blocking == ("UNODC",)
    agreed = decide("consensus", Seats(("IOM",), ("UNDESA",)), {"IOM": "agree",
                                                                  "UNDESA": "agree"})
    assert agreed == Decision("adopted", joined=("UNDESA",))


def test_decide_nobody_taking_part_adopts_nothing() -> None:
    for mode in ("consensus", "silence"):
        decision = decide(mode, Seats((), ("UNDESA",)), {})
        assert decision.outcome == "not_adopted" and decision.nobody


def test_a_decision_reads_back_from_its_stored_form() -> None:
    decision = decide("consensus", Seats(("IOM", "UNDP"), ("UNDESA",)), {"IOM": "objection"})
    assert Decision.from_dict(decision.to_dict()) == decision


# Empty Executive Committee seats in the built-in network.

async def test_consensus_is_not_impossible_when_executive_seats_are_empty(
        app: BotApp, clock: Clock) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    all_four_agree(app)
    clock.now = DEADLINE
    await app.run_due_jobs()
    consultation = app.store.consultations.get(1)
    assert consultation.outcome == "adopted"
    assert consultation.decision["left_out"] == [{"agency": code, "why": "no_focal_point"}
                                                 for code in EMPTY]
    decided_without = t(app, "poll.decided_without",
                        entries="OIT, HCDH, DAES, ONUDC — aucun point focal")
    [outcome] = [m for m in messages_to(app, "channel", "network")
                 if m.title == t(app, "poll.outcome_title.adopted", number=1)]
    assert decided_without in outcome.paragraphs
    assert decided_without in text_of(say(app, "fatoumata", "consultation 1")).splitlines()


def test_opening_tells_the_lead_which_entities_cannot_answer(app: BotApp,
                                                             spoken: Spoken) -> None:
    reply = say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    assert t(app, "poll.cannot_answer", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in \
        reply.message.paragraphs
    consultation = app.store.consultations.get(1)
    assert (consultation.deciding, consultation.empty_seats) == (FOUR, EMPTY)
    seats = t(app, "poll.seats_empty", entries="OIT, HCDH, DAES, ONUDC — aucun point focal")
    assert seats in messages_to(app, "member", "awa")[0].paragraphs  # the consulted see it too
    assert seats in text_of(say(app, "awa", "consultation 1")).splitlines()
    # The silent Executive entities are those that can answer; empty seats are named apart.
    spoken.clear()
    shown = text_of(say(app, "awa", "consultation 1")).splitlines()
    assert spoken.last("poll.silent").text in shown
    assert spoken.last("poll.silent").params["executive"] == "OIM, PNUD, HCR, UNICEF"


def test_the_outcome_says_why_it_was_not_adopted(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    say(app, "sarah", "position 1 objection Budget not costed")
    say(app, "awa", "position 1 accord")
    reply = say_and_send(app, "moussa", "consultation clore 1").message
    assert reply.paragraphs == [
        t(app, "poll.outcome.not_adopted"),
        t(app, "poll.why.objected", agencies="HCR"),
        t(app, "poll.why.silent", agencies="OIM et PNUD"),
        t(app, "poll.decided_without", entries="OIT, HCDH, DAES, ONUDC — aucun point focal")]
    assert app.store.consultations.get(1).decision["objected"] == ["UNHCR"]
    assert app.store.consultations.get(1).decision["silent"] == ["IOM", "UNDP"]
    register = text_of(say(app, "awa", "décisions"))
    why = " ; ".join([t(app, "poll.short.objected", agencies="HCR"),
                      t(app, "poll.short.silent", agencies="OIM, PNUD"),
                      t(app, "poll.short.left_out",
                        entries="OIT, HCDH, DAES, ONUDC — aucun point focal")])
    assert spoken.shown(register, "poll.decision_line_why", number=1, why=why,
                        outcome=t(app, "poll.outcome_short.not_adopted"))
    rows = list(csv.reader(io.StringIO(say(app, "awa", "décisions csv").message.attachments[0]
                                       .content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][9:] == [t(app, f"poll.csv.{column}") for column in (
        "scope", "objected", "silent", "left_out", "blocking", "not_reached")]
    assert rows[1][9:] == ["réseau", "HCR", "OIM, PNUD",
                           "OIT, HCDH, DAES, ONUDC — aucun point focal", "", ""]


async def test_stricter_reading_an_empty_seat_blocks_consensus_and_the_opening_says_so(
        strict: BotApp, clock: Clock) -> None:
    strict.add_adapter(Delivered(), fallback=True)  # every invitation reaches its agency
    reply = say_and_send(strict, "aminata",
                         "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    assert t(strict, "poll.cannot_answer_block", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in \
        reply.message.paragraphs
    say_and_send(strict, "aminata", "consultation ouvrir Note | vendredi 4 décembre 17h | silence")
    assert t(strict, "poll.cannot_answer", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in text_of(
        say_and_send(strict, "aminata",
                     "consultation ouvrir Note 2 | vendredi 4 décembre 17h | silence"))
    await strict.dispatcher.flush()
    all_four_agree(strict)
    clock.now = DEADLINE
    await strict.run_due_jobs()
    consensus = strict.store.consultations.get(1)
    assert consensus.outcome == "not_adopted" and consensus.decision["blocking"] == EMPTY
    assert t(strict, "poll.why.blocking", agencies="OIT, HCDH, DAES et ONUDC") in text_of(
        say(strict, "awa", "consultation 1")).splitlines()
    assert strict.store.consultations.get(2).outcome == "adopted"  # nobody broke the silence


async def test_a_focal_point_approved_for_an_empty_seat_while_open_may_answer(
        app: BotApp, clock: Clock) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    say_and_send(app, "aminata", "consultation ouvrir Note | vendredi 4 décembre 17h")
    say(app, "telegram:901", "rejoindre DAES Nadia Touré")
    say(app, "mariam", "membre approuver 1")
    all_four_agree(app, 1)
    all_four_agree(app, 2)
    clock.now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # the 48-hour reminder reaches her
    assert ran(await app.run_due_jobs(), "consultation.reminder") == 2
    newcomer = app.store.members.by_identity("telegram:901")
    # welcome, the two proposals still open (sent on approval), two reminders
    assert len(messages_to(app, "member", newcomer.id)) == 5
    say(app, "telegram:901", "position 1 objection Le chiffrage manque")
    clock.now = DEADLINE
    await app.run_due_jobs()
    answered, silent = app.store.consultations.get(1), app.store.consultations.get(2)
    assert answered.outcome == "not_adopted"  # she took part: her objection counts
    assert answered.decision["objected"] == ["UNDESA"] and answered.decision["joined"] == [
        "UNDESA"]
    assert silent.outcome == "adopted"  # silent, she stays left out: her seat was empty
    assert [e["agency"] for e in silent.decision["left_out"]] == EMPTY


async def test_the_deciding_set_is_fixed_when_the_consultation_opens(
        app: BotApp, clock: Clock) -> None:
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    for who in ("mariam", "sarah", "awa"):
        say(app, who, "position 1 accord")
    say(app, "mariam", "membre retirer ibrahim")  # UNDP was told and could have answered
    clock.now = DEADLINE
    await app.run_due_jobs()
    consultation = app.store.consultations.get(1)
    assert consultation.outcome == "not_adopted" and consultation.decision["silent"] == ["UNDP"]


async def test_a_consultation_stored_before_seats_were_recorded_is_decided_by_todays_seats(
        app: BotApp, clock: Clock) -> None:
    doc = {"v": 1, "id": 1, "proposal": "Ancienne", "deadline": "2026-12-04T17:00:00.000000+00:00",
           "opened_at": "2026-11-20T10:00:00.000000+00:00"}
    app.store.consultations.add(lambda n: Consultation.from_doc({**doc, "id": n}))
    assert app.store.consultations.get(1).deciding is None
    all_four_agree(app)
    clock.now = DEADLINE
    await app.run_due_jobs()
    consultation = app.store.consultations.get(1)
    assert consultation.outcome == "adopted" and consultation.decision["left_out"]


def test_a_consultation_nobody_could_decide_is_not_opened(app: BotApp) -> None:
    say(app, "aminata", "groupe créer Vide")
    say(app, "mariam", "groupe ajouter Vide | aminata")  # a co-chair, not a focal point
    reply = say_and_send(app, "aminata",
                         "consultation ouvrir X | vendredi 4 décembre 17h | groupe Vide")
    assert text_of(reply) == t(app, "poll.nobody_can_answer", agencies="BCR")
    assert app.store.consultations.all() == []


def test_members_warns_about_empty_executive_seats(app: BotApp, strict: BotApp) -> None:
    shown = say(app, "awa", "membres").message.paragraphs
    assert t(app, "members.empty_seats", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in shown
    assert t(strict, "members.empty_seats_block", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in say(
        strict, "awa", "membres").message.paragraphs
    for code in EMPTY:
        app.store.members.save(Member(id=code.lower(), name=f"PF {code}", agency=code,
                                      roles=[FOCAL_POINT], identities=[f"slack:U{code}"]))
    assert not [p for p in say(app, "awa", "membres").message.paragraphs if p.startswith("⚠")]


def run_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BIN / "reseau-bot", "check"], cwd=REPO, capture_output=True,
                          text=True, env=cli_env(tmp_path / "data", **env), timeout=60)


def test_check_warns_about_empty_executive_seats(tmp_path: Path, app: BotApp) -> None:
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert t(app, "cli.check_empty_seats", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in \
        result.stdout.splitlines()
    config = tmp_path / "strict.toml"
    config.write_text('[consultations]\nempty_seat = "block_consensus"\n')
    strict = run_check(tmp_path, RESEAU_CONFIG=str(config))
    assert t(app, "cli.check_empty_seats_block", agencies="OIT, HCDH, DAES et ONUDC",
             count=4) in \
        strict.stdout.splitlines()


def test_the_empty_seat_reading_is_a_checked_configuration_key(tmp_path: Path) -> None:
    assert load_network().empty_seat_blocks is False
    config = tmp_path / "c.toml"
    config.write_text('[consultations]\nempty_seat = "block_consensus"\n')
    assert load_network(config).empty_seat_blocks is True
    config.write_text('[consultations]\nempty_seat = "strict"\n')
    with pytest.raises(ConfigError) as error:
        load_network(config)
    [problem] = error.value.problems
    assert (problem.key, problem.line) == ("consultations.empty_seat", 2)


# A working group decides its own consultations.

async def test_a_working_groups_consultation_can_be_adopted(app: BotApp, clock: Clock) -> None:
    reply = say_and_send(app, "sarah",
                         "consultation ouvrir Protocole de partage | vendredi 4 décembre "
                              "17h | groupe Données migratoires")
    consultation = app.store.consultations.get(1)
    assert (consultation.deciding, consultation.empty_seats) == (FOUR, [])
    assert app.catalog.t("en", "poll.rule_group.consensus", group="Données migratoires") in \
        reply.message.paragraphs
    all_four_agree(app)
    clock.now = DEADLINE
    await app.run_due_jobs()
    assert app.store.consultations.get(1).outcome == "adopted"
    title = t(app, "poll.outcome_title_group.adopted", number=1, group="Données migratoires")
    [outcome] = messages_to(app, "channel", "donnees-migratoires")[-1:]
    assert outcome.title == title
    assert t(app, "poll.outcome_group.adopted", group="Données migratoires") in outcome.paragraphs
    assert messages_to(app, "channel", "network") == []  # the group's business, in its channel


def test_a_groups_proposal_states_the_groups_rule(app: BotApp) -> None:
    say_and_send(app, "sarah",
                 "consultation ouvrir Protocole | vendredi 4 décembre 17h | groupe Données "
                      "migratoires")
    [proposal] = messages_to(app, "member", "awa")
    assert t(app, "poll.rule_group.consensus", group="Données migratoires") in proposal.paragraphs
    assert t(app, "poll.rule.consensus") not in proposal.paragraphs


async def test_a_group_silence_procedure_is_broken_by_a_group_agency(
        app: BotApp, clock: Clock) -> None:
    say(app, "aminata", "groupe créer Retours")
    say(app, "mariam", "groupe ajouter Retours | fatoumata")  # WFP: not on the Committee
    say_and_send(app, "aminata",
                 "consultation ouvrir Note | vendredi 4 décembre 17h | silence | groupe "
                        "Retours")
    say(app, "fatoumata", "position 1 objection Hors calendrier")
    clock.now = DEADLINE
    await app.run_due_jobs()
    consultation = app.store.consultations.get(1)
    assert consultation.outcome == "not_adopted" and consultation.decision["objected"] == ["WFP"]


def test_a_groups_decision_shows_its_scope_in_the_register(app: BotApp) -> None:
    say_and_send(app, "sarah",
                 "consultation ouvrir Protocole | vendredi 4 décembre 17h | silence | "
                      "groupe Données migratoires")
    say_and_send(app, "mariam", "consultation clore 1")
    register = text_of(say(app, "fatoumata", "décisions"))
    assert "n° 1 — samedi 28 novembre 2026 — groupe Données migratoires — adoptée — Protocole" \
        in register
    rows = list(csv.reader(io.StringIO(say(app, "fatoumata", "décisions csv").message
                                       .attachments[0].content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][9] == "groupe Données migratoires"


# A statement draft is the Executive Committee's only.

def test_a_statement_draft_is_not_announced_in_the_network_channel(app: BotApp) -> None:
    say(app, "awa", "déclaration demander Journée internationale des migrants")
    say_and_send(app, "aminata",
                 "déclaration projet 1 Le réseau rappelle… | vendredi 4 décembre 17h")
    all_four_agree(app)
    say(app, "moussa", "consultation conclusion 1 x")  # still open: refused, nothing sent
    say_and_send(app, "moussa", "consultation clore 1")
    say(app, "aminata", "consultation conclusion 1 Texte à publier lundi.")
    assert [r for r in app.store.outbox.all() if r.recipient["kind"] == "channel"] == []
    # The co-chairs, who publish, are told the outcome and the note directly.
    assert [m.title for m in messages_to(app, "member", "aminata")][-2:] == [
        t(app, "poll.outcome_title.adopted", number=1), t(app, "poll.status_title_closed",
                                                          number=1)]
    assert messages_to(app, "member", "fatoumata") == []
    assert text_of(say(app, "fatoumata", "consultation 1")) == t(
        app, "poll.executive_only", number=1)
    assert "Le réseau rappelle" not in text_of(say(app, "fatoumata", "décisions"))
    assert "Le réseau rappelle" not in text_of(say(app, "fatoumata", "déclarations 1"))
    assert "Le réseau rappelle" in text_of(say(app, "awa", "déclarations 1"))  # UNICEF: EC
    say(app, "aminata", "déclaration publier 1")
    assert "Le réseau rappelle" in text_of(say(app, "fatoumata", "déclarations 1"))
    [published] = messages_to(app, "channel", "network")
    assert published.paragraphs[0] == "Le réseau rappelle…"
