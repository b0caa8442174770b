"""``courriel <adresse>``: a member adds their own email address, confirmed by a signed one-time
link sent to it — against aiosmtpd and the bot's web server on loopback. Nothing is added before
the link is opened and confirmed; a used, expired, tampered or foreign link adds nothing."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotApp
from bot.platforms.email.adapter import EmailPlatform
from bot.runtime import web_application
from tests.conftest import Clock, say
from tests.support.smtp_server import Mailbox, smtp_server
from tests.support.spoken import Spoken

ADDRESS = "awa.traore@unicef.org"
IDENTITY = f"email:{ADDRESS}"
LINK = re.compile(r"https?://\S+(/courriel/[A-Za-z0-9_.-]+)")


@pytest.fixture
def mailbox() -> Iterator[tuple[str, Mailbox]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
async def client(app: BotApp, mailbox: tuple[str, Mailbox]) -> AsyncIterator[TestClient]:
    app.add_adapter(EmailPlatform(mailbox[0], "Réseau <bot@reseau.example.org>"))
    async with TestClient(TestServer(web_application(app, []))) as test_client:
        app.set_web_url(str(test_client.make_url("")))
        yield test_client


async def asked(app: BotApp, mailbox: Mailbox, who: str = "awa",
                address: str = ADDRESS) -> str:
    """``who`` types ``courriel <address>``; the path of the link in the email received."""
    say(app, who, f"courriel {address}")
    await app.dispatcher.flush()
    [received] = [r for r in mailbox.received if r.recipients == [address]][-1:]
    text = received.mail.get_body(("plain",)).get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(1)


def has_address(app: BotApp, member_id: str = "awa") -> bool:
    return IDENTITY in app.store.members.get(member_id).identities


async def test_the_address_is_added_only_once_the_link_is_opened_and_confirmed(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    path = await asked(app, mailbox[1])
    assert spoken.has("courriel.sent", address=ADDRESS) and not has_address(app)
    assert "/courriel/" + path.rsplit("/", 1)[1] not in json.dumps(
        [row.message for row in app.store.outbox.all()])  # minted as it left

    page = await client.get(path)
    assert page.status == 200 and spoken.has("courriel.page") and not has_address(app)
    done = await client.post(path, data={"send": "1"})
    assert done.status == 200 and spoken.has("courriel.done") and has_address(app)
    assert app.store.members.by_identity(IDENTITY).id == "awa"
    # The secretariat is told, as for any account joined to a member.
    assert any(r.key.startswith(f"identity-added:awa:{IDENTITY}") for r in app.store.outbox.all())

    spoken.clear()
    for again in (client.post(path, data={"send": "1"}), client.get(path)):
        response = await again
        assert response.status == 410 and spoken.has("courriel.used")


async def test_a_malformed_address_is_refused_and_nothing_is_sent(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    for typed in ("awa.traore", "awa@unicef", "awa traore@unicef.org", "<script>@x.org"):
        say(app, "awa", f"courriel {typed}")
        assert spoken.has("courriel.bad_address")
    say(app, "awa", "courriel")
    assert spoken.has("courriel.usage")
    await app.dispatcher.flush()
    assert mailbox[1].received == [] and app.store.email_claims.all() == []


async def test_an_address_another_member_holds_is_refused(
        app: BotApp, client: TestClient, spoken: Spoken) -> None:
    say(app, "mariam", f"membre ajouter UNICEF {IDENTITY} Awa Traoré")
    say(app, "awa", f"courriel {ADDRESS}")
    assert spoken.has("courriel.taken") and app.store.email_claims.all() == []


async def test_a_link_changed_to_name_another_member_is_refused(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    path = await asked(app, mailbox[1])
    payload, signature = path.rsplit("/", 1)[1].split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields["m"] = "ibrahim"
    other = base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":"),
                                                sort_keys=True).encode()).rstrip(b"=").decode()
    response = await client.post(f"/courriel/{other}.{signature}", data={"send": "1"})
    assert response.status == 403 and spoken.has("courriel.forged")
    assert not has_address(app) and not has_address(app, "ibrahim")


async def test_an_expired_link_adds_nothing(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken,
        clock: Clock) -> None:
    path = await asked(app, mailbox[1])
    clock.now = clock.now + timedelta(hours=49)
    response = await client.post(path, data={"send": "1"})
    assert response.status == 410 and spoken.has("courriel.expired") and not has_address(app)


async def test_an_address_given_to_someone_else_meanwhile_is_not_added_twice(
        app: BotApp, client: TestClient, mailbox: tuple[str, Mailbox], spoken: Spoken) -> None:
    path = await asked(app, mailbox[1])
    say(app, "mariam", f"membre ajouter UNICEF {IDENTITY} Awa Traoré")
    response = await client.post(path, data={"send": "1"})
    assert response.status == 409 and spoken.has("courriel.link_taken") and not has_address(app)
