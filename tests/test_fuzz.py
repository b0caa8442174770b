"""Property-based tests: arbitrary text, Unicode, control characters and very long inputs never
make the router or the time parser fail, and replies come in the person's language."""

from __future__ import annotations

import contextlib
import gc
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import BotApp
from bot.config.network import load_network
from handlers.commands import COMMANDS
from handlers.types import Inbound
from scheduler.when import (
    WhenError,
    parse_deadline,
    parse_recurrence,
    parse_since,
    parse_when,
    read_when,
    warm_up,
)
from storage.store import Store
from tests.support.spoken import recording

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
    with recording() as spoken:
        reply = APP.handle(Inbound(platform=platform, user_id=user, text=text))
    member = APP.store.members.by_identity(f"{platform}:{user}")
    expected = member.language if member and member.language else None
    if expected:
        assert reply.language == expected
    assert reply.language in ("fr", "en")
    shown = reply.message.plain_text()
    assert shown.strip()
    assert "Traceback" not in shown and "error.internal" not in shown
    assert "error.internal" not in spoken  # a handler failed: the apology, not an answer


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXT, action=st.sampled_from(
    ["rsvp.present", "position.objection", "join.approve", "nope"]), value=st.text(max_size=80))
def test_buttons_with_any_value_never_fail(text: str, action: str, value: str) -> None:
    with recording() as spoken:
        reply = APP.handle(Inbound(platform="console", user_id="mariam", action=action,
                                   value=value))
    assert reply.message.plain_text().strip() and "error.internal" not in spoken


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


# Words of every family, so the fuzzer reaches deep into each pattern.
DATE_WORDS = st.sampled_from([
    "d'ici", "au plus tard", "by", "avant", "heure de Genève", "GMT+1", "CET", "EST", "lun.",
    "mar", "mar.", "3", "déc.", "fin du mois", "sous huitaine", "en fin de journée", "COB",
    "aujourd'hui en huit", "Thursday week", "a fortnight from", "8h du mat", "half past",
    "à 9", "10.30", "un jeudi sur deux", "les 1er et 3e mardis", "de chaque trimestre",
    "à partir du", "jusqu'en juin", "6 fois", "sauf en août", "every other", "et", "-", "1er",
    "lundis", "mois", "semaine prochaine", "the week after next", "12", "2027", "h"])
DATE_TEXT = st.lists(DATE_WORDS | st.text(max_size=6), max_size=30).map(" ".join)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXT | DATE_TEXT)
def test_no_time_expression_takes_more_than_100_ms(text: str) -> None:
    """Every reader answers or refuses within 100 ms of this thread's own CPU time, whatever
    is pasted in (so a busy machine does not make it flaky), once warmed up as at start-up.
    The garbage collector is held off while a reader runs: a full pass over what the whole
    suite left in this process (280 ms once) is not the reader's time."""
    warm_up()
    for read in (lambda t: read_when(t, now=NOW), lambda t: parse_deadline(t, now=NOW),
                 lambda t: parse_recurrence(t, now=NOW),
                 lambda t: parse_since(t, now=NOW, tz="Africa/Bamako")):
        with collector_off():
            started = time.thread_time()
            with contextlib.suppress(WhenError):
                read(text)
            spent = time.thread_time() - started
        assert spent < 0.1, text[:200]


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_command_unreachable_or_failing_when_typed_by_its_name_is_caught(lang: str) -> None:
    """Each command's name in each language leads to that command (none shadowed by another or
    missing from the router), and typed alone, by a co-chair, gets an answer, not the apology of
    a failed handler nor « unknown command »."""
    app, store = fresh_app()
    try:
        for command in COMMANDS:
            name = app.router.name(command, lang)
            found = app.router.find(name)
            assert found is not None and found[0] is command, (lang, command.key, name)
            with recording() as spoken:
                reply = app.handle(Inbound(platform="console", user_id="aminata", text=name))
            assert reply.message.plain_text().strip(), (lang, name)
            assert not {"error.internal", "error.unknown_command",
                        "error.unknown_command_suggest"} & set(spoken.keys()), (lang, name)
    finally:
        store.close()
