"""The co-chairs' digest over a built history, section by section; once per period across a
restart; the report to the regional network with figures computed from storage."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from bot.app import BotApp
from handlers.markdown import md as inert
from handlers.types import Message, Recipient
from storage.models import FOCAL_POINT, Member
from storage.store import Store
from tests.conftest import Clock, click, ran, say, text_of
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken


def history(app: BotApp, clock: Clock) -> None:
    """A week of network life."""
    say(app, "awa", "partager https://dtm.iom.int/mali Flux #1 #donnees")
    say(app, "sarah", "share https://unhcr.org/x Protection study #7 #study")
    say(app, "ibrahim", "partager Note sans lien sur les envois de fonds")
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say(app, "awa", "ordre du jour 1 ajouter Retours volontaires")
    click(app, "awa", "rsvp.present", "1")
    click(app, "sarah", "rsvp.online", "1")
    say_and_send(app, "aminata", "consultation ouvrir Plan 2027 | vendredi 4 décembre 17h")
    say(app, "awa", "position 1 accord")
    say_and_send(app, "aminata",
                 "consultation ouvrir Note conceptuelle | lundi 30 novembre 9h | silence")
    say(app, "telegram:555", "rejoindre PAM Oumar Touré")


def digest_of(app: BotApp, who: str) -> Message:
    return say(app, who, "digest").message


def test_on_demand_digest_has_every_section(app: BotApp, clock: Clock, spoken: Spoken) -> None:
    history(app, clock)
    app.dispatcher.store.outbox.save(_dead(app))
    clock.now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    say_and_send(app, "moussa", "consultation clore 2")
    spoken.clear()
    digest = digest_of(app, "aminata")
    assert digest.title == spoken.text("digest.title", "fr", since=app.catalog.date(
        "fr", clock.now - timedelta(days=7), app.network.timezone))
    headings = [p.splitlines()[0] for p in digest.paragraphs]
    assert headings == [spoken.text(key, "fr", count=1 + 2 * (key == "digest.items"))
                        for key in ("digest.items", "digest.polls", "digest.decisions",
                                    "digest.coming_meetings", "digest.joins",
                                    "digest.undelivered")]
    text = "\n".join(digest.paragraphs)

    def line(key: str, **params: object) -> bool:
        return f"• {spoken.text(key, 'fr', **params)}" in text

    def objective(number: int) -> str:
        return f"{number}. {app.catalog.t('fr', f'gcm.{number}')}"

    assert line("digest.item_line", objective=objective(1), number=1, title="Flux",
                agency="UNICEF")
    assert line("digest.item_line", objective=objective(7), number=2, title="Protection study",
                agency="HCR")
    assert line("digest.item_line", objective=app.catalog.t("fr", "info.no_objective"),
                number=3)
    # OIT, HCDH, DAES and ONUDC have no focal point: they take no part, and are not "silent".
    silent = spoken.last("digest.poll_line", number=1, executive="OIM, PNUD, HCR")
    assert f"• {silent.text}" in text and str(silent.params["others"]).startswith("BCR, FAO, ")
    assert not {"OIT", "HCDH", "DAES", "ONUDC"} & set(str(silent.params["others"]).split(", "))
    assert line("digest.decision_line", number=2, proposal="Note conceptuelle",
                outcome=app.catalog.t("fr", "poll.outcome_short.adopted"))
    assert line("meeting.agency_line", agency="UNICEF", present=1, online=0, excused=0)
    assert line("digest.agenda_line", number=1, text="Retours volontaires")
    assert line("join.pending_line", number=1, name="Oumar Touré", identity="Telegram",
                agency="PAM")
    [md] = digest.attachments
    assert md.media_type == "text/markdown" and md.filename == "synthese-2026-11-30.md"
    assert f"## {inert(spoken.text('digest.items', count=3))}".encode() in md.content
    spoken.clear()
    assert spoken.shown(say(app, "awa", "digest"), "error.not_allowed")
    assert not spoken.has("digest.title")


def _dead(app: BotApp):
    from handlers.types import Outgoing

    app.ctx.queue(Outgoing(Recipient("member", "awa"), Message(title="Perdu"), "fr", "lost"))
    row = app.store.outbox.all()[-1]
    row.status, row.last_error = "dead", "ConnectionError: down"
    return row


def test_empty_sections_are_left_out(app: BotApp) -> None:
    digest = digest_of(app, "mariam")
    assert digest.paragraphs == [app.catalog.t("fr", "digest.nothing")]


def test_digest_since_and_bad_since(app: BotApp, clock: Clock, spoken: Spoken) -> None:
    say(app, "awa", "partager https://x.org/a A #1")
    clock.now = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    say(app, "awa", "partager https://x.org/b B #1")
    recent = "\n".join(say(app, "mariam", "digest depuis 3 jours").message.paragraphs)
    assert "n° 2 B" in recent and "n° 1 A" not in recent
    both = "\n".join(say(app, "mariam", "digest depuis 28/11/2026").message.paragraphs)
    assert "n° 1 A" in both and "n° 2 B" in both
    spoken.clear()
    assert spoken.shown(say(app, "mariam", "digest depuis hier soir"), "digest.bad_since")
    assert not spoken.has("digest.title")


def test_digest_since_a_date_in_words_and_what_is_wrong_with_a_date(app: BotApp,
                                                                   clock: Clock) -> None:
    """« depuis le 1er décembre », « depuis 2 semaines », « depuis lundi » are read by the
    time-expression parser; an impossible date says so, a day to come is refused."""
    say(app, "awa", "partager https://x.org/a A #1")
    clock.now = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    say(app, "awa", "partager https://x.org/b B #1")
    for since in ("le 1er décembre", "1er décembre", "lundi", "1 semaine", "3 jours"):
        shown = "\n".join(say(app, "mariam", f"digest depuis {since}").message.paragraphs)
        assert "n° 2 B" in shown and "n° 1 A" not in shown, since
    shown = "\n".join(say(app, "mariam", "digest depuis le 28 novembre").message.paragraphs)
    assert "n° 1 A" in shown and "n° 2 B" in shown
    assert text_of(say(app, "mariam", "digest depuis 31/11/2026")) == app.ctx.t(
        "fr", "when.impossible_date", date="31 novembre 2026")
    assert text_of(say(app, "mariam", "digest depuis 15/12/2026")) == app.ctx.t(
        "fr", "digest.future_since")


def test_markdown_file_escapes_user_text(app: BotApp) -> None:
    say(app, "awa", "partager https://x.org/a # Titre [lien](http://evil) **gras** #1")
    md = digest_of(app, "aminata").attachments[0].content.decode()
    assert "[lien](http://evil)" not in md and "\\[lien\\]\\(http://evil\\)" in md
    assert "**gras**" not in md


async def test_scheduled_digest_once_per_period_across_restart(tmp_path, network,
                                                               spoken: Spoken) -> None:
    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    say(app, "awa", "partager https://x.org/a A #1")
    clock.now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 08:00 in Bamako
    assert ran(await app.run_due_jobs(), "digest") == 1
    readers = {Recipient.from_dict(r.recipient).ref for r in store.outbox.all()
               if r.key.startswith("digest:")}
    assert readers == {"aminata", "moussa", "mariam"}
    assert ran(await app.run_due_jobs(), "digest") == 0
    store.close()

    clock.now = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # down over the next Monday
    store = Store.open(tmp_path / "d")
    again = BotApp(store, network, clock=clock)
    assert ran(await again.run_due_jobs(), "digest") == 1  # the missed one, on start-up
    assert ran(await again.run_due_jobs(), "digest") == 0
    digests = [r for r in store.outbox.all() if r.key.startswith("digest:")]
    assert len(digests) == 6  # two co-chairs and the secretariat, twice
    assert digests[-1].message["title"] == spoken.text(  # since the last one sent
        "digest.title", "fr", since=again.catalog.date(
            "fr", datetime(2026, 11, 30, 8, 0, tzinfo=UTC), network.timezone))
    store.close()


def test_a_fresh_install_owes_no_digest(app: BotApp, clock: Clock) -> None:
    specs = app.job_specs()
    assert [s.id for s in specs if s.kind == "digest"] == ["digest:2026-11-30"]


def test_report_figures_from_a_known_history(app: BotApp, clock: Clock, spoken: Spoken) -> None:
    app.store.members.save(Member(id="ilo", name="ILO FP", agency="ILO", roles=[FOCAL_POINT],
                                  identities=["slack:UILO"]))
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion jeudi 3 décembre 10h")
    say_and_send(app, "aminata", "réunion mardi 8 décembre 10h")  # after the period
    click(app, "awa", "rsvp.present", "1")
    click(app, "sarah", "rsvp.online", "1")
    click(app, "ibrahim", "rsvp.excused", "1")
    click(app, "mariam", "rsvp.present", "2")
    say_and_send(app, "aminata", "réunion annuler 2")
    say(app, "awa", "partager https://x.org/1 Un #1 #7")
    say(app, "sarah", "share https://x.org/2 Two #7")
    say(app, "ibrahim", "partager Sans objectif")
    say_and_send(app, "aminata", "consultation ouvrir P1 | mercredi 2 décembre 17h")
    say(app, "awa", "position 1 accord")
    say(app, "sarah", "position 1 objection No")
    say(app, "fatoumata", "position 1 abstention")
    say(app, "aminata", "déclaration demander Journée des migrants")
    say_and_send(app, "aminata", "déclaration projet 1 Texte | mercredi 2 décembre 17h")
    for who in ("mariam", "awa", "sarah", "ibrahim", "slack:UILO"):
        say(app, who, "position 2 accord")
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    say_and_send(app, "moussa", "consultation clore 1")
    say_and_send(app, "moussa", "consultation clore 2")
    say(app, "aminata", "déclaration publier 1")
    clock.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    from zoneinfo import ZoneInfo

    from handlers.report import figures

    tz = ZoneInfo("Africa/Bamako")
    data = figures(app.ctx, datetime(2026, 11, 1, tzinfo=tz), datetime(2026, 12, 5, tzinfo=tz))
    assert [(n, a) for n, _, a in data.meetings] == [(1, {"UNICEF": 1, "UNHCR": 1})]
    assert [(n, o) for n, o, _ in data.decisions] == [(1, "not_adopted"), (2, "adopted")]
    # Round 2: the four Executive Committee entities with a focal point agreed; ILO, OHCHR,
    # UNDESA and UNODC have none and were left out, so the statement was adopted and published.
    assert data.statements == [(1, "Journée des migrants")]
    assert data.items_by_objective == {0: 1, 1: 1, 7: 2} and data.items_total == 3
    assert data.participation["UNICEF"] == (2, 2)
    assert data.participation["WFP"] == (1, 1)  # consulted on P1 only (the statement: EC)
    assert data.participation["OHCHR"] == (0, 2)

    spoken.clear()
    reply = say(app, "mariam", "rapport 01/11/2026 04/12/2026").message
    assert reply.paragraphs == [spoken.text("report.summary", meetings=1, decisions=2,
                                            statements=1, items=3)]
    md, page = reply.attachments
    assert md.filename == "rapport-2026-11-01-2026-12-04.md" and page.media_type == "text/html"
    text = md.content.decode()
    assert inert(spoken.text("report.meeting_line", number=1, attendance="HCR 1, UNICEF 1",
                             agencies=2)) in text
    assert inert(spoken.text("report.objective_line", number=7, count=2)) in text
    participation = spoken.text("report.participation_line", agency="UNICEF", answered=2,
                                asked=2)
    assert f"<li>{html.escape(participation)}</li>" in page.content.decode()
    spoken.clear()
    assert spoken.shown(say(app, "mariam", "rapport 2026"), "report.usage")
    in_words = say(app, "mariam", "rapport du 1er novembre au 4 décembre 2026").message
    assert in_words.paragraphs == reply.paragraphs
    assert in_words.attachments[0].filename == "rapport-2026-11-01-2026-12-04.md"
    assert say(app, "mariam", "report from 1 November to 4 December 2026").message.attachments[
        0].filename == "rapport-2026-11-01-2026-12-04.md"
    assert text_of(say(app, "mariam", "rapport 31/11/2026 04/12/2026")) == app.ctx.t(
        "fr", "when.impossible_date", date="31 novembre 2026")


def test_a_long_digest_fits_every_platform_and_is_never_cut_mid_line(app: BotApp) -> None:
    from bot.platforms.slack.render import render as slack
    from bot.platforms.telegram.render import render as telegram

    for n in range(1, 400):
        say(app, "awa", f"partager https://example.org/etude-{n} Étude régionale {n} "
                        f"sur la mobilité #{1 + n % 23}")
    digest = say(app, "mariam", "digest").message
    lines = [line for p in digest.paragraphs for line in p.splitlines()]
    assert len("\n".join(lines)) > 20_000
    texts, _ = telegram(digest)
    assert len(texts) > 4 and all(len(t) < 4096 for t in texts)
    sent = "\n".join(texts).splitlines()
    assert all(line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") in
               [s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for s in sent]
               for line in lines[1:50])  # whole lines, in order, none cut in two
    blocks = slack(digest)["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert digest.attachments[0].content.decode().count("Étude régionale") == 399


def test_the_digest_shows_every_meeting_of_the_coming_two_weeks(app: BotApp,
                                                                spoken: Spoken) -> None:
    """A committee meeting tomorrow no longer hides the network's meeting two days later."""
    say_and_send(app, "aminata", "réunion comité dimanche 29 novembre 10h")
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    say_and_send(app, "aminata", "réunion jeudi 31 décembre 10h")  # beyond two weeks
    spoken.clear()
    paragraphs = digest_of(app, "mariam").paragraphs
    [section] = [p for p in paragraphs if p.startswith(
        app.ctx.t("fr", "digest.coming_meetings", count=2))]
    assert spoken.shown(section, "digest.meeting_line", number=1,
                        kind=app.ctx.t("fr", "meeting.kind.executive"))
    assert spoken.shown(section, "digest.meeting_line", number=2,
                        kind=app.ctx.t("fr", "meeting.kind.network"))
    assert not spoken.has("digest.meeting_line", number=3)


