"""Both languages are complete: same keys, same placeholders, every key the code uses exists."""

from __future__ import annotations

import ast
import gettext
import re
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from handlers.i18n import Catalog, CatalogError, placeholders, plural_forms, plural_index
from handlers.router import Router
from handlers.settings import LANGUAGES
from handlers.words import ProperName
from tests.conftest import REPO


def test_a_key_missing_from_one_language_or_a_differing_placeholder_is_caught() -> None:
    """All the entries of both files, read as gettext reads them: the same keys, the same
    ``{placeholders}``, a plural in one language is a plural in the other with every form of its
    language, and a text left empty (a command without arguments has an empty usage) is empty
    in both."""
    catalog = Catalog.load()
    fr, en = catalog.texts["fr"], catalog.texts["en"]
    assert len(fr) > 800
    assert set(fr) == set(en), sorted(set(fr) ^ set(en))
    for key in fr:
        assert placeholders(fr[key]) == placeholders(en[key]), key
        assert isinstance(fr[key], tuple) == isinstance(en[key], tuple), key
        assert bool(fr[key]) == bool(en[key]), key
        for lang, text in (("fr", fr[key]), ("en", en[key])):
            if isinstance(text, tuple):
                assert len(text) == len(plural_forms(lang)) and all(text), (lang, key)


def test_an_entry_out_of_alphabetical_order_is_caught() -> None:
    """The files are sorted by key, so that entries added on two branches merge cleanly."""
    for lang in LANGUAGES:
        with (REPO / "handlers" / "locales" / f"{lang}.po").open("rb") as handle:
            ids = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id]
        assert ids == sorted(ids), lang


def test_a_key_the_code_names_but_the_catalog_lacks_is_caught(app) -> None:
    """Every text constant in ``bot/`` and ``handlers/`` shaped like a key of one of the
    catalog's namespaces (``poll.…``, ``error.…``, whatever function it is passed to) is a key
    of both catalogs, except button action names; the fixed start of a computed key
    (``f"rsvp.button.{choice}"``, ``"cli.corrupt_" + reason``) starts at least one key."""
    catalog = Catalog.load()
    keys = set(catalog.texts["fr"])
    spaces = {key.split(".")[0] for key in keys}
    actions = set(app.router.actions)
    prefix_shape = re.compile(r"^[a-z_]+\.[a-z_0-9.]*$")
    missing, seen = [], 0
    for folder in ("bot", "handlers"):
        for path in (REPO / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            starts = {id(n.values[0]) for n in ast.walk(tree)
                      if isinstance(n, ast.JoinedStr) and n.values}
            starts |= {id(n.left) for n in ast.walk(tree)
                       if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add)}
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                text, where = node.value, f"{path.relative_to(REPO)}:{node.lineno}"
                if text.split(".")[0] not in spaces:
                    continue
                if id(node) in starts and prefix_shape.match(text):
                    seen += 1
                    if not any(key.startswith(text) for key in keys):
                        missing.append(f"{where} {text}…")
                elif KEY.match(text) and text not in actions:
                    seen += 1
                    if not catalog.has(text):
                        missing.append(f"{where} {text}")
    assert seen > 500 and not missing, missing


def test_every_command_and_action_has_its_texts(app) -> None:
    router: Router = app.router
    for command in router.commands:
        for part in ("name", "usage", "help"):
            assert app.catalog.has(f"cmd.{command.key}.{part}"), command.key
    for action in router.actions:
        assert app.catalog.has(f"action.{action}"), action


def test_dates_are_written_in_the_readers_language() -> None:
    catalog = Catalog.load()
    moment = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert catalog.datetime("fr", moment, "Africa/Bamako") == "mercredi 2 décembre 2026 à 10:00"
    assert catalog.datetime("en", moment, "Africa/Bamako") == "Wednesday 2 December 2026 at 10:00"


def test_the_first_of_the_month_is_1er_in_french() -> None:
    catalog = Catalog.load()
    moment = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert catalog.datetime("fr", moment, "Africa/Bamako") == "mardi 1er décembre 2026 à 10:00"
    assert catalog.date("fr", moment, "Africa/Bamako") == "mardi 1er décembre 2026"
    assert catalog.datetime("en", moment, "Africa/Bamako") == "Tuesday 1 December 2026 at 10:00"
    assert catalog.date("en", moment, "Africa/Bamako") == "Tuesday 1 December 2026"
    # The first in Bamako, whatever the day in UTC; the 11th and the 21st stay as they are.
    assert catalog.date("fr", datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
                        "Africa/Porto-Novo") == "mardi 1er décembre 2026"
    assert catalog.date("fr", datetime(2026, 12, 11, 9, tzinfo=UTC),
                        "Africa/Bamako") == "vendredi 11 décembre 2026"


