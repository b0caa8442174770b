"""A request costs what it touches, not the size of the history: lookups go through indexes
that decode only the records they return, and the indexes follow every change (the
repositories' own, a replay of the journal, a TinyDB write)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.history import SMALL, Scale, generate, member_id
from bot.app import BotApp
from bot.dispatch.contract import Target
from bot.ratelimit import RateLimits
from handlers.types import Message
from storage.collection import Collection
from storage.models import Meeting
from storage.store import Store
from tests.conftest import Clock, click, say
from tests.support.followups import followed
from tests.support.previews import say_and_send

NOW = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("history") / "data"
    generate(data, SMALL, now=NOW)
    return data


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the collections each decoded record came from, as they are decoded."""
    seen: list[str] = []
    real = Collection._load

    def counting(self: Collection, doc: dict) -> object:
        seen.append(self.name)

        return real(self, doc)

    monkeypatch.setattr(Collection, "_load", counting)
    yield seen


def test_lookups_decode_only_the_records_they_find(history: Path, tmp_path: Path,
                                                   decoded: list[str]) -> None:
    store = Store.open(history, lock=False)
    try:
        decoded.clear()
        member = store.members.by_identity("slack:U000005")
        assert member is not None and member.id == member_id(5)
        assert store.members.get(member_id(7)) is not None
        assert decoded == ["members", "members"]
        decoded.clear()
        unicef = store.members.of_agency("UNICEF")
        assert len(unicef) >= 2 and {m.agency for m in unicef} == {"UNICEF"}
        assert len(decoded) == len(unicef)
        decoded.clear()
        assert "UNICEF" in store.members.agencies_with("focal_point")
        assert not store.groups.is_chair(member_id(5))
        assert decoded == []
        opened = store.consultations.open()
        assert [c.status for c in opened] == ["open"] * SMALL.open_consultations
        upcoming = store.meetings.upcoming(NOW.isoformat())
        assert upcoming and all(m.start > NOW.isoformat() for m in upcoming)
        assert len(decoded) == len(opened) + len(upcoming)
        decoded.clear()
        past = store.meetings.get(1)
        assert past is not None
        answers = store.rsvps.of_meeting(past.id)
        current = store.positions.current(1)
        assert answers and current
        assert len(decoded) == 1 + len(answers) + len(current)
    finally:
        store.close()


