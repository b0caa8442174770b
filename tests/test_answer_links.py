"""One-tap answers by email, against real servers on loopback: the consultation email received
by aiosmtpd carries four signed links; the bot's own web server (aiohttp, 127.0.0.1) shows the
page and records the position through the same handlers as a click; forged, expired,
other-agency, closed and replayed links are refused and record nothing."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotApp
from bot.platforms.email.adapter import EmailPlatform
from bot.runtime import web_application
from handlers.consultations.lookup import CHOICES
from handlers.email_links.answers import PURPOSE, link_maker
from handlers.email_links.signing import verify
from handlers.settings import Network
from storage.models import FOCAL_POINT, Member
from storage.store import Store
from tests.conftest import Clock, click, say
from tests.support.followups import followed
from tests.support.previews import say_and_send
from tests.support.smtp_server import Mailbox, smtp_server
from tests.support.spoken import Spoken

ADDRESS = "fatou.diallo@unicef.org"
LINK = re.compile(r'href="(https?://[^"]+(/reponse/[^"]+))"')


@pytest.fixture
def mailbox() -> Iterator[tuple[str, Mailbox]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
async def client(app: BotApp, mailbox: tuple[str, Mailbox]) -> AsyncIterator[TestClient]:
    """The bot's web server on loopback, email to the loopback SMTP server, and Fatou, a UNICEF
    focal point reached by email only (her colleague Awa is on the console)."""
    app.add_adapter(EmailPlatform(mailbox[0], "Réseau <bot@reseau.example.org>",
                                  link_maker(app.ctx)))
    app.store.members.save(Member(id="fatou", name="Fatou Diallo", agency="UNICEF",
                                  roles=[FOCAL_POINT], identities=[f"email:{ADDRESS}"]))
    async with TestClient(TestServer(web_application(app, []))) as test_client:
        app.set_web_url(str(test_client.make_url("")))
        yield test_client


async def open_consultation(app: BotApp, mailbox: Mailbox) -> dict[str, str]:
    """Consultation 1, delivered; the paths of the links in Fatou's email, by position."""
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    await app.dispatcher.flush()
    return links_in(app, mailbox, -1)


def links_in(app: BotApp, mailbox: Mailbox, index: int) -> dict[str, str]:
    """The one-tap links of one received email (parsed back with the ``email`` package), by
    the position their signed token names."""
    mail = [r for r in mailbox.received if r.recipients == [ADDRESS]][index].mail
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    found: dict[str, str] = {}
    for url, path in LINK.findall(html):
        assert url.replace("&amp;", "&") in text  # the text part carries the same links
        fields = verify(app.store.signing_keys.key(), PURPOSE, path.rsplit("/", 1)[1])
        assert fields is not None
        found[fields["p"]] = path
    return found


def token_fields(path: str) -> dict[str, object]:
    payload = path.rsplit("/", 1)[1].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def forged(path: str, **changes: object) -> str:
    """The link with its payload changed and its signature kept."""
    fields = {**token_fields(path), **changes}
    payload = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":"),
                                                  sort_keys=True).encode()).rstrip(b"=")
    return f"/reponse/{payload.decode()}.{path.rsplit('.', 1)[1]}"


def position_of(app: BotApp, agency: str = "UNICEF") -> tuple[str, str, str] | None:
    current = app.store.positions.current(1).get(agency)
    return (current.member_id, current.choice, current.reason) if current else None


async def test_a_consultation_email_carries_four_signed_links(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox]) -> None:
    links = await open_consultation(app, mailbox[1])
    assert sorted(links) == sorted(CHOICES)
    for choice, path in links.items():
        assert token_fields(path) | {"t": 0} == {"i": f"email:{ADDRESS}", "a": "UNICEF",
                                                  "c": 1, "p": choice, "t": 0}
    # The outbox keeps no working link: they are made as the email leaves.
    stored = json.dumps([row.message for row in app.store.outbox.all()])
    assert "/reponse/" not in stored


async def test_a_reminder_email_carries_its_own_links(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], clock: Clock) -> None:
    first = await open_consultation(app, mailbox[1])
    clock.now = clock.now + timedelta(days=5)  # the day before the deadline
    await app.run_due_jobs()
    await app.dispatcher.flush()
    again = links_in(app, mailbox[1], -1)
    assert len(mailbox[1].received) >= 2 and sorted(again) == sorted(CHOICES)
    assert again["agree"] != first["agree"]


