"""Calendar replies (iTIP REPLY) read from the network's mailbox become the members' answers:
against a real IMAP server on loopback (pymap, ``tests/support/imap_server.py``), with the
invitation the bot really mailed (the loopback SMTP server) answered as a calendar would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import icalendar
import pytest

from bot.app import BotApp
from bot.config.environment import Environment, read_environment
from bot.config.network import load_network
from bot.mail_replies import MailReader, watch_mailbox
from bot.platforms.email.adapter import EmailPlatform
from bot.platforms.email.imap import ImapError
from bot.platforms.email.imap_settings import parse_imap_url
from bot.runtime import Runtime
from handlers.calendar_replies import replies_in
from handlers.i18n import Catalog
from scheduler.jobs import MailCheck
from storage.store import Store
from tests.conftest import Clock
from tests.support.chat import click
from tests.support.imap_server import (
    PASSWORD,
    USER,
    MailboxClient,
    imap_server,
    self_signed,
)
from tests.support.previews import say_and_send
from tests.support.smtp_server import Mailbox, smtp_server

AWA = "awa.traore@unicef.org"
FATOUMATA = "fatoumata.sidibe@wfp.org"
ORGANIZER = "secretariat.reseau@iom.int"
BIN = Path(sys.executable).parent


@pytest.fixture
def smtp() -> Iterator[tuple[str, Mailbox]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def imap() -> Iterator[int]:
    with imap_server() as port:
        yield port


@pytest.fixture
def client(imap: int) -> Iterator[MailboxClient]:
    opened = MailboxClient(imap)
    yield opened
    opened.close()


def url(port: int) -> str:
    return f"imap://{USER}:{PASSWORD}@127.0.0.1:{port}/INBOX"


def by_email(app: BotApp, member_id: str, address: str) -> None:
    with app.store.transaction():
        member = app.store.members.get(member_id)
        member.identities.append(f"email:{address}")
        member.preference = "email"
        app.store.members.save(member)


@pytest.fixture
def mailed(tmp_path: Path, store: Store, clock: Clock, smtp: tuple[str, Mailbox]) -> BotApp:
    """The network with its organizer mailbox; Awa and Fatoumata get their messages by email."""
    path = tmp_path / "reseau.toml"
    path.write_text(f'[calendar]\norganizer_email = "{ORGANIZER}"\n')
    app = BotApp(store, load_network(path), clock=clock)
    app.add_adapter(EmailPlatform(smtp[0], "Réseau migrations <bot@reseau.example.org>"))
    by_email(app, "awa", AWA)
    by_email(app, "fatoumata", FATOUMATA)
    return app


async def invite(app: BotApp, smtp: tuple[str, Mailbox]) -> dict[str, icalendar.Calendar]:
    """A network meeting convened; the REQUEST each email invitee received, by address."""
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    await app.dispatcher.flush()
    found = {}
    for received in smtp[1].received:
        for part in received.mail.walk():
            if part.get_content_type() == "text/calendar":
                found[received.recipients[0]] = icalendar.Calendar.from_ical(part.get_content())
    return found


def reply(request: icalendar.Calendar, partstat: str, attendee: str,
          sender: str | None = None, occurrence: datetime | None = None) -> EmailMessage:
    """What Outlook or Thunderbird mails the organizer when ``attendee`` presses Accept or
    Decline: the same UID and SEQUENCE, METHOD:REPLY, the attendee with its PARTSTAT."""
    [asked] = request.walk("VEVENT")
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Test//Calendar client//EN")
    cal.add("version", "2.0")
    cal.add("method", "REPLY")
    event = icalendar.Event()
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "DTSTAMP", "SUMMARY", "ORGANIZER"):
        event[name] = asked[name]
    if occurrence is not None:  # the answer for one meeting of a series
        event.add("recurrence-id", occurrence)
    who = icalendar.vCalAddress(f"mailto:{attendee}")
    who.params["PARTSTAT"] = partstat
    event.add("attendee", who)
    cal.add_component(event)
    mail = EmailMessage()
    mail["From"] = sender or attendee
    mail["To"] = ORGANIZER
    mail["Subject"] = f"{partstat.title()}: {asked['SUMMARY']}"
    mail["Message-ID"] = make_msgid(domain="calendar.example.org")
    mail.set_content(f"{partstat.title()}.")
    mail.add_alternative(cal.to_ical(), maintype="text", subtype="calendar",
                         params={"method": "REPLY"})
    return mail


def other_mail() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "partenaire@ong.example.org"
    mail["To"] = ORGANIZER
    mail["Subject"] = "Rapport trimestriel"
    mail["Message-ID"] = make_msgid(domain="ong.example.org")
    mail.set_content("Veuillez trouver le rapport.")
    return mail


async def test_an_accept_and_a_decline_become_the_invitees_answers_once(
        mailed: BotApp, smtp: tuple[str, Mailbox], imap: int, client: MailboxClient) -> None:
    requests = await invite(mailed, smtp)
    meeting = mailed.store.meetings.get(1)
    accept = client.append(reply(requests[AWA], "ACCEPTED", AWA))
    decline = client.append(reply(requests[FATOUMATA], "DECLINED", FATOUMATA))
    other = client.append(other_mail())
    unread_before = client.unseen()
    reader = MailReader(mailed, parse_imap_url(url(imap)))

    counts = await reader.check()
    assert counts["recorded"] == 2 and counts["other"] >= 1
    assert mailed.store.rsvps.get(meeting.id, "awa").status == "present"
    assert mailed.store.rsvps.get(meeting.id, "fatoumata").status == "excused"
    assert {r.outcome for r in mailed.store.calendar_replies.all()} == {"recorded"}
    assert client.unseen() == unread_before - {accept, decline}  # other mail stays unread
    assert other in client.unseen() and set(client.flags()) >= unread_before  # none deleted

    # Read again (a second run, a new process): nothing new.
    answered_at = mailed.store.rsvps.get(meeting.id, "awa").at
    again = await MailReader(mailed, parse_imap_url(url(imap))).check()
    assert again["recorded"] == 0 and mailed.store.rsvps.get(meeting.id, "awa").at == answered_at

    # A crash after the answer was recorded, before the message was flagged (or someone marks
    # it unread): Awa has meanwhile changed her answer in the chat; the old mail changes nothing.
    click(mailed, "awa", "rsvp.online", str(meeting.id))
    client.mark_unseen(accept)
    again = await reader.check()
    assert again["again"] == 1 and again["recorded"] == 0
    assert mailed.store.rsvps.get(meeting.id, "awa").status == "online"
    assert accept not in client.unseen()


async def test_a_series_is_answered_whole_or_one_meeting_at_a_time(
        mailed: BotApp, smtp: tuple[str, Mailbox], imap: int, client: MailboxClient) -> None:
    say_and_send(mailed, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    await mailed.dispatcher.flush()
    requests = await invite(mailed, smtp)  # and a meeting alone, whose UID is another
    [series] = mailed.store.series.all()
    coming = [m for m in mailed.store.meetings.of_series(series.id)]
    assert len(coming) > 2
    client.append(reply(requests[AWA], "ACCEPTED", AWA))  # the latest request: not the series
    series_request = next(
        icalendar.Calendar.from_ical(part.get_content()) for received in smtp[1].received
        if received.recipients == [FATOUMATA] for part in received.mail.walk()
        if part.get_content_type() == "text/calendar"
        and series.uid in part.get_content())
    client.append(reply(series_request, "ACCEPTED", FATOUMATA))
    second = datetime.fromisoformat(coming[1].recurrence_id or coming[1].start)
    client.append(reply(series_request, "DECLINED", FATOUMATA, occurrence=second))
    counts = await MailReader(mailed, parse_imap_url(url(imap))).check()
    assert counts["recorded"] == 3
    answers = {m.id: mailed.store.rsvps.get(m.id, "fatoumata").status for m in coming}
    assert answers[coming[1].id] == "excused"
    assert {status for number, status in answers.items() if number != coming[1].id} == {
        "present"}
    assert mailed.store.rsvps.get(coming[0].id, "awa") is None  # her reply was for the other


async def test_a_reply_not_sent_by_its_attendee_is_refused(
        mailed: BotApp, smtp: tuple[str, Mailbox], imap: int, client: MailboxClient) -> None:
    requests = await invite(mailed, smtp)
    forged = client.append(reply(requests[AWA], "DECLINED", AWA, sender="mallory@evil.example"))
    reader = MailReader(mailed, parse_imap_url(url(imap)))
    counts = await reader.check()
    assert counts["forged"] == 1 and counts["recorded"] == 0
    assert mailed.store.rsvps.get(1, "awa") is None
    assert forged in client.unseen()  # left for a person to look at
    assert [r.outcome for r in mailed.store.calendar_replies.all()] == ["forged"]
    assert (await reader.check())["kept"] == 1  # judged once, not again at every pass


async def test_a_reply_after_the_meeting_began_is_refused_as_the_button_would_be(
        mailed: BotApp, smtp: tuple[str, Mailbox], imap: int, client: MailboxClient,
        clock: Clock) -> None:
    requests = await invite(mailed, smtp)
    late = client.append(reply(requests[AWA], "ACCEPTED", AWA))
    clock.now = datetime.fromisoformat(mailed.store.meetings.get(1).end) + timedelta(days=1)
    counts = await MailReader(mailed, parse_imap_url(url(imap))).check()
    assert counts["refused"] == 1 and mailed.store.rsvps.get(1, "awa") is None
    assert late in client.unseen()


async def test_an_unknown_meeting_or_attendee_is_left_alone(
        mailed: BotApp, smtp: tuple[str, Mailbox], imap: int, client: MailboxClient) -> None:
    requests = await invite(mailed, smtp)
    stranger = "someone@elsewhere.example.org"
    unknown_attendee = client.append(reply(requests[AWA], "ACCEPTED", stranger))
    [event] = requests[AWA].walk("VEVENT")
    event["UID"] = "not-a-meeting-of-the-network"  # a meeting someone else organised
    unknown_uid = client.append(reply(requests[AWA], "ACCEPTED", AWA))
    counts = await MailReader(mailed, parse_imap_url(url(imap))).check()
    assert counts["unknown_attendee"] == 1 and counts["unknown_uid"] == 1
    assert {unknown_attendee, unknown_uid} <= client.unseen()
    assert mailed.store.calendar_replies.all() == [] and mailed.store.rsvps.all() == []


async def test_the_running_bot_reads_the_mailbox_every_few_minutes(
        mailed: BotApp, smtp: tuple[str, Mailbox], imap: int, client: MailboxClient,
        clock: Clock) -> None:
    assert not [s for s in mailed.job_specs() if s.kind == "mail.check"]  # no IMAP_URL
    requests = await invite(mailed, smtp)
    watch_mailbox(mailed, url(imap), every=timedelta(minutes=5))
    [spec] = [s for s in mailed.job_specs() if s.kind == "mail.check"]
    assert timedelta(0) < spec.run_at - clock.now <= timedelta(minutes=5)
    client.append(reply(requests[AWA], "ACCEPTED", AWA))
    clock.now = spec.run_at
    assert not [s for s in await mailed.run_due_jobs() if s.kind == "mail.check"]  # not yet
    await mailed.run_job(spec)  # what APScheduler does at its time
    assert mailed.store.rsvps.get(1, "awa").status == "present"
    [following] = [s for s in mailed.job_specs() if s.kind == "mail.check"]
    assert following.run_at == spec.run_at + timedelta(minutes=5)


async def test_the_runtime_reads_the_mailbox_when_imap_url_is_set(
        mailed: BotApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mailed.jobs, "start", lambda: None)  # nothing fires on the real clock
    env = Environment(host="127.0.0.1", port=0, imap_url=url(143))
    runtime = Runtime(mailed, env, platforms=[])
    await runtime.start()
    try:
        assert MailCheck in mailed.async_jobs
        assert [s.kind for s in mailed.job_specs()].count("mail.check") == 1
        # A job woken a little before its time does not find that time again.
        [spec] = [s for s in mailed.job_specs() if s.kind == "mail.check"]
        mailed.ctx.clock = lambda: spec.run_at - timedelta(milliseconds=5)
        [following] = [s for s in mailed.job_specs() if s.kind == "mail.check"]
        assert following.run_at == spec.run_at + timedelta(minutes=5)
    finally:
        await runtime.stop()


async def test_a_mailbox_that_cannot_be_reached_is_an_imap_error(mailed: BotApp) -> None:
    from tests.support.smtp_server import free_port

    reader = MailReader(mailed, parse_imap_url(url(free_port())))  # nothing listens there
    with pytest.raises(ImapError) as raised:
        await reader.check()
    assert raised.value.reason == "unreachable" and PASSWORD not in str(raised.value)
    # The scheduled job logs it and carries on: no exception, the next reading in five minutes.
    await reader.scheduled(MailCheck(mailed.ctx.now_iso()))


async def test_the_secretariat_is_told_once_when_the_mailbox_stays_unreadable(
        mailed: BotApp, clock: Clock) -> None:
    """A mailbox that cannot be read loses no reply, but nobody knew they waited: after half an
    hour of failed checks the secretariat gets one notice for the outage (no password in it);
    a mailbox read again ends it, and the next outage is told again."""
    from tests.support.smtp_server import free_port

    def notices() -> list[str]:
        return sorted(r.key for r in mailed.store.outbox.all()
                      if r.key.startswith("imap:unreadable:"))

    reader = MailReader(mailed, parse_imap_url(url(free_port())))  # nothing listens there
    await reader.scheduled(MailCheck(mailed.ctx.now_iso()))
    assert notices() == []  # one failed check: not yet
    clock.now += timedelta(minutes=31)
    await reader.scheduled(MailCheck(mailed.ctx.now_iso()))
    told = notices()
    secretariat = {m.id for m in mailed.store.members.with_role("secretariat")}
    assert told and {key.rsplit(":", 1)[1] for key in told} == secretariat
    assert all(PASSWORD not in str(r.message) for r in mailed.store.outbox.all())
    clock.now += timedelta(minutes=5)
    await reader.scheduled(MailCheck(mailed.ctx.now_iso()))
    assert notices() == told  # the same outage: told once
    reader.failing_since = None  # read again in between (what a successful check does)
    await reader.scheduled(MailCheck(mailed.ctx.now_iso()))
    clock.now += timedelta(minutes=31)
    await reader.scheduled(MailCheck(mailed.ctx.now_iso()))
    assert len(notices()) == 2 * len(told)  # a new outage, told again


async def test_starttls_is_used_when_offered_and_the_certificate_checked(
        mailed: BotApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    with imap_server(cert=(cert, key)) as port:
        settings = parse_imap_url(url(port))
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with pytest.raises(ImapError) as raised:  # not signed by an authority of the system
            await MailReader(mailed, settings).check()
        assert raised.value.reason == "unreachable" and "CERTIFICATE" in raised.value.detail
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the operator's own CA file
        counts = await MailReader(mailed, settings).check()
    assert counts["other"] >= 1  # pymap's demo mail, read over TLS


def test_a_damaged_or_foreign_calendar_part_is_no_reply() -> None:
    mail = other_mail()
    mail.add_attachment(b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID",
                        maintype="text", subtype="calendar", params={"method": "REPLY"})
    assert replies_in(mail.as_bytes()) == []  # cut short: left alone, never a crash
    request = other_mail()
    request.add_attachment(b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
                           maintype="text", subtype="calendar", params={"method": "REQUEST"})
    assert replies_in(request.as_bytes()) == []  # an invitation someone forwarded


def test_imap_url_is_read_and_a_malformed_one_refused() -> None:
    settings = parse_imap_url("imaps://bot%40reseau.org:p%3Ass@imap.example.org")
    assert (settings.host, settings.port, settings.implicit_tls, settings.mailbox) == (
        "imap.example.org", 993, True, "INBOX")
    assert (settings.username, settings.password) == ("bot@reseau.org", "p:ss")
    assert "p:ss" not in repr(settings)
    assert parse_imap_url("imap://u:p@127.0.0.1/Réponses").port == 143
    for bad in ("http://u:p@host", "imap://host", "imap://u:p@:143", "imap://u:p@h:99999"):
        env = read_environment({"IMAP_URL": bad})
        assert [p.key for p in env.problems] == ["IMAP_URL"] and env.imap_url == ""
        assert "p@" not in str(env.problems[0]) or bad.startswith("http")


def cli(data: Path, imap_url: str, tmp_path: Path,
        command: str = "courrier") -> subprocess.CompletedProcess[str]:
    config = tmp_path / "reseau.toml"
    config.write_text(f'[calendar]\norganizer_email = "{ORGANIZER}"\n')
    env = {**os.environ, "RESEAU_DATA_DIR": str(data), "RESEAU_CONFIG": str(config),
           "IMAP_URL": imap_url, "LANG": "fr_FR.UTF-8", "RESEAU_LOG": "stderr"}
    env.pop("LC_ALL", None)
    return subprocess.run([str(BIN / "reseau-bot"), command], env=env, capture_output=True,
                          text=True, timeout=120)


def shown(catalog: Catalog, key: str, text: str, **params: object) -> bool:
    """Whether ``key``'s text, its placeholders aside, is in ``text``."""
    marked = catalog.t("fr", key, **{name: "\x00" for name in params})
    return all(piece in text for piece in marked.split("\x00") if piece.strip())


