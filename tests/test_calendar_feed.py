"""Calendar subscriptions: the feed fetched over HTTP from the bot's web server follows moves
and cancellations, answers conditional requests with 304, refuses revoked and forged tokens
alike (404), and invitations carry « S'abonner » and Google / Outlook links that open at the
meeting's times."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
import recurring_ical_events
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDictProxy

from bot.app import BotApp
from bot.cli import main
from bot.config.environment import Environment
from bot.console_web import console_web
from bot.runtime import web_application
from handlers.calendar_feed import token_hash
from handlers.meetings.feed import KEEP_CANCELLED
from handlers.types import Message, Recipient
from tests.conftest import Clock, click, say, text_of
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken

WINDOW = (datetime(2026, 1, 1), datetime(2028, 1, 1))


@pytest.fixture
async def client(app: BotApp) -> AsyncIterator[TestClient]:
    """The bot's real web server on a loopback port, and an aiohttp client to it."""
    async with TestClient(TestServer(web_application(app, []))) as test_client:
        yield test_client


def feed_path(reply: object) -> str:
    """The path of the https subscription link in a reply (the token is in it)."""
    text = reply if isinstance(reply, str) else text_of(reply)  # type: ignore[arg-type]
    found = re.search(r"https?://[^/\s]+(/calendrier/[A-Za-z0-9_-]+\.ics)", text)
    assert found, text
    return found.group(1)


async def fetch(client: TestClient, path: str,
                **headers: str) -> tuple[int, bytes, CIMultiDictProxy[str]]:
    response = await client.get(path, headers=headers)
    return response.status, await response.read(), response.headers


