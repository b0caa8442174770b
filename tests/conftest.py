"""Shared fixtures: a real store in a temporary data dir, the built-in network, a fixed clock,
the strict catalog and the recorder of what the bot said (``spoken``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config.network import load_network
from handlers.i18n import Catalog
from handlers.settings import Network
from storage import engine
from storage.store import Store
from tests.support.chat import Clock, click, ran, say, text_of
from tests.support.process import BIN, REPO, cli_env
from tests.support.spoken import Spoken, recording

# The helpers live in ``tests.support``; named here too for tests that import them from here.
__all__ = ["BIN", "REPO", "Clock", "click", "cli_env", "ran", "say", "text_of"]


@pytest.fixture(autouse=True)
def strict_catalog(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In tests a missing catalog key or placeholder is an error, not the raw key shown to people
    (production logs it and degrades). Checked after the test too, in case a handler caught it."""
    monkeypatch.setattr(Catalog, "strict", True)
    monkeypatch.setattr(Catalog, "faults", [])
    yield
    assert not Catalog.faults, Catalog.faults


@pytest.fixture(autouse=True)
def no_stragglers() -> Iterator[None]:
    """The bot's own code changes storage only inside a transaction (a request, a job run, a
    delivery step): a change it made outside one, with no test on the stack, fails the test."""
    engine.TRACE_STRAGGLERS = str(REPO / "tests") + os.sep
    engine.STRAGGLERS.clear()
    yield
    found = sorted(set(engine.STRAGGLERS))
    engine.STRAGGLERS.clear()
    assert not found, f"storage changed outside a transaction at {found}"


@pytest.fixture
def spoken() -> Iterator[Spoken]:
    """The catalog texts the bot chose during the test (see ``tests/support/spoken.py``)."""
    with recording() as heard:
        yield heard


@pytest.fixture
def network() -> Network:
    return load_network()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))


@pytest.fixture
def app(store: Store, network: Network, clock: Clock) -> BotApp:
    return BotApp(store, network, clock=clock)
