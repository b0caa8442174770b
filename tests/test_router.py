"""One router: names in both languages without accents or case, suggestions, refusals, and no
input that can make it fail."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from handlers.roles import ANYONE
from handlers.router import Command, clean
from tests.conftest import say, text_of
from tests.support.spoken import Spoken


@pytest.mark.parametrize("typed", ["membres", "MEMBRES", "Membres", "members", "MeMbErS",
                                   "/membres", "  membres  "])
def test_command_names_ignore_case_accents_and_language(app: BotApp, typed: str,
                                                       spoken: Spoken) -> None:
    reply = say(app, "aminata", typed)
    assert spoken.shown(reply, "members.executive_heading")


def test_accented_and_unaccented_multi_word_names_match(app: BotApp) -> None:
    found = app.router.find("MEMBRE Ajouter UNICEF telegram:1 Awa")
    assert found is not None
    command, lang, rest = found
    assert command.key == "member_add" and lang == "fr" and rest == "UNICEF telegram:1 Awa"
    assert app.router.find("member add X")[0].key == "member_add"
    assert app.router.find("langue en")[0].key == "language"


def test_unknown_command_suggests_the_closest(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", "membrs")
    assert spoken.shown(reply, "error.unknown_command_suggest", "fr", typed="membrs",
                        suggestion="membres", help="aide")
    english = say(app, "sarah", "hepl")
    assert spoken.shown(english, "error.unknown_command_suggest", "en", suggestion="help")


def test_unknown_command_with_nothing_close(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", "xyzzy plugh")
    assert spoken.shown(reply, "error.unknown_command", "fr", typed="xyzzy")
    assert "error.unknown_command_suggest" not in spoken


def test_refusal_names_who_may(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "awa", "membre ajouter UNICEF telegram:9 Jean Diarra")
    assert text_of(reply) == app.catalog.t("fr", "error.not_allowed", command="membre ajouter",
                                           who=app.catalog.t("fr", "role.secretariat"))
    assert app.store.members.by_identity("telegram:9") is None
    english = say(app, "sarah", "member add UNICEF telegram:9 Jean")
    assert text_of(english) == app.catalog.t("en", "error.not_allowed", command="member add",
                                             who=app.catalog.t("en", "role.secretariat"))


def test_unknown_user_is_told_how_to_join(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "slack:UNEW", "membres")
    assert spoken.shown(reply, "error.not_a_member", "fr", command="membres")


def test_unknown_user_typing_english_gets_english(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "slack:UNEW", "help")
    assert reply.language == "en" and spoken.shown(reply, "help.intro_unknown", "en")


@pytest.mark.parametrize("junk", [
    "", "   ", "\x00\x01\x02", "a" * 10_000, 'rejoindre "UNICEF', "membres '''",
    "\udcff\udcfe", "💥" * 3000, "\u202e\u200b", "membre approuver 99999999999999999999",
    "membre approuver -1", "rejoindre", "langue", "langue klingon", "\n\n\n",
    "membre retirer", "membre ajouter UNICEF notanidentity X", "{name} {0} %s",
])
def test_no_input_breaks_the_bot(app: BotApp, junk: str, spoken: Spoken) -> None:
    for who in ("aminata", "mariam", "slack:UNKNOWN"):
        reply = say(app, who, junk)
        shown = text_of(reply)
        assert shown and "Traceback" not in shown and "Error" not in shown
        assert reply.language in ("fr", "en")
    assert "error.internal" not in spoken
    assert spoken.shown(say(app, "aminata", "membres"), "members.executive_heading")  # working


def test_ten_thousand_characters_get_a_clear_limit(app: BotApp, spoken: Spoken) -> None:
    reply = say(app, "aminata", "membres " + "x" * 10_000)
    assert spoken.shown(reply, "error.too_long", length=10_008, limit=4000)


def test_a_failing_handler_gives_a_reference_not_a_traceback(app: BotApp, caplog, monkeypatch,
                                                             spoken: Spoken) -> None:
    def boom(req):
        raise RuntimeError("secret internals")

    # This app's router only: the command table is shared by every app of the process.
    command = Command("boom", ANYONE, boom)
    monkeypatch.setattr(app.router, "commands", [*app.router.commands, command])
    monkeypatch.setitem(app.router._names, ("boom",), (command, "fr"))
    for lang in ("fr", "en"):
        monkeypatch.setitem(app.catalog.texts[lang], "cmd.boom.name", "boom")
    reply = say(app, "aminata", "boom")
    reference = spoken.last("error.internal").params["ref"]
    assert spoken.shown(reply, "error.internal") and "secret internals" not in text_of(reply)
    assert "secret internals" in caplog.text and f"ref {reference}" in caplog.text


def test_clean_keeps_line_breaks_and_drops_controls() -> None:
    assert clean(" a\x00b\r\nc\u200bd\t e ") == "ab\ncd  e"
