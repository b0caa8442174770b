"""The recorder of catalog lookups the tests assert on (``tests/support/spoken.py``)."""

from __future__ import annotations

import pytest

from handlers.i18n import Catalog
from tests.support.chat import say, text_of
from tests.support.spoken import Spoken, recording


def test_the_recorder_keeps_keys_values_and_texts_in_order() -> None:
    catalog = Catalog.load()
    with recording() as spoken:
        first = catalog.t("fr", "knowledge.count", count=2)
        catalog.t("en", "knowledge.count", count=1)
    catalog.t("fr", "knowledge.count", count=5)  # after the block: not heard
    assert spoken.keys() == ["knowledge.count", "knowledge.count"]
    assert spoken.has("knowledge.count", count=2) and spoken.has("knowledge.count", "en")
    assert not spoken.has("knowledge.count", count=5)
    assert not spoken.has("knowledge.count", "en", count=2)
    assert not spoken.has("knowledge.count", other=2)
    assert spoken.text("knowledge.count", "fr") == first
    assert "knowledge.count" in spoken and "members.summary" not in spoken
    with pytest.raises(AssertionError, match="members.summary"):
        spoken.last("members.summary")
    spoken.clear()
    assert spoken.keys() == []


def test_the_fixture_hears_the_apps_catalog(app, spoken: Spoken) -> None:
    reply = say(app, "awa", "aide")
    assert spoken.has("help.intro", "fr") and not spoken.has("help.intro_unknown")
    assert spoken.text("help.title") == reply.message.title
    assert spoken.text("help.outro") in text_of(reply)