def test_indexes_follow_the_repositories_changes_a_replay_and_a_tinydb_write(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(data, Scale(members=30, years=1, items=10, event_ids=10), now=NOW)
    store = Store.open(data)
    member = store.members.by_identity("slack:U000003")
    assert member is not None
    member.identities.append("telegram:42")
    member.agency = "WFP"
    with store.transaction():
        store.members.save(member)
    assert store.members.by_identity("telegram:42").id == member.id
    assert member.id in {m.id for m in store.members.of_agency("WFP")}
    member.active = False
    with store.transaction():
        store.members.save(member)
    assert store.members.by_identity("slack:U000003") is None
    assert member.id not in {m.id for m in store.members.active()}
    (meeting,) = store.meetings.upcoming(NOW.isoformat())[:1]
    meeting.status = "cancelled"
    with store.transaction():
        store.meetings.save(meeting)
    assert meeting.id not in {m.id for m in store.meetings.upcoming(NOW.isoformat())}
    store.close(compact=False)  # a crash: the journal holds the changes

    again = Store.open(data)
    try:
        assert again.members.by_identity("slack:U000003") is None
        assert again.members.by_identity("telegram:42") is None  # inactive
        assert meeting.id not in {m.id for m in again.meetings.upcoming(NOW.isoformat())}
        # A write through TinyDB itself (as a migration might make) is seen too.
        again.meetings._c._table.update({"status": "scheduled"}, doc_ids=[meeting.id])
        upcoming = again.meetings.upcoming(NOW.isoformat())
        assert meeting.id in {m.id for m in upcoming}
        again.meetings.add(lambda n: Meeting(id=n, kind="network", start="2027-01-04T10:00:00"
                                             ".000000+00:00", end="2027-01-04T12:00:00.000000"
                                             "+00:00"))
        assert len(again.meetings.upcoming(NOW.isoformat())) == len(upcoming) + 1
    finally:
        again.close()


async def test_a_click_and_an_opening_cost_the_same_after_one_year_and_after_three(
        tmp_path: Path, decoded: list[str]) -> None:
    """With the schedule derived again after every request and members scanned per agency, a
    click and « consultation ouvrir » did work proportional to the history."""
    costs = []
    for years in (1, 3):
        data = tmp_path / f"{years}y"
        network = generate(data, Scale(members=46, years=years, items=20, event_ids=100),
                           now=NOW)
        store = Store.open(data)
        app = BotApp(store, network, clock=Clock(NOW))
        app.jobs.scheduler.start(paused=True)
        try:
            app.reconcile()
            decoded.clear()
            say_and_send(app, "slack:UCHAIR", "consultation ouvrir Texte | dans 10 jours")
            opening = len(decoded)
            number = max(c.id for c in store.consultations.open())
            click(app, "slack:U000005", "position.agree", str(number))
            decoded.clear()
            # A colleague of the same agency changes the position (and confirms it): the first
            # one is told.
            asked = click(app, "slack:U000028", "position.abstain", str(number))
            click(app, "slack:U000028", "override.confirm", asked.message.buttons[0].value)
            followed(app)  # what the click left for after its ack: part of its cost
            costs.append((opening, len(decoded)))
            changed = f"poll:{number}:changed:{store.positions.last_number(number)}:m5"
            assert any(row.key == changed for row in store.outbox.pending())
        finally:
            app.stop()
            store.close()
    assert costs[0] == costs[1]


def test_an_opening_builds_its_message_once_per_language(app: BotApp,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The proposal was rendered (dates through Babel, buttons) once per member."""
    from handlers.consultations import sending

    built: list[str] = []
    real = sending.proposal_message

    def counting(ctx, lang, consultation, title_key):
        built.append(lang)
        return real(ctx, lang, consultation, title_key)

    monkeypatch.setattr(sending, "proposal_message", counting)
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    queued = [r for r in app.store.outbox.all() if r.key.startswith("poll:1:open:")
              and r.recipient["kind"] == "member"]
    assert len(queued) >= 4 and {r.language for r in queued} == {"fr", "en"}
    assert sorted(built) == ["en", "fr"]


def test_to_do_views_are_built_again_only_after_work_that_wrote_what_they_show(
        app: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every opened Slack Home was rebuilt after every request, whatever it did: with 200
    people who opened theirs, a click built 200 to-do lists."""
    from handlers import todo_views
    from storage.todo_views import TodoView

    with app.store.transaction():
        for member in app.store.members.active()[:5]:
            app.store.todo_views.save(TodoView(id=member.identities[0], digest="-", at=""))
    built: list[str] = []
    monkeypatch.setattr(todo_views, "build_todo",
                        lambda ctx, member: built.append(member.id) or [])
    say(app, "awa", "membres")  # reads only
    say(app, "awa", "aide")
    assert built == []
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | dans 10 jours")
    assert built  # a consultation opened: the views are looked at again


def test_a_newer_to_do_view_replaces_the_waiting_one_by_its_row_not_by_a_scan(
        app: BotApp) -> None:
    from handlers import todo_views
    from handlers.types import Message
    from storage.identity import Identity

    person = Identity("slack", "U0DEMOSJ")
    with app.store.transaction():
        for n in range(300):  # a busy outbox: the other people's messages waiting
            app.store.outbox.add(f"other:{n}", {"kind": "member", "ref": "awa"}, {}, "")
        assert todo_views.publish(app.ctx, person, Message(title="v1"), "fr")
        assert todo_views.publish(app.ctx, person, Message(title="v2"), "fr")
    views = [r for r in app.store.outbox.pending() + app.store.outbox.with_status("skipped")
             if r.key.startswith("todo:")]
    first, second = sorted(views, key=lambda r: r.id)
    assert (first.status, second.status) == ("skipped", "pending")
    assert app.store.todo_views.get(str(person)).row == second.id


class Posting:
    """Slack, as far as the dispatcher can tell: every message posted, with its place."""

    platform = "slack"
    rate_limits = RateLimits()

    async def deliver(self, target: Target, message: Message) -> str:
        return f"{target.address}:1764349200.000100"

    async def probe(self) -> None:
        pass


async def test_a_change_decodes_one_position_however_many_agencies_answered(
        tmp_path: Path, decoded: list[str]) -> None:
    """The cards show the decision as it would be now, computed again after every position:
    it was computed by decoding every agency's position, several times per click — most of a
    click's work under a burst. The choices are kept in memory beside the latest numbers."""
    data = tmp_path / "data"
    network = generate(data, Scale(members=46, years=1, items=20, event_ids=100), now=NOW)
    store = Store.open(data)
    app = BotApp(store, network, clock=Clock(NOW))
    app.add_adapter(Posting())
    app.jobs.scheduler.start(paused=True)
    try:
        say(app, "slack:UCHAIR", "consultation ouvrir Texte | dans 10 jours")
        await app.dispatcher.flush()  # the cards are out: changes edit them
        number = max(c.id for c in store.consultations.open())
        for n in range(23):  # every agency answers
            click(app, f"slack:U{n:06d}", "position.agree", str(number))
        decoded.clear()
        asked = click(app, "slack:U000023", "position.abstain", str(number))
        click(app, "slack:U000023", "override.confirm", asked.message.buttons[0].value)
        assert decoded.count("positions") <= 3
        agency = store.members.get(member_id(23)).agency
        assert store.positions.latest_of(number, agency).choice == "abstain"
    finally:
        app.stop()
        store.close()


def test_the_due_rows_are_found_without_decoding_those_waiting_their_turn(
        tmp_path: Path, decoded: list[str]) -> None:
    """The dispatcher asks for the due rows after every request: each pending row was decoded
    to read its time, those waiting for a retry or for an edit's turn included."""
    store = Store.open(tmp_path / "data")
    try:
        now, later = "2026-11-28T17:00:00.000000+00:00", "2026-11-28T17:05:00.000000+00:00"
        with store.transaction():
            for n in range(50):
                row = store.outbox.add(f"k:{n}", {"kind": "member", "ref": "m1"},
                                       {"title": "x"}, now)
                assert row is not None
                if n % 10:  # nine in ten wait for a retry
                    row.next_attempt_at = later
                    store.outbox.save(row)
        decoded.clear()
        due = store.outbox.due(now)
        assert [row.key for row in due] == [f"k:{n}" for n in range(0, 50, 10)]
        assert decoded.count("outbox") == len(due)
        assert len(store.outbox.due(later)) == 50
    finally:
        store.close()
