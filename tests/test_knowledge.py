"""The knowledge platform over HTTP: filters, search, paging, permalinks, feeds, escaping, the
security headers, and who gets in (public page, or a member's 24-hour link and its cookie)."""

from __future__ import annotations

import csv
import dataclasses
import html as markup
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotApp
from bot.config.environment import Environment, read_environment
from bot.config.network import load_network
from bot.config.problems import ConfigError
from bot.runtime import web_application
from bot.web.routes import CSP
from handlers.knowledge import Filters, check_token, token_hash
from handlers.minting import reveal
from handlers.settings import Network
from handlers.types import Message, Recipient
from storage.store import Store
from tests.conftest import REPO, Clock, say, text_of
from tests.support.knowledge_seed import SEED, link_of, seed
from tests.support.spoken import Spoken

ATOM = "{http://www.w3.org/2005/Atom}"
def public(network: Network) -> Network:
    return dataclasses.replace(network, knowledge_access="public")


@pytest.fixture
async def open_site(store: Store, network: Network, clock: Clock) -> AsyncIterator[
        tuple[BotApp, TestClient]]:
    """A public knowledge page over a store seeded with ``SEED``."""
    app = BotApp(store, public(network), clock=clock)
    seed(app, clock)
    async with TestClient(TestServer(web_application(app, []))) as client:
        yield app, client


@pytest.fixture
async def members_site(app: BotApp, clock: Clock) -> AsyncIterator[tuple[BotApp, TestClient]]:
    """The default: a members-only page, same items."""
    seed(app, clock)
    async with TestClient(TestServer(web_application(app, []))) as client:
        yield app, client


async def page(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path, allow_redirects=False)
    body = await response.text()
    assert response.status == status, body[:500]
    return body


def shown(html: str) -> list[int]:
    """The item numbers a list page shows, in order."""
    return [int(n) for n in re.findall(r'<li class="item" id="n(\d+)">', html)]


# Showing and filtering.

async def test_the_page_lists_items_newest_first_with_every_objective_counted(open_site) -> None:
    _, client = open_site
    html = await page(client, "/savoirs")
    assert '<html lang="fr">' in html
    assert shown(html) == [6, 5, 4, 3, 2, 1]
    for number in range(1, 24):
        assert f'value="{number}"' in html  # all 23 objectives offered, with their counts
    assert '<option value="1">1. Données (1)</option>' in html
    assert '<option value="20">20. Envois de fonds (1)</option>' in html
    assert '<option value="2">2. Lutter contre les facteurs négatifs (0)</option>' in html
    assert '<a href="/savoirs?objectif=21">21. Retour digne et réintégration durable</a>' in html
    assert "6 informations" in html


@pytest.mark.parametrize(("query", "expected"), [
    ("objectif=20", [3]), ("objectif=7", [4]), ("type=news", [6, 4]),
    ("agence=UNICEF", [6, 4, 1]), ("annee=2025", [2, 1]),
    ("agence=UNICEF&annee=2026", [6, 4]), ("type=news&objectif=7", [4]),
    ("objectif=99&type=<b>&annee=abc&page=-3", [6, 5, 4, 3, 2, 1]),  # junk is ignored
])
async def test_filters_by_objective_type_agency_and_year(open_site, query: str,
                                                         expected: list[int]) -> None:
    _, client = open_site
    assert shown(await page(client, f"/savoirs?{query}")) == expected


async def test_facet_counts_follow_the_other_filters_and_a_chosen_one_can_be_removed(
        open_site) -> None:
    _, client = open_site
    html = await page(client, "/savoirs?agence=UNICEF")
    assert '<option value="7">7. Réduire la vulnérabilité (1)</option>' in html
    assert '<option value="21">21. Retour digne et réintégration durable (0)</option>' in html
    assert '<option value="UNDP">PNUD (1)</option>' in html  # what choosing PNUD instead gives
    assert 'href="/savoirs" aria-current="true">UNICEF' in html
    assert "Filtres actifs" in html and 'aria-label="retirer le filtre UNICEF"' in html


