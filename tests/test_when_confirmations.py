"""Dates said back: a deadline without a time is the end of the working day (a network
setting), a time named in another zone is shown in both, a conventional phrase is shown with its
meaning, a refusal names its date in words, and a series with an end and skipped months becomes
meetings and a calendar file."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from bot.app import BotApp
from handlers.types import Message, Recipient
from storage.store import Store
from tests.conftest import Clock, say, text_of
from tests.support.previews import say_and_send, send_preview

BAMAKO = ZoneInfo("Africa/Bamako")


def deadline_of(app: BotApp, number: int = 1) -> datetime:
    return datetime.fromisoformat(app.store.consultations.get(number).deadline).astimezone(BAMAKO)


def test_a_deadline_without_a_time_is_the_end_of_the_working_day(app: BotApp) -> None:
    """It used to be 10:00, the meetings' default hour: a consultation « d'ici vendredi » closed
    in the morning."""
    reply = say(app, "aminata", "consultation ouvrir Plan 2027 | vendredi")
    send_preview(app, "aminata", reply)
    assert deadline_of(app) == datetime(2026, 12, 4, 17, 0, tzinfo=BAMAKO)
    assert app.ctx.t("fr", "when.read_as", meanings=app.ctx.t(
        "fr", "when.meaning.end_of_day", time="17:00")) in reply.message.paragraphs
    say_and_send(app, "aminata", "consultation prolonger 1 au plus tard lundi 7 décembre")
    assert deadline_of(app) == datetime(2026, 12, 7, 17, 0, tzinfo=BAMAKO)
    say_and_send(app, "aminata", "consultation ouvrir Note | d'ici 72h")
    assert deadline_of(app, 2) == datetime(2026, 12, 1, 17, 0, tzinfo=BAMAKO)


def test_the_end_of_the_working_day_is_the_networks_setting(store: Store, network,
                                                             clock: Clock) -> None:
    app = BotApp(store, replace(network, end_of_day=time(16, 30)), clock=clock)
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | fin du mois")
    assert deadline_of(app) == datetime(2026, 11, 30, 16, 30, tzinfo=BAMAKO)
    say(app, "aminata", "plan ajouter 2027 | Étude | OIM | vendredi 11 décembre")
    due = datetime.fromisoformat(app.store.plan.get(1).due).astimezone(BAMAKO)
    assert due == datetime(2026, 12, 11, 16, 30, tzinfo=BAMAKO)


def test_a_time_in_another_zone_is_converted_and_shown_in_both(app: BotApp) -> None:
    reply = say(app, "aminata", "réunion mardi 1er décembre 14h heure de Genève")
    send_preview(app, "aminata", reply)
    meeting = app.store.meetings.get(1)
    assert datetime.fromisoformat(meeting.start) == datetime(2026, 12, 1, 13, 0, tzinfo=BAMAKO)
    t = app.ctx.t
    both = t("fr", "when.both_zones",
             here=t("fr", "when.at_place", time="13:00–15:00", place="Bamako"),
             there=t("fr", "when.at_place", time="14:00–16:00", place="Genève"))
    assert both == "13:00–15:00 à Bamako — 14:00–16:00 à Genève"
    assert both in reply.message.paragraphs
    say(app, "mariam", "langue en")
    english_reply = say(app, "mariam", "meeting Tuesday 8 December 9am New York time")
    send_preview(app, "mariam", english_reply)
    english = english_reply.message
    assert t("en", "when.both_zones",
             here=t("en", "when.at_place", time="14:00–16:00", place="Bamako"),
             there=t("en", "when.at_place", time="09:00–11:00", place="New York")
             ) in english.paragraphs
    gmt = say_and_send(app, "aminata", "réunion mercredi 2 décembre 10h GMT").message
    assert not any(" — " in p for p in gmt.paragraphs)  # GMT is Bamako's own clock


def test_an_abbreviated_zone_is_shown_with_its_season(app: BotApp) -> None:
    reply = say(app, "aminata", "consultation ouvrir Plan | jeudi 3 décembre 15h CET")
    send_preview(app, "aminata", reply)
    assert deadline_of(app) == datetime(2026, 12, 3, 14, 0, tzinfo=BAMAKO)
    t = app.ctx.t
    assert t("fr", "when.both_zones", here=t("fr", "when.at_place", time="14:00",
                                             place="Bamako"),
             there=t("fr", "when.in_zone", time="15:00", zone="CET")) in reply.message.paragraphs


def test_a_conventional_period_is_shown_with_its_meaning(app: BotApp) -> None:
    reply = say(app, "aminata", "réunion lundi en fin de matinée")
    send_preview(app, "aminata", reply)
    meeting = app.store.meetings.get(1)
    assert datetime.fromisoformat(meeting.start) == datetime(2026, 11, 30, 11, 30, tzinfo=BAMAKO)
    assert app.ctx.t("fr", "when.read_as", meanings=app.ctx.t(
        "fr", "when.meaning.late_morning", time="11:30")) in reply.message.paragraphs
    moved = say(app, "aminata", "réunion déplacer 1 mardi en début d'après-midi").message
    assert app.ctx.t("fr", "when.read_as", meanings=app.ctx.t(
        "fr", "when.meaning.early_afternoon", time="14:00")) in moved.paragraphs


def test_a_refused_date_is_named_in_words(app: BotApp) -> None:
    """The reason came with an ISO date (« 2026-11-02 »); it is now in the reader's words."""
    shown = text_of(say_and_send(app, "aminata", "réunion lundi 2 novembre 2026 10h"))
    assert shown == app.ctx.t("fr", "when.past", date="lundi 2 novembre 2026", time="10:00")
    say(app, "mariam", "langue en")
    shown = text_of(say_and_send(app, "mariam", "meeting 2 November 2026 10am"))
    assert shown == app.ctx.t("en", "when.past", date="Monday 2 November 2026", time="10:00")


