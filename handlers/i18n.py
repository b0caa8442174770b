"""Every sentence the bot says, in French and English, from gettext catalogs read with Babel.

Catalog ids are stable keys (``members.summary``); texts use ``{name}`` placeholders. French is the
network's default; a key missing in English falls back to French rather than failing a reply.

The words follow the language's grammar, in one place rather than at each call site:
- a text that depends on a number is a gettext plural entry (``msgid_plural``, one ``msgstr[i]``
  per form of the ``Plural-Forms`` header); ``t(lang, key, count=n)`` picks the form with the
  language's CLDR plural rule (French: 0 and 1 are singular; English: only 1);
- a text with several numbers names each one's words in its own plural entry ``<key>.<name>``:
  ``report.summary`` says ``{meetings}``, ``report.summary.meetings`` says « {count} réunion
  tenue » / « {count} réunions tenues », and ``t(lang, "report.summary", meetings=3, …)`` fills it;
- lists read « A, B et C » / « A, B, and C » (CLDR, ``babel.lists.format_list``);
- the first of the month is « 1er » in French;
- an agency's acronym knows its French article (``handlers.words.ProperName``): texts write
  ``{agency.of}`` (« de l'OIM », « du PNUD ») or ``{agency.the}`` (« l'OIM », « le PNUD »).

A missing key or placeholder is logged and degrades to the raw text in production; with
``Catalog.strict`` (set for the test suite, or ``RESEAU_CATALOG_STRICT=1``) it raises.
"""

from __future__ import annotations

import logging
import os
import re
import string
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import ClassVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import tokenize_pattern, untokenize_pattern
from babel.lists import format_list
from babel.messages.pofile import read_po

from handlers.settings import LANGUAGES
from handlers.words import ProperName

log = logging.getLogger(__name__)

# A catalog text: one string, or one string per plural form (gettext order).
Text = str | tuple[str, ...]

# CLDR plural categories in the order gettext numbers them (Babel's ``to_gettext`` uses it too).
PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")


class CatalogError(LookupError):
    """A text the code asked for does not exist or does not take the values given."""


@lru_cache(maxsize=8192)
def placeholders(text: Text) -> frozenset[str]:
    """The ``{names}`` a catalog text expects (``{agency.of}`` counts as ``agency``), to check
    both languages agree; for a plural entry, those of all its forms. (Remembered per text:
    every message the bot writes asks.)"""
    forms = text if isinstance(text, tuple) else (text,)
    return frozenset(re.split(r"[.\[]", name)[0] for form in forms
                     for _, name, _, _ in string.Formatter().parse(form) if name)


@cache
def plural_forms(lang: str) -> tuple[str, ...]:
    """The plural categories of ``lang``, in gettext order: ``("one", "many", "other")`` (fr)."""
    tags = Locale.parse(lang).plural_form.tags | {"other"}
    return tuple(tag for tag in PLURAL_ORDER if tag in tags)


def plural_index(lang: str, count: int) -> int:
    """Which ``msgstr[i]`` a number takes in ``lang`` (CLDR: French 0 and 1 singular)."""
    return plural_forms(lang).index(Locale.parse(lang).plural_form(abs(count)))