@pytest.mark.parametrize(("words", "expected"), [
    ("reintegration", [2]), ("RÉINTÉGRATION migrants", [2]), ("mali enfants", [4]),
    ("bailleurs janvier", [6]), ("reintegration enfants", []), ("unhcr.org", [3]),
])
async def test_search_ignores_accents_and_case_and_needs_every_word(
        open_site, words: str, expected: list[int], spoken: Spoken) -> None:
    _, client = open_site
    response = await client.get("/savoirs", params={"q": words})
    html = await response.text()
    assert shown(html) == expected
    assert f'value="{words}"' in html  # the box keeps what was typed
    if not expected:
        assert spoken.shown(markup.unescape(html), "knowledge.none")
    else:
        assert not spoken.has("knowledge.none")


async def test_paging_keeps_the_filters_and_stops_at_the_last_page(open_site, clock,
                                                                   spoken: Spoken) -> None:
    app, client = open_site
    for n in range(24):
        say(app, "sarah", f"share https://example.org/report/{n} Report {n} #1 #data")
    html = await page(client, "/savoirs?objectif=1")
    assert shown(html) == list(range(30, 10, -1))
    assert spoken.shown(html, "knowledge.range", first=1, last=20, total=25)
    assert spoken.shown(html, "knowledge.page_of", page=1, pages=2)
    assert '<a rel="next" href="/savoirs?objectif=1&amp;page=2">' in html
    second = await page(client, "/savoirs?objectif=1&page=2")
    assert shown(second) == [10, 9, 8, 7, 1]
    assert '<a rel="prev" href="/savoirs?objectif=1">' in second
    assert shown(await page(client, "/savoirs?objectif=1&page=99")) == [10, 9, 8, 7, 1]


async def test_the_permalink_shows_one_item_in_both_languages(open_site) -> None:
    _, client = open_site
    html = await page(client, "/savoirs/3")
    assert "<h1>Remittances and diaspora</h1>" in html
    assert "19. Contributions des migrants et diaspora" in html
    assert "Haut-Commissariat des Nations Unies pour les réfugiés (HCR)" in html
    assert "jeudi 15 janvier 2026" in html
    english = await page(client, "/knowledge/3")
    assert '<html lang="en">' in english and "19. Migrant and diaspora contributions" in english
    assert "Thursday 15 January 2026" in english
    assert "Il n'y a pas d'information n° 99" in (await page(client, "/savoirs/99", 404)).replace(
        "&#39;", "'")
    assert "There is no item no. 99" in await page(client, "/knowledge/99", 404)


async def test_the_english_page_speaks_english_and_keeps_the_filters(open_site) -> None:
    _, client = open_site
    html = await page(client, "/knowledge?objective=20&type=document")
    assert '<html lang="en">' in html and shown(html) == [3]
    assert "Network knowledge" in html and "20. Remittances" in html
    assert "Envois de fonds" not in html
    assert '<a href="/savoirs?objectif=20&amp;type=document" lang="fr"' in html


async def test_user_text_is_escaped_and_only_web_links_exist(open_site) -> None:
    app, client = open_site
    html = await page(client, "/savoirs")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Atelier traite" in html
    # Sharing refuses a javascript: link, so none can ever reach the page.
    for trap in ("javascript:alert(1)//https://x.org", "javascript://alert(1)",
                 "JavaScript://%0aalert(1)", "data://text/html,x"):
        refused = text_of(say(app, "awa", f"partager {trap} Piège"))
        assert refused == app.ctx.t("fr", "info.bad_link", link=trap), trap
    assert len(app.store.items.newest_first()) == len(SEED)
    # Without "://" it is no link at all: a text item, shown as text.
    say(app, "awa", "partager javascript:alert(1) en texte")
    html = await page(client, "/savoirs")
    assert 'href="javascript' not in html.lower()
    assert "<h3><a href=\"/savoirs/7\">javascript:alert(1) en texte</a></h3>" in html
    for tag in re.findall(r"<a [^>]*>", html):
        target = re.search(r'href="([^"]*)"', tag).group(1)
        assert target.startswith(("/", "#", "https://", "http://")), tag
        if target.startswith("http"):
            assert 'rel="noopener noreferrer"' in tag


