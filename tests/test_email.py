"""Email as a third channel, against a real SMTP server on loopback (aiosmtpd): a member with an
email identity, messages as text + HTML, meeting invitations as iTIP REQUEST / CANCEL, a
Message-ID that is the same on every attempt, and nothing sent by email without SMTP_URL."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from bot.app import BotApp
from bot.config.environment import Environment, read_environment
from bot.config.network import builtin_text, load_network
from bot.dispatch.contract import Target, Unreachable
from bot.platforms.email.adapter import EmailPlatform
from bot.ratelimit import RateLimits
from bot.runtime import build_platforms
from handlers.types import Message, Outgoing, Recipient
from storage.store import Store
from tests.conftest import Clock, say
from tests.support.previews import say_and_send
from tests.support.smtp_server import Mailbox, smtp_server
from tests.support.spoken import Spoken

ADDRESS = "awa.traore@unicef.org"
ORGANIZER = "secretariat.reseau@iom.int"


@pytest.fixture
def server() -> Iterator[tuple[str, Mailbox]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def mailed(tmp_path: Path, store: Store, clock: Clock,
           server: tuple[str, Mailbox]) -> BotApp:
    """The network with its organizer mailbox, email delivered to the loopback server, and a
    focal point reached by email only."""
    path = tmp_path / "reseau.toml"
    path.write_text(f'[calendar]\norganizer_email = "{ORGANIZER}"\n')
    app = BotApp(store, load_network(path), clock=clock)
    app.add_adapter(EmailPlatform(server[0], "Réseau migrations <bot@reseau.example.org>"))
    say(app, "mariam", f"membre ajouter UNICEF email:{ADDRESS} Awa Traoré")
    return app


def calendars_of(mailbox: Mailbox) -> list[tuple[str, icalendar.Calendar]]:
    """Each received message's iTIP part: its ``method`` parameter and the parsed calendar."""
    found = []
    for received in mailbox.received:
        for part in received.mail.walk():
            if part.get_content_type() == "text/calendar":
                found.append((part.get_param("method"),
                              icalendar.Calendar.from_ical(part.get_content())))
    return found


def test_an_email_identity_is_accepted_in_the_network_file(tmp_path: Path) -> None:
    path = tmp_path / "reseau.toml"
    path.write_text(builtin_text() + '\n[[members]]\nid = "kadi"\nname = "Kadiatou Koné"\n'
                    'agency = "UNICEF"\nroles = ["focal_point"]\n'
                    f'identities = ["email:{ADDRESS}"]\n')
    network = load_network(path)
    assert [m.identities for m in network.members if m.id == "kadi"] == [(f"email:{ADDRESS}",)]


def test_membre_ajouter_takes_an_email_identity(app: BotApp, spoken: Spoken) -> None:
    say(app, "mariam", f"membre ajouter UNICEF email:{ADDRESS} Awa Traoré")
    assert spoken.has("member_add.done")
    assert app.store.members.by_identity(f"email:{ADDRESS}") is not None
    say(app, "mariam", "membre ajouter UNICEF email:not-an-address Awa Traoré")
    assert spoken.has("member_add.bad_identity")


async def test_a_message_to_an_email_member_arrives_as_text_and_html(
        mailed: BotApp, server: tuple[str, Mailbox]) -> None:
    await mailed.dispatcher.flush()
    mailbox = server[1]
    [welcome] = [r for r in mailbox.received if r.recipients == [ADDRESS]][:1]
    assert welcome.sender == "bot@reseau.example.org"
    assert welcome.mail["To"] == ADDRESS and welcome.mail["Subject"]
    kinds = {part.get_content_type() for part in welcome.mail.walk()}
    assert {"multipart/alternative", "text/plain", "text/html"} <= kinds
    row = next(r for r in mailed.store.outbox.all() if r.key.startswith("member:added"))
    assert row.status == "sent" and row.done == [f"email:{ADDRESS}"]


async def test_a_meeting_invitation_by_email_is_an_itip_request_to_the_attendee(
        mailed: BotApp, server: tuple[str, Mailbox]) -> None:
    say_and_send(mailed, "aminata", "réunion mardi 1 décembre 10h")
    await mailed.dispatcher.flush()
    [(method, cal)] = calendars_of(server[1])
    assert method == "REQUEST" and cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{ADDRESS}" and attendee.params["RSVP"] == "TRUE"
    meeting = mailed.store.meetings.get(1)
    assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == meeting.sequence


async def test_a_cancelled_meeting_is_an_itip_cancel_with_the_same_uid_and_a_higher_sequence(
        mailed: BotApp, server: tuple[str, Mailbox]) -> None:
    say_and_send(mailed, "aminata", "réunion mardi 1 décembre 10h")
    await mailed.dispatcher.flush()
    say_and_send(mailed, "aminata", "réunion annuler 1")
    await mailed.dispatcher.flush()
    (_, request), (method, cancel) = calendars_of(server[1])
    assert method == "CANCEL" and cancel["METHOD"] == "CANCEL"
    [first], [then] = request.walk("VEVENT"), cancel.walk("VEVENT")
    assert str(then["UID"]) == str(first["UID"])
    assert int(then["SEQUENCE"]) > int(first["SEQUENCE"])
    assert str(then["STATUS"]) == "CANCELLED" and str(then["ATTENDEE"]) == f"mailto:{ADDRESS}"


