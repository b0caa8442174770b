"""The knowledge page as an Atom feed and as a CSV table.

Both are built by libraries that quote for their format (xml.etree, csv): a title with ``<`` or
``"`` cannot break out of its element or cell. A spreadsheet still runs a cell that starts like a
formula, so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

from bot.web.pages import Page, safe_link
from storage.models import InfoItem
from storage.records import to_iso

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_SIZE = 50
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ET.register_namespace("", ATOM)


def item_id(item: InfoItem) -> str:
    """A feed entry's id that stays the same whatever host name the feed is read through."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'reseau-bot:item:{item.id}')}"


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def atom(page: Page, items: list[InfoItem], origin: str, now: datetime) -> bytes:
    """The latest ``FEED_SIZE`` items (the caller gives them newest first)."""
    latest = items[:FEED_SIZE]
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: page.lang})
    network = page.ctx.network.name(page.lang)
    _add(feed, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'reseau-bot:knowledge')}")
    _add(feed, "title", page.t("knowledge.feed_title", network=network))
    _add(feed, "updated", latest[0].at if latest else to_iso(now))
    _add(feed, "link", rel="alternate", type="text/html", href=origin + page.path)
    _add(feed, "link", rel="self", type="application/atom+xml",
         href=f"{origin}{page.path}.atom")
    author = _add(feed, "author")
    _add(author, "name", network)
    for item in latest:
        view = page.item(item)
        entry = _add(feed, "entry")
        _add(entry, "id", item_id(item))
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


def neutralise(cell: str) -> str:
    """``=HYPERLINK(…)`` in a title must stay text when the table is opened in a spreadsheet."""
    return "'" + cell if cell.startswith(FORMULA) else cell


def table(page: Page, items: list[InfoItem], origin: str) -> str:
    """Every item of the selection, one row each, headers in the page's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([page.t(f"knowledge.csv.{key}") for key in (
        "number", "date", "title", "link", "text", "objectives", "objective_labels", "type",
        "agency", "permalink")])
    for item in items:
        view = page.item(item)
        writer.writerow([neutralise(cell) for cell in (
            str(item.id), view.date_iso, item.title, item.url or "", item.text,
            " ".join(str(n) for n in item.objectives),
            "; ".join(f.label for f in view.objectives), view.type_label, view.agency,
            origin + view.permalink)])
    return out.getvalue()