def test_a_missing_english_text_falls_back_to_french(monkeypatch) -> None:
    monkeypatch.setattr(Catalog, "strict", False)  # production: log and degrade
    catalog = Catalog({"fr": {"x.y": "Bonjour {name}"}, "en": {}})
    assert catalog.t("en", "x.y", name="Awa") == "Bonjour Awa"
    assert catalog.t("en", "nope.key") == "nope.key"
    assert catalog.t("fr", "x.y") == "Bonjour {name}"


def test_a_missing_key_or_placeholder_is_an_error_in_tests() -> None:
    catalog = Catalog({"fr": {"x.y": "Bonjour {name}", "x.n": ("{count} a", "{count} b")},
                       "en": {}})
    with pytest.raises(CatalogError):
        catalog.t("fr", "nope.key")
    with pytest.raises(CatalogError):
        catalog.t("fr", "x.y")
    with pytest.raises(CatalogError):
        catalog.t("fr", "x.n")  # a plural text without count
    Catalog.faults.clear()  # the fixture would fail this test for the three faults above


def test_plural_forms_follow_each_languages_rule() -> None:
    """French: 0 and 1 are singular; English: only 1 (CLDR, the .po's Plural-Forms)."""
    catalog = Catalog.load()
    said = {(lang, n): catalog.t(lang, "knowledge.count", count=n)
            for lang in ("fr", "en") for n in (0, 1, 2)}
    assert said == {("fr", 0): "0 information", ("fr", 1): "1 information",
                    ("fr", 2): "2 informations",
                    ("en", 0): "0 items", ("en", 1): "1 item", ("en", 2): "2 items"}


def test_each_number_of_a_text_has_its_own_plural() -> None:
    catalog = Catalog.load()
    assert catalog.t("fr", "report.summary", meetings=1, decisions=0, statements=2,
                     items=1).startswith(
        "1 réunion tenue, 0 décision, 2 déclarations communes, 1 information partagée.")
    assert catalog.t("en", "report.summary", meetings=1, decisions=0, statements=2,
                     items=1).startswith(
        "1 meeting held, 0 decisions, 2 joint statements, 1 item shared.")


def test_plural_entries_have_every_form_of_their_language() -> None:
    catalog = Catalog.load()
    for lang in LANGUAGES:
        source = REPO / "handlers" / "locales" / f"{lang}.po"
        with source.open("rb") as handle:
            po = read_po(handle, locale=lang)
        # The header the files declare is the CLDR rule the catalog applies.
        assert po.num_plurals == len(plural_forms(lang)), lang
        assert [plural_index(lang, n) for n in range(0, 30)] == [
            eval_plural(po.plural_expr, n) for n in range(0, 30)], lang
        for key, text in catalog.texts[lang].items():
            if isinstance(text, tuple):
                assert len(text) == len(plural_forms(lang)) and all(text), (lang, key)


def eval_plural(expr: str, n: int) -> int:
    """A gettext ``plural=`` expression, evaluated as gettext does."""
    return gettext.c2py(expr)(n)


def test_no_text_writes_a_plural_in_parentheses() -> None:
    """« 3 information(s) », « agency(ies) », « siège(s) vide(s) »: plurals are chosen, not
    hedged."""
    hedged = re.compile(r"\w\((?:s|es|ies|x|e|e?s)\)|·e·s")
    catalog = Catalog.load()
    for lang in LANGUAGES:
        for key, text in catalog.texts[lang].items():
            for form in text if isinstance(text, tuple) else (text,):
                assert not hedged.search(form), (lang, key, form)


def test_english_never_shows_the_french_numero() -> None:
    catalog = Catalog.load()
    for key, text in catalog.texts["en"].items():
        for form in text if isinstance(text, tuple) else (text,):
            assert "n°" not in form and "N°" not in form, key
    for folder in ("bot", "handlers"):
        for path in (REPO / folder).rglob("*.py"):
            assert not re.search(r"""f["'][^"']*n° \{""", path.read_text()), path