@pytest.fixture(params=["public", "members"])
async def either_site(request, store: Store, network: Network,
                      clock: Clock) -> AsyncIterator[tuple[str, TestClient]]:
    access = request.param
    app = BotApp(store, dataclasses.replace(network, knowledge_access=access), clock=clock)
    seed(app, clock)
    async with TestClient(TestServer(web_application(app, []))) as client:
        yield access, client


async def test_every_answer_carries_the_security_headers(either_site) -> None:
    access, client = either_site
    for path in ("/savoirs", "/knowledge", "/savoirs/1", "/savoirs/99", "/savoirs.atom",
                 "/savoirs.csv", "/savoirs.css", "/savoirs?jeton=nope"):
        response = await client.get(path, allow_redirects=False)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert CSP == ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
                   "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    if access == "members":
        return
    html = await page(client, "/savoirs")
    assert "style=" not in html and "<style" not in html and "<script" not in html
    css = await client.get("/savoirs.css")
    assert css.content_type == "text/css" and "#009edb" in (await css.text())


# Feeds.

async def test_the_atom_feed_parses_and_lists_the_latest_items(open_site) -> None:
    _, client = open_site
    response = await client.get("/savoirs.atom")
    assert response.content_type == "application/atom+xml"
    feed = ET.fromstring(await response.read())
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][:2] == [
        "Réunion des bailleurs reportée à janvier", "<script>alert(1)</script> Atelier traite"]
    assert len(entries) == len(SEED)
    third = entries[3]
    assert third.find(f"{ATOM}link[@rel='alternate']").get("href").endswith("/savoirs/3")
    assert third.find(f"{ATOM}link[@rel='related']").get("href") == "https://unhcr.org/mali/remit"
    assert {c.get("label") for c in third.findall(f"{ATOM}category")} == {
        "Envois de fonds", "Contributions des migrants et diaspora"}
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(SEED)
    english = ET.fromstring(await (await client.get("/knowledge.atom?objective=20")).read())
    [entry] = english.findall(f"{ATOM}entry")
    assert {c.get("label") for c in entry.findall(f"{ATOM}category")} == {
        "Remittances", "Migrant and diaspora contributions"}


async def test_the_csv_parses_and_formulas_stay_text(open_site) -> None:
    app, client = open_site
    say(app, "awa", "partager https://example.org/f =HYPERLINK(1) #1")
    say(app, "awa", "partager https://example.org/g -2+3 #1")
    say(app, "awa", "partager https://example.org/h @SUM(A1) #1")
    say(app, "awa", "partager https://example.org/i +33 #1")
    response = await client.get("/savoirs.csv")
    assert response.content_type == "text/csv"
    assert 'filename="savoirs.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await response.text("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["n°", "date", "titre", "lien"]
    titles = {row[0]: row[2] for row in rows[1:]}
    assert titles["7"] == "'=HYPERLINK(1)" and titles["8"] == "'-2+3"
    assert titles["9"] == "'@SUM(A1)" and titles["10"] == "'+33"
    assert titles["5"] == "<script>alert(1)</script> Atelier traite"
    assert rows[-2][5:8] == ["21", "21. Retour digne et réintégration durable", "Étude"]
    filtered = list(csv.reader(io.StringIO(await (await client.get(
        "/knowledge.csv?year=2025")).text("utf-8-sig"))))
    assert filtered[0][0] == "no." and [r[0] for r in filtered[1:]] == ["2", "1"]


# Access.

async def test_members_only_by_default_refuses_strangers_in_their_language(
        members_site, spoken: Spoken) -> None:
    _, client = members_site
    for path in ("/savoirs", "/savoirs/1", "/savoirs.atom", "/savoirs.csv"):
        spoken.clear()
        html = markup.unescape(await page(client, path, 403))
        assert spoken.shown(html, "knowledge.forbidden_title", "fr")
        assert spoken.shown(html, "knowledge.forbidden_how", "fr",
                            command=spoken.text("cmd.knowledge_link.name", "fr"))
        assert "Suivi des flux" not in html
    english = markup.unescape(await page(client, "/knowledge", 403))
    assert '<html lang="en">' in english
    assert spoken.shown(english, "knowledge.forbidden_how", "en",
                        command=spoken.text("cmd.knowledge_link.name", "en"))