class Catalog:
    """The texts of both languages. ``catalog.t("fr", "members.summary", count=3)``."""

    strict: ClassVar[bool] = os.environ.get("RESEAU_CATALOG_STRICT") == "1"
    # In strict mode, every fault raised, so a test can fail even where a handler caught it.
    faults: ClassVar[list[str]] = []

    def __init__(self, texts: dict[str, dict[str, Text]], default: str = "fr") -> None:
        self.texts = texts
        self.default = default

    @classmethod
    @cache
    def load(cls) -> Catalog:
        texts: dict[str, dict[str, Text]] = {}
        for lang in LANGUAGES:
            source = resources.files("handlers").joinpath("locales", f"{lang}.po")
            with source.open("rb") as handle:
                po = read_po(handle, locale=lang)
            texts[lang] = {}
            for message in po:
                if not message.id:
                    continue
                if message.pluralizable:
                    key = str(message.id[0])
                    texts[lang][key] = tuple(str(s or "") for s in message.string)
                else:
                    texts[lang][str(message.id)] = str(message.string or "")
        return cls(texts)

    def _fault(self, message: str) -> None:
        log.error("%s", message)
        if self.strict:
            Catalog.faults.append(message)
            raise CatalogError(message)

    def _lookup(self, lang: str, key: str) -> tuple[str, Text] | None:
        """The text and the language it is in (French when English lacks it)."""
        for source in (lang, self.default):
            text = self.texts.get(source, {}).get(key)
            if text is not None:
                return source, text
        return None

    def t(self, lang: str, key: str, **params: object) -> str:
        found = self._lookup(lang, key)
        if found is None:
            self._fault(f"catalog key missing: {key}")
            return key
        text_lang, text = found
        if isinstance(text, tuple):
            text = self._plural(text_lang, key, text, params.get("count"))
        values = {name: as_name(v, text_lang) for name, v in params.items()}
        for name in placeholders(text):  # a number whose words have their own plural entry
            value = params.get(name)
            if isinstance(value, int) and isinstance(
                    self.texts.get(text_lang, {}).get(f"{key}.{name}"), tuple):
                values[name] = self.t(text_lang, f"{key}.{name}", count=value)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            self._fault(f"catalog key {key}: wrong placeholders {sorted(params)}")
            return text

    def _plural(self, lang: str, key: str, forms: tuple[str, ...], count: object) -> str:
        if not isinstance(count, int):
            self._fault(f"catalog key {key}: a plural text needs count=<number>")
            return forms[-1]
        index = plural_index(lang, count)
        form = forms[index] if index < len(forms) else ""
        if not form:
            self._fault(f"catalog key {key}: no plural form {index} in {lang}")
            return forms[-1]
        return form

    def has(self, key: str) -> bool:
        return all(key in self.texts[lang] for lang in LANGUAGES)

    def _format(self, lang: str, moment: datetime, pattern: str, tz: str) -> str:
        zone = ZoneInfo(tz)
        if lang == "fr" and moment.astimezone(zone).day == 1:
            pattern = first_of_month(pattern)
        return babel_format_datetime(moment, pattern, tzinfo=zone, locale=Locale.parse(lang))

    def datetime(self, lang: str, moment: datetime, tz: str) -> str:
        """« mardi 1er décembre 2026 à 10:00 » / « Tuesday 1 December 2026 at 10:00 »."""
        return self._format(lang, moment, self.t(lang, "format.datetime"), tz)

    def date(self, lang: str, moment: datetime, tz: str) -> str:
        return self._format(lang, moment, self.t(lang, "format.date"), tz)

    def time(self, lang: str, moment: datetime, tz: str) -> str:
        return babel_format_datetime(moment, "HH:mm", tzinfo=ZoneInfo(tz),
                                     locale=Locale.parse(lang))

    def zone(self, lang: str, moment: datetime, tz: str) -> str:
        """The zone as people read it: « GMT » for Bamako."""
        return babel_format_datetime(moment, "z", tzinfo=ZoneInfo(tz), locale=Locale.parse(lang))

    def join(self, lang: str, items: list[str]) -> str:
        """« A, B et C » / « A, B, and C »: the language's own list pattern (CLDR)."""
        return format_list(list(items), style="standard", locale=lang) if items else ""


def as_name(value: object, lang: str) -> object:
    """Text values become names that know their article, so ``{x.of}`` works for any of them."""
    if isinstance(value, ProperName):
        return value.in_language(lang)
    return ProperName(value, lang) if type(value) is str else value


def first_of_month(pattern: str) -> str:
    """The pattern with « 1er » for the day: French writes the first of the month as an ordinal
    (« mardi 1er décembre »), which CLDR patterns cannot say. Only for a day of the month ``d``."""
    tokens = []
    for token in tokenize_pattern(pattern):
        tokens.append(token)
        if token == ("field", ("d", 1)):
            tokens.append(("chars", "er"))
    return untokenize_pattern(tokens)