def test_the_digest_shows_the_next_meeting_when_none_is_within_two_weeks(app: BotApp) -> None:
    say_and_send(app, "aminata", "réunion jeudi 31 décembre 10h")
    paragraphs = digest_of(app, "mariam").paragraphs
    assert any(p.startswith(app.ctx.t("fr", "digest.coming_meetings", count=1))
               and "n° 1" in p for p in paragraphs)


def test_a_group_chairs_digest_is_titled_as_the_groups(app: BotApp, spoken: Spoken) -> None:
    say_and_send(app, "aminata", "réunion groupe données migratoires vendredi 4 décembre 15h")
    digest = digest_of(app, "sarah")  # chairs the group; neither co-chair nor secretariat
    assert digest.title == app.ctx.t("en", "digest.group_title", groups="Données migratoires",
                                     since="Saturday 21 November 2026")
    assert digest_of(app, "aminata").title == spoken.text("digest.title", "fr")


def test_the_digest_file_is_dated_in_the_networks_time_zone(app: BotApp, clock: Clock,
                                                            monkeypatch) -> None:
    """On a server whose clock is on Kiritimati (UTC+14), Saturday 28 November 17:00 in Bamako
    is already Sunday the 29th: the file still carries the network's date."""
    import time

    say(app, "awa", "partager https://x.org/a A #1")
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        [md] = digest_of(app, "mariam").attachments
    finally:
        monkeypatch.undo()
        time.tzset()
    assert md.filename == "synthese-2026-11-28.md"