def expanded(body: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return sorted(recurring_ical_events.of(cal).between(*WINDOW), key=lambda e: e["DTSTART"].dt)


def sent_to(app: BotApp, member_id: str) -> list[Message]:
    return [Message.from_dict(r.message) for r in app.store.outbox.all()
            if Recipient.from_dict(r.recipient) == Recipient("member", member_id)]


async def test_the_feed_follows_a_move_and_a_cancellation(app: BotApp, client: TestClient,
                                                          clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    path = feed_path(say(app, "awa", "calendrier"))
    status, body, headers = await fetch(client, path)
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    before = expanded(body)
    assert len(before) == 7  # the meeting and the six occurrences, each its own event
    assert len({str(e["UID"]) for e in before}) == 7
    assert all(str(e["STATUS"]) == "CONFIRMED" for e in before)
    assert "METHOD" not in icalendar.Calendar.from_ical(body)
    moved_uid = app.store.meetings.get(3).uid  # the series' second occurrence
    cancelled_uid = app.store.meetings.get(4).uid

    clock.now += timedelta(hours=1)
    say(app, "aminata", "réunion déplacer 3 mercredi 3 février 2027 15h")
    say_and_send(app, "aminata", "réunion annuler 4")
    after = {str(e["UID"]): e for e in expanded((await fetch(client, path))[1])}
    assert len(after) == 7
    moved = after[moved_uid]
    assert moved["DTSTART"].dt == datetime(2027, 2, 3, 15, tzinfo=UTC)  # Bamako is UTC
    old = next(e for e in before if str(e["UID"]) == moved_uid)
    assert int(moved["SEQUENCE"]) > int(old["SEQUENCE"])
    assert moved["DTSTAMP"].dt > old["DTSTAMP"].dt
    assert moved["LAST-MODIFIED"].dt == clock.now.replace(microsecond=0)
    assert str(after[cancelled_uid]["STATUS"]) == "CANCELLED"
    assert [str(e["STATUS"]) for u, e in after.items() if u != cancelled_uid] == \
        ["CONFIRMED"] * 6

    clock.now += KEEP_CANCELLED + timedelta(minutes=1)  # the cancellation has been seen: gone
    later = {str(e["UID"]) for e in expanded((await fetch(client, path))[1])}
    assert cancelled_uid not in later and moved_uid in later and len(later) == 6


async def test_a_member_sees_only_the_meetings_they_were_invited_to_and_leads_see_all(
        app: BotApp, client: TestClient) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    meeting = app.store.meetings.get(1)
    meeting.invited = [i for i in meeting.invited if i != "awa"]
    app.store.meetings.save(meeting)
    say_and_send(app, "aminata", "réunion jeudi 3 décembre 10h")
    mine = expanded((await fetch(client, feed_path(say(app, "awa", "calendrier"))))[1])
    assert [str(e["UID"]) for e in mine] == [app.store.meetings.get(2).uid]
    everything = expanded((await fetch(client, feed_path(say(app, "aminata",
                                                           "calendrier réseau"))))[1])
    assert len(everything) == 2


async def test_etag_and_last_modified_answer_conditional_requests_with_304(
        app: BotApp, client: TestClient, clock: Clock) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    path = feed_path(say(app, "awa", "calendrier"))
    status, body, headers = await fetch(client, path)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"')
    assert (await fetch(client, path))[2]["ETag"] == etag  # same content, same tag
    status, empty, _ = await fetch(client, path, **{"If-None-Match": etag})
    assert (status, empty) == (304, b"")
    assert (await fetch(client, path, **{"If-Modified-Since": modified}))[0] == 304
    earlier = format_datetime(clock.now - timedelta(days=1), usegmt=True)
    assert (await fetch(client, path, **{"If-Modified-Since": earlier}))[0] == 200
    assert (await fetch(client, path, **{"If-None-Match": '"other"'}))[0] == 200

    clock.now += timedelta(minutes=5)
    say(app, "aminata", "réunion déplacer 1 mercredi 2 décembre 14h")
    status, changed, headers = await fetch(client, path, **{"If-None-Match": etag,
                                                           "If-Modified-Since": modified})
    assert status == 200 and changed != body and headers["ETag"] != etag
    assert headers["Last-Modified"] != modified


async def test_renewing_revokes_the_old_link_and_the_new_one_works(
        app: BotApp, client: TestClient, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    first = feed_path(say(app, "awa", "calendrier"))
    second = feed_path(say(app, "awa", "calendrier"))  # another device: both work
    assert first != second
    assert (await fetch(client, first))[0] == 200 and (await fetch(client, second))[0] == 200
    renewed = say(app, "awa", "calendrier renouveler")
    assert spoken.has("feed.revoked")
    new = feed_path(renewed)
    assert (await fetch(client, first))[0] == 404
    assert (await fetch(client, second))[0] == 404
    assert (await fetch(client, new))[0] == 200
    token = new.rsplit("/", 1)[1].removesuffix(".ics")
    stored = [t.id for t in app.store.calendar_tokens.all()]
    assert token_hash(token) in stored and token not in " ".join(stored)  # only the hash kept


async def test_a_forged_token_is_a_404_like_any_unknown_path(app: BotApp,
                                                             client: TestClient) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    feed_path(say(app, "awa", "calendrier"))
    forged = await fetch(client, "/calendrier/" + "A" * 43 + ".ics")
    nowhere = await fetch(client, "/nowhere")
    assert forged[0] == 404 and forged[1] == nowhere[1]
    assert (await fetch(client, "/calendrier/" + "A" * 300 + ".ics"))[0] == 404


async def test_a_network_link_stops_when_its_member_is_no_longer_a_lead(
        app: BotApp, client: TestClient, spoken: Spoken) -> None:
    say(app, "awa", "calendrier réseau")
    assert not app.store.calendar_tokens.all()  # refused: leads only
    path = feed_path(say(app, "aminata", "calendrier réseau"))
    assert (await fetch(client, path))[0] == 200
    lead = app.store.members.get("aminata")
    lead.active = False
    app.store.members.save(lead)
    assert (await fetch(client, path))[0] == 404


def test_without_a_web_server_the_command_says_so(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say(app, "awa", "calendrier"), "feed.not_served")


async def test_invitations_carry_subscribe_google_and_outlook_links_at_the_meetings_times(
        app: BotApp, client: TestClient, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    [invite] = sent_to(app, "awa")
    assert [b.action for b in invite.buttons][-1] == "feed.subscribe"
    text = text_of(invite)
    google = re.search(r"https://calendar\.google\.com/\S+", text).group(0)
    outlook = re.search(r"https://outlook\.office\.com/\S+", text).group(0)
    meeting = app.store.meetings.get(1)

    parts = urlsplit(google)
    assert parts.path == "/calendar/render"
    query = parse_qs(parts.query, strict_parsing=True)
    assert query["action"] == ["TEMPLATE"]
    start, end = query["dates"][0].split("/")
    assert datetime.strptime(start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) == \
        datetime.fromisoformat(meeting.start)
    assert datetime.strptime(end, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) == \
        datetime.fromisoformat(meeting.end)
    assert query["text"][0].startswith("Réunion") and " " in query["text"][0]

    parts = urlsplit(outlook)
    assert parts.path == "/calendar/0/deeplink/compose"
    query = parse_qs(parts.query, strict_parsing=True)
    assert datetime.fromisoformat(query["startdt"][0]) == datetime.fromisoformat(meeting.start)
    assert datetime.fromisoformat(query["enddt"][0]) == datetime.fromisoformat(meeting.end)
    assert "+" not in outlook and " " not in outlook  # spaces encoded as %20
    assert query["location"] and query["subject"] == [re.sub(r"\s+", " ", query["subject"][0])]

    reply = click(app, "awa", "feed.subscribe", "personal")  # « S'abonner » sends the personal link
    assert spoken.has("feed.link")
    assert (await fetch(client, feed_path(reply)))[0] == 200


def test_without_a_web_server_invitations_offer_no_subscribe_button(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    [invite] = sent_to(app, "awa")
    assert "feed.subscribe" not in [b.action for b in invite.buttons]
    assert "calendar.google.com" in text_of(invite)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_the_console_serves_the_feed_with_web(app: BotApp) -> None:
    env = Environment(port=free_port())
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    async with console_web(app, env):
        path = feed_path(say(app, "awa", "calendrier"))
        async with ClientSession() as session, session.get(
                f"http://127.0.0.1:{env.port}{path}") as response:
            assert response.status == 200
            assert len(expanded(await response.read())) == 1


def test_run_and_console_accept_web(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, bool]] = []
    monkeypatch.setattr("bot.cli.start", lambda who, web=False: calls.append((who, web)) or 0)
    assert main(["console", "--web"]) == 0 and main(["run", "--web"]) == 0 and main(["run"]) == 0
    assert calls == [("", True), (None, True), (None, False)]
