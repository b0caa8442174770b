"""The knowledge page as an Atom feed and as a CSV table.

Both are built by libraries that quote for their format (xml.etree, csv): a title with ``<`` or
``"`` cannot break out of its element or cell. The CSV opens right in a spreadsheet in the
reader's language (``handlers.spreadsheet``: BOM, separator, formulas kept as text).

Atom ids are universally unique and never change: each feed's (language and filters) and each
entry's are derived from this deployment's own random id (``storage.deployment``), so two
networks running the bot, or two filtered feeds of one, never share an id.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

from bot.web.pages import Page, href, safe_link
from handlers.knowledge import Filters
from handlers.spreadsheet import csv_bytes
from storage.models import InfoItem
from storage.records import to_iso

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_SIZE = 50
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FILTERS = ("objective", "type", "agency", "year", "q")  # what changes a feed's content
ET.register_namespace("", ATOM)


def feed_id(deployment: uuid.UUID, lang: str, filters: Filters) -> str:
    """One id per feed: this deployment's, in this language, with these filters (not the page,
    which a feed ignores; not the host name it is read through)."""
    chosen = "&".join(f"{name}={value}" for name in FILTERS
                      if (value := getattr(filters, name)) not in (None, ""))
    return f"urn:uuid:{uuid.uuid5(deployment, f'knowledge-feed:{lang}?{chosen}')}"


def item_id(deployment: uuid.UUID, item: InfoItem) -> str:
    """An entry's id: the same in every feed of this deployment that lists the item."""
    return f"urn:uuid:{uuid.uuid5(deployment, f'item:{item.id}')}"


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def atom(page: Page, items: list[InfoItem], filters: Filters, origin: str,
         now: datetime) -> bytes:
    """The latest ``FEED_SIZE`` items of the selection (the caller gives them newest first)."""
    latest = items[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: page.lang})
    network = page.ctx.network.name(page.lang)
    deployment = page.ctx.store.deployment.uid()
    _add(feed, "id", feed_id(deployment, page.lang, filters))
    _add(feed, "title", page.t("knowledge.feed_title", network=network))
    _add(feed, "updated", latest[0].at if latest else to_iso(now))
    chosen = {k: v for k, v in filters.params(page.names).items() if k != page.names["page"]}
    _add(feed, "link", rel="alternate", type="text/html", href=origin + href(page.path, chosen))
    _add(feed, "link", rel="self", type="application/atom+xml",
         href=origin + href(f"{page.path}.atom", chosen))
    author = _add(feed, "author")
    _add(author, "name", network)
    for item in latest:
        view = page.item(item)
        entry = _add(feed, "entry")
        _add(entry, "id", item_id(deployment, item))
        _add(entry, "title", view.title)
        _add(entry, "updated", item.at)
        _add(entry, "published", item.at)
        _add(entry, "link", rel="alternate", type="text/html", href=origin + view.permalink)
        link = safe_link(item.url)
        if link:
            _add(entry, "link", rel="related", href=link)
        entry_author = _add(entry, "author")
        _add(entry_author, "name", view.agency_name)
        for number in item.objectives:
            _add(entry, "category", term=str(number), label=page.objective(number))
        summary = [view.type_label, view.agency, *(f.label for f in view.objectives)]
        _add(entry, "summary", item.text or " · ".join(summary))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def table(page: Page, items: list[InfoItem], origin: str) -> bytes:
    """Every item of the selection, one row each, headers in the page's language."""
    header = [page.t(f"knowledge.csv.{key}") for key in (
        "number", "date", "title", "link", "text", "objectives", "objective_labels", "type",
        "agency", "permalink")]
    rows = []
    for item in items:
        view = page.item(item)
        rows.append([str(item.id), view.date_iso, item.title, item.url or "", item.text,
                     " ".join(str(n) for n in item.objectives),
                     "; ".join(f.label for f in view.objectives), view.type_label, view.agency,
                     origin + view.permalink])
    return csv_bytes(page.lang, header, rows)