async def test_the_chat_link_signs_in_with_a_cookie_and_a_clean_address(
        members_site, clock, spoken: Spoken) -> None:
    app, client = members_site
    reply = text_of(say(app, "awa", "lien savoirs"))
    assert spoken.has("knowledge.link", "fr", hours=24)
    link = link_of(reply)
    assert link.startswith("http://127.0.0.1:3000/savoirs?jeton=")
    token = link.split("jeton=")[1]
    [stored] = app.store.web_tokens.all()
    assert stored.id == token_hash(token) and stored.member_id == "awa"
    journal = [p.read_text() for p in (app.store.data_dir / "journal").iterdir()]
    app.store.compact()
    stored_file = (app.store.data_dir / "web_tokens.json").read_text()
    assert '"member_id":"awa"' in stored_file and token_hash(token) in "".join(journal)
    assert not any(token in text for text in [*journal, stored_file])
    assert stored.expires_at == "2026-11-29T17:00:00.000000+00:00"

    parts = urlsplit(link)
    response = await client.get(f"{parts.path}?{parts.query}&objectif=1", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/savoirs?objectif=1"
    cookie = SimpleCookie(response.headers["Set-Cookie"])["savoirs"]
    assert cookie.value == token and cookie["httponly"] and cookie["path"] == "/"
    assert cookie["samesite"] == "Lax" and cookie["max-age"] == "86400"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert shown(await page(client, "/savoirs?objectif=1")) == [1]
    assert shown(await page(client, "/knowledge")) == [6, 5, 4, 3, 2, 1]

    english = text_of(say(app, "sarah", "knowledge link"))
    assert "http://127.0.0.1:3000/knowledge?jeton=" in english
    assert spoken.has("knowledge.link", "en", hours=24)


async def test_an_expired_unknown_or_orphaned_link_is_refused(members_site, clock,
                                                              spoken: Spoken) -> None:
    app, client = members_site
    path = urlsplit(link_of(text_of(say(app, "awa", "lien savoirs"))))
    await page(client, f"{path.path}?{path.query}", 303)
    await page(client, "/savoirs")
    clock.now += timedelta(hours=24, seconds=1)
    spoken.clear()
    refused = markup.unescape(await page(client, "/savoirs", 403))
    assert spoken.shown(refused, "knowledge.forbidden_title")
    assert not spoken.has("knowledge.forbidden_expired")
    expired = markup.unescape(await page(client, f"{path.path}?{path.query}", 403))
    assert spoken.shown(expired, "knowledge.forbidden_expired")
    spoken.clear()
    unknown = markup.unescape(await page(client, "/savoirs?jeton=" + "x" * 43, 403))
    assert spoken.shown(unknown, "knowledge.forbidden_expired")
    client.session.cookie_jar.clear()
    fresh = urlsplit(link_of(text_of(say(app, "ibrahim", "lien savoirs"))))
    await page(client, f"{fresh.path}?{fresh.query}", 303)
    await page(client, "/savoirs")
    ibrahim = app.store.members.get("ibrahim")
    ibrahim.active = False
    app.store.members.save(ibrahim)
    await page(client, "/savoirs", 403)


async def test_unknown_people_get_no_link_and_a_group_chat_gets_no_token(
        members_site, spoken: Spoken) -> None:
    app, _ = members_site
    assert "jeton" not in text_of(say(app, "telegram:555", "lien savoirs"))
    reply = text_of(say(app, "awa", "lien savoirs", private=False, chat_id="-100"))
    assert "jeton" not in reply and spoken.shown(reply, "knowledge.link_sent_privately")
    [row] = [r for r in app.store.outbox.all()
             if Recipient.from_dict(r.recipient) == Recipient("identity", "console:awa")]
    queued = Message.from_dict(row.message)
    assert "/savoirs?jeton=" in queued.plain_text() and queued.secret is not None
    assert app.store.web_tokens.all() == []  # minted only when the message is delivered
    delivered = reveal(app.ctx, queued)
    assert delivered is not None and check_token(app.ctx, link_of(
        delivered.plain_text()).split("jeton=")[1]).id == "awa"


async def test_a_public_page_needs_no_link(open_site) -> None:
    app, client = open_site
    assert shown(await page(client, "/savoirs")) == [6, 5, 4, 3, 2, 1]
    assert text_of(say(app, "awa", "lien savoirs")) == app.catalog.t(
        "fr", "knowledge.link_public", url="http://127.0.0.1:3000/savoirs")
    assert app.store.web_tokens.all() == []
    response = await client.get("/savoirs?jeton=whatever", allow_redirects=False)
    assert response.status == 303 and "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-cache"


async def test_the_link_uses_the_public_url_and_https_cookies_are_secure(app: BotApp) -> None:
    env = read_environment({"RESEAU_PUBLIC_URL": "https://savoirs.example.org/"})
    assert env.base_url == "https://savoirs.example.org" and not env.problems
    async with TestClient(TestServer(web_application(app, [], env))) as client:
        link = link_of(text_of(say(app, "awa", "lien savoirs")))
        assert link.startswith("https://savoirs.example.org/savoirs?jeton=")
        parts = urlsplit(link)
        response = await client.get(f"{parts.path}?{parts.query}", allow_redirects=False)
        assert SimpleCookie(response.headers["Set-Cookie"])["savoirs"]["secure"]
    bad = read_environment({"RESEAU_PUBLIC_URL": "javascript:alert(1)"})
    assert [p.key for p in bad.problems] == ["RESEAU_PUBLIC_URL"] and bad.public_url == ""
    assert Environment(host="10.0.0.5", port=8080).base_url == "http://10.0.0.5:8080"


def test_without_a_web_server_the_chat_says_so(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say(app, "awa", "lien savoirs"), "knowledge.not_served")
    assert not spoken.has("knowledge.link")


def test_the_access_setting_is_read_and_checked(tmp_path) -> None:
    assert load_network().knowledge_access == "members"
    config = tmp_path / "reseau.toml"
    config.write_text('[knowledge]\naccess = "public"\n')
    assert load_network(config).knowledge_access == "public"
    config.write_text('[knowledge]\naccess = "everyone"\nsecret = 1\n')
    with pytest.raises(ConfigError) as error:
        load_network(config)
    assert {p.key for p in error.value.problems} == {"knowledge.access",
                                                      "knowledge.secret"}
    assert all(p.line for p in error.value.problems)


def test_filters_from_an_address_bar_never_fail(network: Network) -> None:
    names = {k: k for k in ("objective", "type", "agency", "year", "q", "page")}
    parsed = Filters.parse({"objective": "²", "type": "x", "agency": "nope", "year": "9" * 50,
                            "q": "  a   b " + "c" * 500, "page": "0"}, names, network)
    assert parsed == Filters(q=("a b " + "c" * 500)[:200])
    assert Filters.parse({"agency": "UNICEF", "year": "2026", "page": "3"}, names,
                         network).params(names, type="data") == {
        "type": "data", "agency": "UNICEF", "year": "2026"}


def test_every_text_the_pages_use_is_in_both_catalogs(app: BotApp) -> None:
    used: set[str] = set()
    for path in [*(REPO / "bot" / "web").rglob("*.py"), *(REPO / "bot" / "web").rglob("*.html"),
                 REPO / "handlers" / "knowledge.py"]:
        used |= set(re.findall(r"""["'](knowledge\.[a-z_.]+)["']""", path.read_text()))
    used |= {f"knowledge.csv.{key}" for key in ("number", "date", "title", "link", "text",
                                                "objectives", "objective_labels", "type",
                                                "agency", "permalink")}
    assert len(used) > 40
    assert sorted(k for k in used if not app.catalog.has(k)) == []