async def test_a_link_shows_the_choice_then_records_it_as_a_click_would(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    page = await client.get(links["agree"])
    assert page.status == 200 and "<form" in await page.text()
    assert spoken.has("link.answer.submit") and position_of(app) is None  # GET records nothing

    done = await client.post(links["agree"], data={"send": "1"})
    assert done.status == 200 and spoken.has("link.answer.recorded_title")
    assert spoken.has("poll.recorded", number=1)
    assert position_of(app) == ("fatou", "agree", "")
    [used] = app.store.answer_links.all()
    assert (used.member_id, used.choice, used.consultation_id) == ("fatou", "agree", 1)
    assert app.store.consultations.get(1).delivery.get("UNICEF") == "reached"


async def test_a_change_of_a_colleagues_position_asks_then_tells_the_colleague(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    say(app, "awa", "position 1 accord")
    [awas] = app.store.positions.history(1)

    asked = await client.post(links["abstain"], data={"send": "1"})
    assert asked.status == 200 and spoken.has("override.question")
    assert 'name="decision" value="confirm"' in await asked.text()
    assert position_of(app) == ("awa", "agree", "")  # nothing yet

    done = await client.post(links["abstain"],
                             data={"decision": "confirm", "question": f"1.{awas.id}"})
    assert done.status == 200 and spoken.has("link.answer.recorded_title")
    current = app.store.positions.current(1)["UNICEF"]
    assert (current.member_id, current.choice) == ("fatou", "abstain")
    assert followed(app) == 2  # Awa's position told, then this change
    assert any(r.key == f"poll:1:changed:{current.id}:awa" for r in app.store.outbox.all())


async def test_an_objection_without_its_reason_is_refused_on_the_page(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    page = await client.get(links["objection"])
    assert "required" in await page.text()
    for empty in ("", "   ", "-"):
        refused = await client.post(links["objection"], data={"send": "1", "raison": empty})
        assert refused.status == 400 and spoken.has("link.answer.reason_required")
    assert position_of(app) is None and app.store.answer_links.all() == []

    done = await client.post(links["objection"],
                             data={"send": "1", "raison": "Le budget <b>n'est pas</b> chiffré"})
    assert done.status == 200
    assert position_of(app) == ("fatou", "objection", "Le budget <b>n'est pas</b> chiffré")
    reservations = await client.post(links["reservations"], data={"send": "1", "raison": ""})
    assert reservations.status == 200 and position_of(app) == ("fatou", "reservations", "")


async def test_a_replayed_link_records_nothing_new(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    await client.post(links["agree"], data={"send": "1"})
    [fatous] = app.store.positions.history(1)
    say(app, "awa", "position 1 réserves")  # a colleague changes it meanwhile
    click(app, "awa", "override.confirm", f"1.{fatous.id}")
    history = app.store.positions.history(1)
    spoken.clear()
    for again in (client.post(links["agree"], data={"send": "1"}), client.get(links["agree"])):
        replay = await again
        assert replay.status == 200 and spoken.has("link.answer.already")
    assert app.store.positions.history(1) == history
    assert position_of(app) == ("awa", "reservations", "")


@pytest.mark.parametrize("why", ["signature", "agency", "consultation", "choice", "garbage"])
async def test_a_forged_link_is_refused(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken,
        why: str) -> None:
    links = await open_consultation(app, mailbox[1])
    path = links["agree"]
    bad = {"signature": path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"),
           "agency": forged(path, a="UNHCR"), "consultation": forged(path, c=2),
           "choice": forged(links["objection"], p="agree"),
           "garbage": "/reponse/abc.def"}[why]
    for request in (client.get(bad), client.post(bad, data={"send": "1"})):
        response = await request
        assert response.status == 403 and spoken.has("link.answer.forged")
    assert position_of(app) is None and app.store.answer_links.all() == []


async def test_a_link_past_the_deadline_is_refused(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken,
        clock: Clock) -> None:
    links = await open_consultation(app, mailbox[1])
    page = await client.get(links["agree"])  # opened before the deadline, sent after
    assert page.status == 200
    clock.now = clock.now + timedelta(days=7)
    response = await client.post(links["agree"], data={"send": "1"})
    assert response.status == 410 and spoken.has("link.answer.expired")
    assert position_of(app) is None


async def test_a_link_of_a_closed_consultation_is_refused(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    say_and_send(app, "aminata", "consultation clore 1")
    assert app.store.consultations.get(1).status == "closed"
    response = await client.post(links["agree"], data={"send": "1"})
    assert response.status == 410 and spoken.has("link.answer.closed")
    assert position_of(app) is None


async def test_a_link_used_once_its_person_is_in_another_agency_is_refused(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    fatou = app.store.members.get("fatou")
    fatou.agency = "UNHCR"
    app.store.members.save(fatou)
    response = await client.post(links["agree"], data={"send": "1"})
    assert response.status == 403 and spoken.has("link.answer.agency")
    assert app.store.positions.history(1) == []


async def test_a_link_of_someone_no_longer_a_focal_point_is_refused(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    links = await open_consultation(app, mailbox[1])
    say(app, "mariam", f"membre retirer email:{ADDRESS}")
    response = await client.post(links["agree"], data={"send": "1"})
    assert response.status == 403 and spoken.has("link.answer.person")
    assert app.store.positions.history(1) == []


async def test_the_page_escapes_what_people_wrote(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox]) -> None:
    say_and_send(app, "aminata",
                 'consultation ouvrir <script>alert("x")</script> | vendredi 4 décembre 17h')
    await app.dispatcher.flush()
    links = links_in(app, mailbox[1], -1)
    page = await client.get(links["objection"])
    body = await page.text()
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "script-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


async def test_a_link_sent_before_a_restart_records_after_it_once(
        tmp_path: Path, network: Network, clock: Clock, mailbox: tuple[str, Mailbox],
        spoken: Spoken) -> None:
    """The signing key and the used links are in the data dir, not in memory."""
    store = Store.open(tmp_path / "d")
    first = BotApp(store, network, clock=clock)
    first.add_adapter(EmailPlatform(mailbox[0], "Réseau <bot@reseau.example.org>",
                                    link_maker(first.ctx)))
    first.set_web_url("http://127.0.0.1:8080")
    store.members.save(Member(id="fatou", name="Fatou Diallo", agency="UNICEF",
                              roles=[FOCAL_POINT], identities=[f"email:{ADDRESS}"]))
    links = await open_consultation(first, mailbox[1])
    store.close()
    store = Store.open(tmp_path / "d")
    try:
        second = BotApp(store, network, clock=clock)
        async with TestClient(TestServer(web_application(second, []))) as restarted:
            for expected in (200, 200):
                response = await restarted.post(links["agree"], data={"send": "1"})
                assert response.status == expected
            assert spoken.has("link.answer.recorded_title") and spoken.has("link.answer.already")
            assert [p.choice for p in store.positions.history(1)] == ["agree"]
    finally:
        store.close()


async def test_the_page_speaks_the_members_language(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    fatou = app.store.members.get("fatou")
    fatou.language = "en"
    app.store.members.save(fatou)
    links = await open_consultation(app, mailbox[1])
    page = await client.get(links["reservations"])
    assert '<html lang="en">' in await page.text()
    assert spoken.has("link.answer.submit", "en") and not spoken.has("link.answer.submit", "fr")
    assert spoken.has("reason.label.reservations", "en")


async def test_without_a_web_address_the_email_shows_the_commands_instead(
        app: BotApp, mailbox: tuple[str, Mailbox]) -> None:
    app.add_adapter(EmailPlatform(mailbox[0], "Réseau <bot@reseau.example.org>",
                                  link_maker(app.ctx)))
    app.store.members.save(Member(id="fatou", name="Fatou Diallo", agency="UNICEF",
                                  roles=[FOCAL_POINT], identities=[f"email:{ADDRESS}"]))
    say_and_send(app, "aminata", "consultation ouvrir Adopter le plan | vendredi 4 décembre 17h")
    await app.dispatcher.flush()
    [received] = [r for r in mailbox[1].received if r.recipients == [ADDRESS]]
    text = received.mail.get_body(("plain",)).get_content()
    assert "/reponse/" not in text and "position 1 accord" in text