def test_an_unknown_zone_is_refused_by_name(app: BotApp) -> None:
    shown = text_of(say_and_send(app, "aminata", "réunion mardi 10h heure de Tokyo"))
    assert shown == app.ctx.t("fr", "when.unknown_zone", zone="tokyo")
    assert not app.store.meetings.all()


def test_a_series_with_an_end_and_skipped_months_becomes_meetings(app: BotApp) -> None:
    say_and_send(app, "aminata",
                 "réunion série un jeudi sur deux à 10h jusqu'en février sauf en janvier")
    starts = [datetime.fromisoformat(m.start).astimezone(BAMAKO).date().isoformat()
              for m in app.store.meetings.all()]
    assert starts == ["2026-12-03", "2026-12-17", "2026-12-31", "2027-02-11", "2027-02-25"]
    series = app.store.series.get(1)
    assert series.rrule == ("FREQ=WEEKLY;INTERVAL=2;BYMONTH=2,3,4,5,6,7,8,9,10,11,12;BYDAY=TH;"
                            "BYHOUR=10;BYMINUTE=0;COUNT=5")
    assert calendar_starts(app, "awa") == [datetime.fromisoformat(m.start).astimezone(BAMAKO)
                                           for m in app.store.meetings.all()]


def calendar_starts(app: BotApp, member_id: str) -> list[datetime]:
    """The occurrences the series' calendar file gives a member's calendar."""
    [message] = [Message.from_dict(r.message) for r in app.store.outbox.all()
                 if Recipient.from_dict(r.recipient) == Recipient("member", member_id)]
    [ics] = [a for a in message.attachments if a.media_type == "text/calendar"]
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(ics.content)).between(
        datetime(2026, 1, 1), datetime(2030, 1, 1))
    return sorted(e["DTSTART"].dt for e in events)


def test_a_series_on_the_last_working_day_of_each_quarter(app: BotApp) -> None:
    """BYSETPOS over Monday to Friday and the quarter's months: the meetings and the calendar
    file agree."""
    say_and_send(app, "aminata",
                 "réunion série le dernier jour ouvré de chaque trimestre à 10h, 4 fois")
    starts = [datetime.fromisoformat(m.start).astimezone(BAMAKO).date().isoformat()
              for m in app.store.meetings.all()]
    assert starts == ["2026-12-31", "2027-03-31", "2027-06-30", "2027-09-30"]
    assert calendar_starts(app, "awa") == [datetime.fromisoformat(m.start).astimezone(BAMAKO)
                                           for m in app.store.meetings.all()]
