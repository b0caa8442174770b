"""Every sentence the bot says, in French and English, from gettext catalogs read with Babel.

Catalog ids are stable keys (``members.summary``); texts use ``{name}`` placeholders. French is the
network's default; a key missing in English falls back to French rather than failing a reply.

A missing key or placeholder is logged and degrades to the raw text in production; with
``Catalog.strict`` (set for the test suite, or ``RESEAU_CATALOG_STRICT=1``) it raises.
"""

from __future__ import annotations

import logging
import os
import string
from datetime import datetime
from functools import cache
from importlib import resources
from typing import ClassVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.pofile import read_po

from handlers.settings import LANGUAGES

log = logging.getLogger(__name__)


class CatalogError(LookupError):
    """A text the code asked for does not exist or does not take the values given."""


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a catalog text expects, to check both languages agree."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalog:
    """The texts of both languages. ``catalog.t("fr", "members.summary", count=3)``."""

    strict: ClassVar[bool] = os.environ.get("RESEAU_CATALOG_STRICT") == "1"
    # In strict mode, every fault raised, so a test can fail even where a handler caught it.
    faults: ClassVar[list[str]] = []

    def __init__(self, texts: dict[str, dict[str, str]], default: str = "fr") -> None:
        self.texts = texts
        self.default = default

    @classmethod
    @cache
    def load(cls) -> Catalog:
        texts: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            source = resources.files("handlers").joinpath("locales", f"{lang}.po")
            with source.open("rb") as handle:
                po = read_po(handle, locale=lang)
            texts[lang] = {str(m.id): str(m.string or "") for m in po if m.id}
        return cls(texts)

    def _fault(self, message: str) -> None:
        log.error("%s", message)
        if self.strict:
            Catalog.faults.append(message)
            raise CatalogError(message)

    def t(self, lang: str, key: str, **params: object) -> str:
        text = self.texts.get(lang, {}).get(key)
        if text is None:
            text = self.texts[self.default].get(key)
        if text is None:
            self._fault(f"catalog key missing: {key}")
            return key
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError, AttributeError):
            self._fault(f"catalog key {key}: wrong placeholders {sorted(params)}")
            return text

    def has(self, key: str) -> bool:
        return all(key in self.texts[lang] for lang in LANGUAGES)

    def datetime(self, lang: str, moment: datetime, tz: str) -> str:
        """« mardi 1 décembre 2026 à 10:00 » / « Tuesday 1 December 2026 at 10:00 »."""
        return babel_format_datetime(moment, self.t(lang, "format.datetime"),
                                     tzinfo=ZoneInfo(tz), locale=Locale.parse(lang))

    def date(self, lang: str, moment: datetime, tz: str) -> str:
        return babel_format_datetime(moment, self.t(lang, "format.date"),
                                     tzinfo=ZoneInfo(tz), locale=Locale.parse(lang))

    def time(self, lang: str, moment: datetime, tz: str) -> str:
        return babel_format_datetime(moment, "HH:mm", tzinfo=ZoneInfo(tz),
                                     locale=Locale.parse(lang))

    def zone(self, lang: str, moment: datetime, tz: str) -> str:
        """The zone as people read it: « GMT » for Bamako."""
        return babel_format_datetime(moment, "z", tzinfo=ZoneInfo(tz), locale=Locale.parse(lang))

    def join(self, lang: str, items: list[str]) -> str:
        """« A, B et C » / « A, B and C »."""
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self.t(lang, "word.and") + items[-1]
