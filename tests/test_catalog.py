"""Both languages are complete: same keys, same placeholders, every key the code uses exists."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from handlers.i18n import Catalog, placeholders
from handlers.router import Router
from tests.conftest import REPO


def test_french_and_english_have_the_same_keys_and_placeholders() -> None:
    catalog = Catalog.load()
    fr, en = catalog.texts["fr"], catalog.texts["en"]
    assert sorted(fr) == sorted(en), set(fr) ^ set(en)
    for key in fr:
        assert placeholders(fr[key]) == placeholders(en[key]), key


def test_every_literal_key_in_the_code_is_in_the_catalog(app) -> None:
    catalog = Catalog.load()
    used: set[str] = set()
    for folder in ("bot", "handlers"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text()
            used |= set(re.findall(r"""["']((?:cmd|error|role|join|members|member_add|"""
                                   r"""member_remove|whoami|language|help|console|cli|"""
                                   r"""dispatch|button|format|word|action)\.[a-z_.]+)["']""",
                                   text))
    used -= set(app.router.actions)  # button names look like keys but are not texts
    missing = sorted(k for k in used if not catalog.has(k))
    assert not missing


def test_every_command_and_action_has_its_texts(app) -> None:
    router: Router = app.router
    for command in router.commands:
        for part in ("name", "usage", "help"):
            assert app.catalog.has(f"cmd.{command.key}.{part}"), command.key
    for action in router.actions:
        assert app.catalog.has(f"action.{action}"), action


def test_dates_are_written_in_the_readers_language() -> None:
    catalog = Catalog.load()
    moment = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert catalog.datetime("fr", moment, "Africa/Bamako") == "mardi 1 décembre 2026 à 10:00"
    assert catalog.datetime("en", moment, "Africa/Bamako") == "Tuesday 1 December 2026 at 10:00"


def test_a_missing_english_text_falls_back_to_french() -> None:
    catalog = Catalog({"fr": {"x.y": "Bonjour {name}"}, "en": {}})
    assert catalog.t("en", "x.y", name="Awa") == "Bonjour Awa"
    assert catalog.t("en", "nope.key") == "nope.key"
