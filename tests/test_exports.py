"""Exports that open right: CSV files for French (and English) Excel, Atom feeds that each have
their own id, per feed and per deployment."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from bot.app import BotApp
from bot.config.network import load_network
from bot.web import feeds
from bot.web.pages import Page
from handlers.knowledge import Filters
from storage.store import Store
from tests.conftest import Clock, say
from tests.support.previews import say_and_send

ATOM = "{http://www.w3.org/2005/Atom}"
BOM = b"\xef\xbb\xbf"


def closed_consultation(app: BotApp) -> None:
    say_and_send(app, "aminata",
                 "consultation ouvrir =Adopter le plan 2027 | vendredi 4 décembre 17h")
    say_and_send(app, "moussa", "consultation clore 1")


def rows_of(data: bytes, separator: str) -> list[list[str]]:
    assert data.startswith(BOM)  # how Excel knows the file is UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=separator))


def test_the_decision_register_opens_in_french_excel(app: BotApp) -> None:
    closed_consultation(app)
    [french] = say(app, "awa", "décisions csv").message.attachments
    assert french.media_type == "text/csv"
    header, row = rows_of(french.content, ";")
    assert header[:2] == [app.ctx.t("fr", "poll.csv.number"),
                          app.ctx.t("fr", "poll.csv.proposal")]
    assert row[1] == "'=Adopter le plan 2027"  # a formula stays text
    assert french.content.decode("utf-8-sig").splitlines()[0].count(";") == len(header) - 1

    [english] = say(app, "sarah", "decisions csv").message.attachments
    header, row = rows_of(english.content, ",")
    assert header[0] == app.ctx.t("en", "poll.csv.number") and row[0] == "1"


def test_the_knowledge_csv_opens_in_french_excel(app: BotApp) -> None:
    say(app, "awa", "partager https://x.org/r.pdf Rapport; migrations, retours #1")
    say(app, "awa", "partager https://x.org/s.pdf @SUM(A1) #2")
    items = app.store.items.newest_first()
    french = feeds.table(Page(app.ctx, "fr"), items, "https://reseau.example")
    header, *rows = rows_of(french, ";")
    assert header[:3] == [app.ctx.t("fr", "knowledge.csv.number"),
                          app.ctx.t("fr", "knowledge.csv.date"),
                          app.ctx.t("fr", "knowledge.csv.title")]
    assert [r[2] for r in rows] == ["'@SUM(A1)", "Rapport; migrations, retours"]
    english = feeds.table(Page(app.ctx, "en"), items, "https://reseau.example")
    header, *rows = rows_of(english, ",")
    assert header[0] == app.ctx.t("en", "knowledge.csv.number") and len(rows) == 2


def feed_id(app: BotApp, lang: str, filters: Filters | None = None) -> str:
    body = feeds.atom(Page(app.ctx, lang), app.store.items.newest_first(),
                      filters or Filters(), "https://reseau.example", app.ctx.now())
    return ET.fromstring(body).findtext(f"{ATOM}id") or ""


def entry_ids(app: BotApp) -> list[str]:
    body = feeds.atom(Page(app.ctx, "fr"), app.store.items.newest_first(), Filters(),
                      "https://reseau.example", app.ctx.now())
    return [e.findtext(f"{ATOM}id") or "" for e in ET.fromstring(body).iter(f"{ATOM}entry")]


def test_each_atom_feed_has_its_own_id_per_feed_and_per_deployment(
        app: BotApp, tmp_path: Path, clock: Clock) -> None:
    say(app, "awa", "partager https://x.org/r.pdf Rapport #1")
    ids = {feed_id(app, "fr"), feed_id(app, "en"), feed_id(app, "fr", Filters(objective=1)),
           feed_id(app, "fr", Filters(objective=2)), feed_id(app, "fr", Filters(q="rapport"))}
    assert len(ids) == 5 and all(i.startswith("urn:uuid:") for i in ids)
    # Stable: the page asked for is not part of a feed, and a restart changes nothing.
    assert feed_id(app, "fr", Filters(page=3)) == feed_id(app, "fr")
    first, entries = feed_id(app, "fr"), entry_ids(app)
    data_dir = app.store.data_dir
    app.store.close()
    again = BotApp(Store.open(data_dir), load_network(), clock=clock)
    assert feed_id(again, "fr") == first and entry_ids(again) == entries

    # Another deployment (its own data dir) publishes other ids for the same item number.
    other = BotApp(Store.open(tmp_path / "other"), load_network(), clock=clock)
    say(other, "awa", "partager https://x.org/r.pdf Rapport #1")
    assert feed_id(other, "fr") != first and entry_ids(other) != entries
    again.store.close()
    other.store.close()
