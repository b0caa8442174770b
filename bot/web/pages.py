"""What the knowledge pages show, ready for the templates: items, facets, pager, links.

Templates only print what is built here; Jinja2's autoescape escapes every value, so a title
like ``<script>`` is text on the page, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from handlers.context import Context
from handlers.info import objective_label
from handlers.knowledge import Filters, Selection
from handlers.settings import fold
from handlers.web_paths import KNOWLEDGE_PATHS, STYLESHEET_PATH
from storage.models import InfoItem

# Query parameter names in each page's language (the field names are the neutral ones).
PARAMS: dict[str, dict[str, str]] = {
    "fr": {"objective": "objectif", "type": "type", "agency": "agence", "year": "annee",
           "q": "q", "page": "page"},
    "en": {"objective": "objective", "type": "type", "agency": "agency", "year": "year",
           "q": "q", "page": "page"},
}


@cache
def templates() -> Environment:
    """One Jinja2 environment: autoescape on for everything, undefined names are errors."""
    return Environment(loader=PackageLoader("bot.web", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def safe_link(url: str | None) -> str | None:
    """Only http and https links are ever rendered (sharing accepts nothing else either)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def href(path: str, params: Mapping[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Facet:
    """One value of a filter: its label, how many items it gives, the link that chooses it
    (or, once chosen, the link that removes it)."""

    value: str
    label: str
    count: int
    href: str
    selected: bool


@dataclass(frozen=True)
class ItemView:
    number: int
    title: str
    url: str | None
    text: str
    date: str
    date_iso: str
    type_label: str
    type_href: str
    agency: str
    agency_name: str
    agency_href: str
    objectives: list[Facet]
    permalink: str


class Page:
    """Builds the pieces of one language's pages from the bot's context."""

    def __init__(self, ctx: Context, lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self.path = KNOWLEDGE_PATHS[lang]
        self.names = PARAMS[lang]
        self.other = "en" if lang == "fr" else "fr"

    def t(self, key: str, **params: object) -> str:
        return self.ctx.t(self.lang, key, **params)

    def objective(self, number: int) -> str:
        return objective_label(self.ctx, self.lang, number)

    def type_label(self, kind: str) -> str:
        return capital(self.t(f"info.type.{kind}"))

    def agency(self, code: str) -> tuple[str, str]:
        """Acronym and full name in the page's language (the code if the agency is gone)."""
        agency = self.ctx.network.agency(code)
        return (agency.acronym(self.lang), agency.name(self.lang)) if agency else (code, code)

    def link(self, filters: Filters, **changes: object) -> str:
        return href(self.path, filters.params(self.names, **changes))

    def item(self, item: InfoItem) -> ItemView:
        moment = datetime.fromisoformat(item.at)
        local = moment.astimezone(ZoneInfo(self.ctx.network.timezone))
        acronym, name = self.agency(item.agency)
        empty = Filters()
        return ItemView(
            number=item.id, title=item.title or item.url or self.t("knowledge.number",
                                                                    number=item.id),
            url=safe_link(item.url), text="" if item.text == item.title else item.text,
            date=self.ctx.catalog.date(self.lang, moment, self.ctx.network.timezone),
            date_iso=local.date().isoformat(), type_label=self.type_label(item.type),
            type_href=self.link(empty, type=item.type), agency=acronym, agency_name=name,
            agency_href=self.link(empty, agency=item.agency),
            objectives=[Facet(str(n), f"{n}. {self.objective(n)}", 0,
                              self.link(empty, objective=n), False)
                        for n in item.objectives],
            permalink=f"{self.path}/{item.id}")

    def facets(self, filters: Filters, selection: Selection) -> dict[str, list[Facet]]:
        """The four filters, each value with its count; a chosen value links to its removal."""

        def facet(field: str, value: object, label: str, count: int) -> Facet:
            chosen = getattr(filters, field) == value
            return Facet(str(value), label, count,
                         self.link(filters, **{field: None if chosen else value}), chosen)

        # A chosen agency or year stays listed even when nothing else matches with it.
        counted = dict(selection.agencies)
        if filters.agency is not None:
            counted.setdefault(filters.agency, 0)
        years = dict(selection.years)
        if filters.year is not None:
            years.setdefault(filters.year, 0)
        agencies = sorted(counted.items(), key=lambda kv: fold(self.agency(kv[0])[0]))
        return {
            "objective": [facet("objective", n, f"{n}. {self.objective(n)}", count)
                          for n, count in selection.objectives.items()],
            "type": [facet("type", kind, self.type_label(kind), count)
                     for kind, count in selection.types.items()],
            "agency": [facet("agency", code, self.agency(code)[0], count)
                       for code, count in agencies],
            "year": [facet("year", year, str(year), count)
                     for year, count in sorted(years.items(), reverse=True)],
        }

    def chosen(self, filters: Filters) -> list[Facet]:
        """The active filters, each with the link that removes it."""
        found = []
        if filters.objective is not None:
            found.append(("objective", f"{filters.objective}. {self.objective(filters.objective)}"))
        if filters.type is not None:
            found.append(("type", self.type_label(filters.type)))
        if filters.agency is not None:
            found.append(("agency", self.agency(filters.agency)[0]))
        if filters.year is not None:
            found.append(("year", str(filters.year)))
        if filters.q:
            found.append(("q", self.t("knowledge.searching", words=filters.q)))
        return [Facet(field, label, 0, self.link(filters, **{field: "" if field == "q" else None}),
                      True) for field, label in found]

    def common(self, other_href: str) -> dict[str, object]:
        """What every page's frame needs."""
        return {"lang": self.lang, "t": self.t, "path": self.path, "css": STYLESHEET_PATH,
                "network_name": self.ctx.network.name(self.lang), "other_lang": self.other,
                "other_href": other_href}


def render(name: str, **context: object) -> str:
    return templates().get_template(name).render(**context)