async def test_a_resend_after_a_crash_before_the_outbox_mark_has_the_same_message_id(
        mailed: BotApp, server: tuple[str, Mailbox]) -> None:
    await mailed.dispatcher.flush()
    row = next(r for r in mailed.store.outbox.all() if r.key.startswith("member:added"))
    with mailed.store.transaction():  # the mark lost: SMTP accepted, the process was killed
        row.status, row.done, row.sent_at = "pending", [], None
        row.attempting, row.attempted_at = [f"email:{ADDRESS}"], row.created_at
        mailed.store.outbox.save(row)
    await mailed.dispatcher.flush()
    welcomes = [r.mail for r in server[1].received
                if r.mail["Subject"] == server[1].received[0].mail["Subject"]]
    assert len(welcomes) == 2
    assert welcomes[0]["Message-ID"] == welcomes[1]["Message-ID"]
    others = {r.mail["Message-ID"] for r in server[1].received}
    assert len(others) == len(server[1].received) - 1  # every other message has its own


async def test_a_refused_address_is_given_up_not_retried(
        mailed: BotApp, server: tuple[str, Mailbox]) -> None:
    server[1].refuse = "550 5.1.1 No such user"
    await mailed.dispatcher.flush()
    row = next(r for r in mailed.store.outbox.all() if r.key.startswith("member:added"))
    assert row.failed == {f"email:{ADDRESS}": "rejected"}


async def test_nothing_is_sent_by_email_without_smtp_url(
        app: BotApp, server: tuple[str, Mailbox], spoken: Spoken) -> None:
    assert not [p for p in build_platforms(app, Environment()) if p.platform == "email"]
    env = read_environment({"SMTP_URL": server[0], "SMTP_FROM": "bot@reseau.example.org"})
    assert [p.platform for p in build_platforms(app, env)] == ["email"]
    say(app, "mariam", f"membre ajouter UNICEF email:{ADDRESS} Awa Traoré")
    await app.dispatcher.flush()
    row = next(r for r in app.store.outbox.all() if r.key.startswith("member:added"))
    assert row.status == "held" and row.held_reason == "no_adapter"
    assert server[1].received == []


def test_a_malformed_smtp_setting_is_refused_at_start_up() -> None:
    bad = read_environment({"SMTP_URL": "http://mail.example.org", "SMTP_FROM": "b@x.org"})
    assert [p.key for p in bad.problems] == ["SMTP_URL"] and bad.smtp_url == ""
    missing = read_environment({"SMTP_URL": "smtp://mail.example.org:587"})
    assert [p.key for p in missing.problems] == ["SMTP_FROM"]
    secret = read_environment({"SMTP_URL": "smtps://bot:s3cret@mail.example.org",
                               "SMTP_FROM": "bot@example.org"})
    assert not secret.problems and "s3cret" not in repr(secret)


def give_address(app: BotApp, member_id: str) -> None:
    with app.store.transaction():
        member = app.store.members.get(member_id)
        member.identities.append(f"email:{ADDRESS}")
        app.store.members.save(member)


class NeverOpened:
    """Telegram refusing to write first to someone who never opened the bot."""

    platform = "telegram"
    rate_limits = RateLimits()

    async def deliver(self, target: Target, message: Message) -> None:
        raise Unreachable("not_started")

    async def probe(self) -> None:
        return None


async def test_a_member_whose_chat_account_cannot_be_reached_gets_email(
        app: BotApp, server: tuple[str, Mailbox]) -> None:
    give_address(app, "awa")  # telegram:100000001, never opened the bot
    app.add_adapter(NeverOpened())
    app.add_adapter(EmailPlatform(server[0], "bot@reseau.example.org"))
    app.ctx.queue(Outgoing(Recipient("member", "awa"), Message(title="Bonjour"), "fr", "k"))
    await app.dispatcher.flush()
    row = app.store.outbox.all()[0]
    assert row.status == "sent" and row.done == [f"email:{ADDRESS}"]
    assert [r.recipients for r in server[1].received] == [[ADDRESS]]


async def test_preference_email_sends_direct_messages_by_email(
        app: BotApp, server: tuple[str, Mailbox], spoken: Spoken) -> None:
    give_address(app, "sarah")  # slack:U0DEMOSJ
    app.add_adapter(EmailPlatform(server[0], "bot@reseau.example.org"))
    say(app, "slack:U0DEMOSJ", "preference email")
    assert spoken.has("preference.set.email")
    assert app.store.members.get("sarah").preference == "email"
    app.ctx.queue(Outgoing(Recipient("member", "sarah"), Message(title="Hello"), "en", "k"))
    await app.dispatcher.flush()
    row = next(r for r in app.store.outbox.all() if r.key == "k")
    assert row.done == [f"email:{ADDRESS}"]


async def test_les_deux_means_the_two_chats_not_email_as_well(app: BotApp) -> None:
    give_address(app, "moussa")  # console and slack
    with app.store.transaction():
        moussa = app.store.members.get("moussa")
        moussa.identities.append("telegram:100000009")
        moussa.preference = "both"
        app.store.members.save(moussa)
    app.ctx.queue(Outgoing(Recipient("member", "moussa"), Message(title="Annonce"), "fr", "k"))
    row = app.store.outbox.all()[-1]
    assert {t.platform for t in app.dispatcher.targets(row)} == {"slack", "telegram"}


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command makes the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


async def test_starttls_is_used_when_offered_and_the_certificate_checked(
        certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with smtp_server(starttls=context) as (url, mailbox):
        email = EmailPlatform(url, "bot@reseau.example.org")
        target = Target("email", ADDRESS, "Awa", outbox_key="k")
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with pytest.raises(ssl.SSLCertVerificationError):  # not in the system's store
            await email.deliver(target, Message(title="Bonjour"))
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the operator's own CA file
        await email.deliver(target, Message(title="Bonjour"))
    assert [r.recipients for r in mailbox.received] == [[ADDRESS]]
