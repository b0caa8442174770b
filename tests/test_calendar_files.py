"""Calendar files that calendars accept: METHOD:PUBLISH with the network as ORGANIZER on the
configured mailbox, UIDs unique across deployments and stable per meeting, a URL that is a valid
URI, and an agenda change sent as an updated file with a higher SEQUENCE."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from bot.app import BotApp
from bot.config.network import load_network
from bot.config.problems import ConfigError
from handlers.types import Message, Recipient
from storage.models import Meeting, MeetingSeries
from storage.store import Store
from tests.conftest import Clock, say
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken

BAMAKO = ZoneInfo("Africa/Bamako")
# RFC 3986: the characters a URI may hold (anything else is percent-encoded).
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


def files_to(app: BotApp, member_id: str) -> list[tuple[Message, icalendar.Calendar]]:
    found = []
    for row in app.store.outbox.all():
        if Recipient.from_dict(row.recipient) != Recipient("member", member_id):
            continue
        message = Message.from_dict(row.message)
        for attachment in message.attachments:
            if attachment.media_type == "text/calendar":
                found.append((message, icalendar.Calendar.from_ical(attachment.content)))
    return found


@pytest.fixture
def configured(tmp_path: Path, store: Store, clock: Clock) -> BotApp:
    path = tmp_path / "reseau.toml"
    path.write_text('[calendar]\norganizer_email = "secretariat.reseau@iom.int"\n')
    return BotApp(store, load_network(path), clock=clock)


def test_files_sent_in_chat_are_publish_with_the_network_as_organizer(configured) -> None:
    app = configured
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    say(app, "aminata", "réunion déplacer 1 mercredi 2 décembre 10h")
    say_and_send(app, "aminata", "réunion annuler 1")
    say_and_send(app, "aminata", "réunion annuler 3")
    sent = files_to(app, "sarah")
    assert len(sent) == 5
    for _, cal in sent:
        assert cal["METHOD"] == "PUBLISH"  # RFC 5546: REQUEST and CANCEL need attendees
        for event in cal.walk("VEVENT"):
            organizer = event["ORGANIZER"]
            assert str(organizer) == "mailto:secretariat.reseau@iom.int"
            assert organizer.params["CN"] == "UN Network on Migration in Mali"  # in English
            assert "ATTENDEE" not in event
            assert event["DTSTART"].params["TZID"] == "Africa/Bamako"
    cancelled = sent[3][1].walk("VEVENT")[0]
    assert (cancelled["STATUS"], cancelled["SEQUENCE"]) == ("CANCELLED", 2)
    # A cancelled occurrence leaves the series' dates; the rest stand.
    series = sent[4][1]
    dates = [e["DTSTART"].dt for e in recurring_ical_events.of(series).between(
        datetime(2026, 1, 1), datetime(2028, 1, 1))]
    assert len(dates) == 5 and datetime(2027, 2, 2, 10, tzinfo=BAMAKO) not in dates
    awa = files_to(app, "awa")[0][1].walk("VEVENT")[0]
    assert awa["ORGANIZER"].params["CN"] == "Réseau des Nations Unies pour les migrations au Mali"


def test_an_invalid_organizer_mailbox_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reseau.toml"
    for bad in ("noreply@reseau-bot.invalid", "secrétariat", "a b@iom.int"):
        path.write_text(f'[calendar]\norganizer_email = "{bad}"\n')
        with pytest.raises(ConfigError) as caught:
            load_network(path)
        assert [p.key for p in caught.value.problems] == ["calendar.organizer_email"]
    assert "invalid" not in load_network().organizer_email


def test_uids_are_unique_across_deployments_and_stable_per_meeting(tmp_path, network) -> None:
    uids = []
    for name in ("bamako", "mopti"):  # two deployments (or a data dir reset): both n° 1
        clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=BAMAKO))
        store = Store.open(tmp_path / name)
        app = BotApp(store, network, clock=clock)
        say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
        say_and_send(app, "aminata", "réunion série tous les mois le 15 à 9h")
        say(app, "aminata", "réunion lieu 1 Salle Niger")
        say(app, "aminata", "réunion déplacer 2 mercredi 16 décembre 9h")
        store.close()
        store = Store.open(tmp_path / name)  # and after a restart
        app = BotApp(store, network, clock=clock)
        say(app, "aminata", "réunion déplacer 1 mercredi 2 décembre 10h")
        per_meeting: dict[str, set[str]] = {}
        for _, cal in files_to(app, "awa"):
            kind = "series" if "RRULE" in cal.walk("VEVENT")[0] else "meeting"
            per_meeting.setdefault(kind, set()).update(
                str(e["UID"]) for e in cal.walk("VEVENT"))
        store.close()
        assert all(len(found) == 1 for found in per_meeting.values())  # stable per meeting
        uids += [per_meeting["meeting"].pop(), per_meeting["series"].pop()]
    assert len(set(uids)) == 4  # no two meetings share one, across deployments
    assert not any(uid.startswith(("meeting-", "series-")) for uid in uids)


def test_meetings_stored_before_uids_keep_the_one_calendars_hold() -> None:
    old = {"v": 1, "id": 3, "kind": "network", "start": "2026-12-01T10:00:00.000000+00:00",
           "end": "2026-12-01T12:00:00.000000+00:00"}
    meeting = Meeting.from_doc(old)
    assert meeting.uid == "meeting-3@reseau-bot" and meeting.invited is None
    assert Meeting.from_doc(meeting.to_doc()).uid == "meeting-3@reseau-bot"
    series = MeetingSeries.from_doc({"v": 1, "id": 2, "kind": "network", "rrule": "FREQ=DAILY",
                                     "first_start": old["start"], "duration_minutes": 60})
    assert series.uid == "series-2@reseau-bot" and series.status == "active"


def test_a_typed_link_is_a_valid_uri_in_the_calendar_file(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say(app, "aminata", "réunion lien 1 https://visio.réseau.ml/salle|niger{1}?nom=Aïcha&x=50%")
    [event] = files_to(app, "awa")[-1][1].walk("VEVENT")
    url = str(event["URL"])
    assert url == ("https://visio.xn--rseau-bsa.ml/salle%7Cniger%7B1%7D?nom=A%C3%AFcha&x=50%25")
    assert URI.match(url)
    # People still read the link as they typed it.
    assert spoken.shown(files_to(app, "awa")[-1][0], "meeting.link_line",
                        link="https://visio.réseau.ml/salle|niger{1}?nom=Aïcha&x=50%")


def test_an_agenda_change_sends_the_updated_file_once_with_what_changed(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say(app, "awa", "ordre du jour 1 ajouter Retours volontaires")
    say(app, "sarah", "agenda 1 add Data sharing protocol")
    sent = files_to(app, "ibrahim")
    assert len(sent) == 3  # the invitation, then one update per change
    for number, (message, cal) in enumerate(sent[1:], start=1):
        assert message.title == app.ctx.t("fr", "meeting.updated_title",
                                          kind="Réunion du réseau", number=1)
        [event] = cal.walk("VEVENT")
        assert event["SEQUENCE"] == number
        assert f"{number}. " in str(event["DESCRIPTION"])
    assert sent[1][0].paragraphs[0] == app.ctx.t("fr", "meeting.change.agenda_added",
                                                 position=1, text="Retours volontaires")
    assert sent[2][0].paragraphs[0] == app.ctx.t("fr", "meeting.change.agenda_added",
                                                 position=2, text="Data sharing protocol")
    assert app.store.meetings.get(1).sequence == 2
    # Each change is queued once per invitee, under its own key.
    keys = [r.key for r in app.store.outbox.all() if r.recipient["ref"] == "ibrahim"]
    assert keys == ["meeting:1:invite:0:ibrahim", "meeting:1:agenda:1:ibrahim",
                    "meeting:1:agenda:2:ibrahim"]


def test_an_agenda_change_in_a_series_updates_that_occurrence_only(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion série tous les deux mois le premier mardi à 10h")
    say(app, "awa", "ordre du jour 2 ajouter Bilan du semestre")
    _, cal = files_to(app, "sarah")[-1]
    master, override = cal.walk("VEVENT")
    assert master["SEQUENCE"] == override["SEQUENCE"] == 1
    assert override["RECURRENCE-ID"].dt == datetime(2027, 2, 2, 10, tzinfo=BAMAKO)
    assert "Bilan du semestre" in str(override["DESCRIPTION"])
    assert "Bilan" not in str(master.get("DESCRIPTION", ""))