def test_courrier_reads_the_mailbox_once_and_says_what_came_of_it(
        tmp_path: Path, clock: Clock, smtp: tuple[str, Mailbox], imap: int,
        client: MailboxClient) -> None:
    data = tmp_path / "data"
    config = tmp_path / "reseau.toml"
    config.write_text(f'[calendar]\norganizer_email = "{ORGANIZER}"\n')
    store = Store.open(data)
    app = BotApp(store, load_network(config), clock=lambda: clock.now)
    app.add_adapter(EmailPlatform(smtp[0], "bot@reseau.example.org"))
    by_email(app, "awa", AWA)
    import asyncio

    async def convene() -> dict[str, icalendar.Calendar]:
        return await invite(app, smtp)

    requests = asyncio.run(convene())
    store.close()
    client.append(reply(requests[AWA], "ACCEPTED", AWA))
    done = cli(data, url(imap), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    catalog = Catalog.load()
    assert shown(catalog, "imap.done", done.stdout, mailbox=1, recorded=1, again=1, refused=1,
                 unknown=1, other=1)
    store = Store.open(data)
    try:
        assert store.rsvps.get(1, "awa").status == "present"
    finally:
        store.close()


def test_courrier_says_when_the_server_cannot_be_reached(tmp_path: Path) -> None:
    from tests.support.smtp_server import free_port

    done = cli(tmp_path / "data", f"imap://{USER}:{PASSWORD}@127.0.0.1:{free_port()}/INBOX",
               tmp_path)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr and PASSWORD not in done.stderr
    assert shown(Catalog.load(), "imap.error.unreachable", done.stderr, detail=1)


def test_check_says_where_calendar_replies_are_read(tmp_path: Path) -> None:
    done = cli(tmp_path / "data", f"imaps://{USER}:{PASSWORD}@imap.example.org/Réponses",
               tmp_path, "check")
    assert done.returncode == 0 and PASSWORD not in done.stdout + done.stderr
    assert Catalog.load().t("fr", "imap.check", host="imap.example.org",
                            mailbox="Réponses") in done.stdout
