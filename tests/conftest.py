"""Shared fixtures: a real store in a temporary data dir, the built-in network, a fixed clock."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config.network import load_network
from handlers.i18n import Catalog
from handlers.settings import Network
from handlers.types import Inbound, Message, Reply
from storage import engine
from storage.store import Store

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


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


def say(app: BotApp, who: str, text: str, **extra: object) -> Reply:
    """``who`` types ``text`` (``who`` is ``platform:user``, console if no platform given)."""
    platform, _, user = who.partition(":") if ":" in who else ("console", "", who)
    return app.handle(Inbound(platform=platform, user_id=user, text=text, **extra))


def click(app: BotApp, who: str, action: str, value: str) -> Reply:
    platform, _, user = who.partition(":") if ":" in who else ("console", "", who)
    return app.handle(Inbound(platform=platform, user_id=user, action=action, value=value))


def text_of(reply: Reply | Message) -> str:
    message = reply.message if isinstance(reply, Reply) else reply
    return message.plain_text()


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real ``reseau-bot`` process: no platform token, a private data dir."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "TELEGRAM_", "RESEAU_", "LC_", "LANG"))}
    env.update({"RESEAU_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
                "RESEAU_CATALOG_STRICT": "1"})
    env.update(extra)
    return env


def ran(specs: list, kind: str) -> int:
    """How many of the jobs ``run_due_jobs`` ran were of ``kind``."""
    return sum(1 for spec in specs if spec.kind == kind)