def test_lists_read_as_the_language_writes_them() -> None:
    catalog = Catalog.load()
    assert catalog.join("fr", ["OIM", "PNUD", "HCR"]) == "OIM, PNUD et HCR"
    assert catalog.join("en", ["IOM", "UNDP", "UNHCR"]) == "IOM, UNDP, and UNHCR"
    assert catalog.join("fr", ["OIM", "PNUD"]) == "OIM et PNUD"
    assert catalog.join("en", ["IOM"]) == "IOM"
    assert catalog.join("fr", []) == ""


def test_french_elides_before_an_agency_name(network) -> None:
    """« de l'OIM », « du PNUD », « de l'UNICEF », « d'ONU Femmes », « de la FAO »."""
    catalog = Catalog.load()

    def of(code: str) -> str:
        agency = network.agency(code)
        assert agency is not None
        return catalog.t("fr", "join.approved", number=1, name="Awa",
                         agency=agency.acronym("fr"))

    assert of("IOM").endswith("point focal de l'OIM.")
    assert of("UNDP").endswith("point focal du PNUD.")
    assert of("UNICEF").endswith("point focal de l'UNICEF.")
    assert of("UNODC").endswith("point focal de l'ONUDC.")
    assert of("UNHCR").endswith("point focal du HCR.")
    assert of("FAO").endswith("point focal de la FAO.")
    assert of("UNWOMEN").endswith("point focal d'ONU Femmes.")
    assert catalog.t("en", "join.approved", number=1, name="Awa",
                     agency=network.agency("IOM").acronym("en")).endswith("focal point of IOM.")
    # A name with no article configured: « de » or « d' » from its first letter.
    assert ProperName("OCHA", "fr").of == "d'OCHA"
    assert ProperName("BCR", "fr").of == "de BCR"
    assert ProperName("OIM", "fr", "l'").the == "l'OIM"
    assert ProperName("PNUD", "fr", "le").the == "le PNUD"


def test_no_french_text_puts_de_before_a_bare_placeholder() -> None:
    """« de {agency} » gives « de OIM »: texts say ``{agency.of}``."""
    catalog = Catalog.load()
    for key, text in catalog.texts["fr"].items():
        for form in text if isinstance(text, tuple) else (text,):
            assert not re.search(r"\b(?:de|d'|pour) \{agenc(?:y|ies)\}", form), key


KEY = re.compile(r"^[a-z_]+(?:\.[a-z_0-9]+)+$")


def needed(catalog: Catalog, key: str) -> set[str]:
    """What a call must give: the placeholders of both languages, and ``count`` for a plural."""
    need: set[str] = set()
    for lang in LANGUAGES:
        text = catalog.texts[lang][key]
        need |= placeholders(text) | ({"count"} if isinstance(text, tuple) else set())
    return need


def literal_keys(call: ast.Call) -> list[str]:
    """The catalog key a call names: its first text argument, or both texts of a
    ``"a" if … else "b"``; none when the key is computed."""
    for arg in call.args:
        choices = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
        if all(isinstance(c, ast.Constant) and isinstance(c.value, str) for c in choices):
            keys = [c.value for c in choices]
            return keys if all(KEY.match(k) for k in keys) else []
    return []


def test_every_literal_call_names_a_key_and_gives_its_placeholders() -> None:
    """Static, so error paths no test reaches are checked too: ``t(…, "key", a=…)`` and
    ``UserError("key", a=…)`` in the code, ``t("key", a=…)`` in the page templates."""
    catalog = Catalog.load()
    problems, calls = [], 0
    for folder in ("bot", "handlers"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in ("t", "UserError"):
                    continue
                for key in literal_keys(node):
                    calls += 1
                    where = f"{path.relative_to(REPO)}:{node.lineno} {key}"
                    if not catalog.has(key):
                        problems.append(f"{where}: no such key")
                    elif all(k.arg is not None for k in node.keywords):  # no **params to guess
                        given = {k.arg for k in node.keywords}
                        given |= {g[:-3] for g in given if g.endswith(("_fr", "_en"))}
                        lacking = needed(catalog, key) - given
                        if lacking:
                            problems.append(f"{where}: lacks {sorted(lacking)}")
    for path in (REPO / "bot" / "web" / "templates").glob("*.html"):
        for match in re.finditer(r'\bt\("([a-z_.]+)"([^)]*)\)', path.read_text()):
            calls += 1
            key, given = match.group(1), set(re.findall(r"([a-z_]+)=", match.group(2)))
            if not catalog.has(key):
                problems.append(f"{path.name} {key}: no such key")
            elif needed(catalog, key) - given:
                problems.append(f"{path.name} {key}: lacks {sorted(needed(catalog, key) - given)}")
    assert calls > 300 and not problems, problems
