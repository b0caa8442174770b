"""Property-based tests: arbitrary text, Unicode, control characters and very long inputs never
make the router or the time parser fail, and replies come in the person's language."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import BotApp
from bot.config import load_network
from handlers.commands import COMMANDS
from handlers.types import Inbound
from scheduler.when import WhenError, parse_recurrence, parse_when
from storage.store import Store

NOW = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
WORDS = st.sampled_from(["réunion", "consultation ouvrir", "position 1", "partager", "lier",
                         "membre ajouter", "ordre du jour 1 ajouter", "recherche", "digest depuis",
                         "rapport", "déclaration projet 1", "présent", "infos objectif", "|",
                         "#1", "https://x.org", "<!channel>", "<b>", "=1+1", "mardi 10h"])
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS | st.text(max_size=12), max_size=12).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3000, max_size=6000),
)


def fresh_app() -> tuple[BotApp, Store]:
    store = Store.open(Path(tempfile.mkdtemp()) / "data")
    return BotApp(store, load_network(), clock=lambda: NOW), store


APP, STORE = fresh_app()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXT, who=st.sampled_from(["aminata", "mariam", "awa", "sarah", "slack:UFUZZ"]))
def test_the_router_answers_anything_in_the_persons_language(text: str, who: str) -> None:
    platform, _, user = who.partition(":") if ":" in who else ("console", "", who)
    reply = APP.handle(Inbound(platform=platform, user_id=user, text=text))
    member = APP.store.members.by_identity(f"{platform}:{user}")
    expected = member.language if member and member.language else None
    if expected:
        assert reply.language == expected
    assert reply.language in ("fr", "en")
    shown = reply.message.plain_text()
    assert shown.strip()
    assert "Traceback" not in shown and "error.internal" not in shown
    assert "Rien n'a été perdu" not in shown and "Nothing was lost" not in shown


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXT, action=st.sampled_from(
    ["rsvp.present", "position.objection", "join.approve", "nope"]), value=st.text(max_size=80))
def test_buttons_with_any_value_never_fail(text: str, action: str, value: str) -> None:
    reply = APP.handle(Inbound(platform="console", user_id="mariam", action=action, value=value))
    shown = reply.message.plain_text()
    assert shown.strip() and "Rien n'a été perdu" not in shown


@settings(max_examples=400, deadline=None)
@given(text=TEXT | st.from_regex(
    r"(lundi|mardi|demain|le \d{1,2}|\d{1,2}/\d{1,2}(/20\d\d)?|dans \d+ jours)"
    r"( à)? \d{1,2}h(\d\d)?", fullmatch=True),
    offset=st.integers(min_value=0, max_value=3 * 365 * 24))
def test_parse_when_never_returns_the_past(text: str, offset: int) -> None:
    now = NOW + timedelta(hours=offset)
    try:
        moment = parse_when(text, now=now)
    except WhenError as error:
        assert error.reason and isinstance(error.params, dict)
        return
    assert moment.tzinfo is not None and moment > now


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_parse_recurrence_refuses_or_gives_a_future_first(text: str) -> None:
    try:
        first, rule = parse_recurrence(text, now=NOW)
    except WhenError:
        return
    assert first > NOW and rule.startswith("FREQ=")


def test_every_command_has_been_reached_by_name() -> None:
    assert len(COMMANDS) > 40
