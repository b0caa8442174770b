"""The annual workplan: actions, updates by the lead agency, reminders once per step across a
restart, the annual review's figures; and the group chairs' digest section."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotApp
from handlers.markdown import md
from storage.store import Store
from tests.conftest import Clock, click, ran, say, text_of
from tests.support.previews import say_and_send
from tests.support.spoken import Spoken


def add(app: BotApp, text: str = "2027 | Atelier sur les données migratoires | OIM | "
        "15/01/2027 | #1 #23 | partenaires UNICEF, HCR") -> str:
    return text_of(say(app, "mariam", f"plan ajouter {text}"))


def test_actions_added_listed_and_updated_by_the_lead_agency(app: BotApp, clock: Clock,
                                                             spoken: Spoken) -> None:
    def status(key: str) -> str:
        return app.catalog.t("fr", f"plan.status.{key}")

    def answered(who: str, text: str, key: str, **params: object) -> bool:
        spoken.clear()
        return spoken.shown(say(app, who, text), key, **params)

    reply = add(app)
    assert reply.splitlines() == [spoken.text("plan.added", number=1, year=2027),
                                  spoken.text("plan.line", number=1, status=status("planned"))]
    action = app.store.plan.get(1)
    assert spoken.last("plan.line", number=1).params == {
        "number": 1, "title": "Atelier sur les données migratoires", "agency": "OIM",
        "due": app.catalog.date("fr", datetime.fromisoformat(action.due), "Africa/Bamako"),
        "status": status("planned")}
    assert action.due.startswith("2027-01-1")  # 15 January, Bamako time, stored in UTC
    assert (action.objectives, action.partners) == ([1, 23], ["UNICEF", "UNHCR"])
    assert answered("awa", "plan ajouter 2027 | X | OIM | 15/01/2027", "error.not_allowed")
    assert answered("awa", "action 1 en cours", "plan.not_lead", agency="OIM")
    assert app.store.plan.get(1).status == "planned"
    assert answered("mariam", "action 1 en cours Termes de référence rédigés", "plan.updated",
                    number=1, status=status("in_progress"))
    assert app.store.plan.get(1).status == "in_progress"
    spoken.clear()
    assert spoken.shown(click(app, "mariam", "plan.done", "1"), "plan.updated", number=1,
                        status=status("done"))
    assert app.store.plan.get(1).status == "done"
    spoken.clear()
    shown = say(app, "awa", "action 1")
    assert spoken.shown(shown, "plan.note_line", text="Termes de référence rédigés",
                        status=status("in_progress"),
                        date=app.catalog.date("fr", clock.now, "Africa/Bamako"))
    assert spoken.shown(shown, "plan.partners", agencies="UNICEF, HCR")
    spoken.clear()
    listed = say(app, "awa", "plan 2027")
    assert spoken.shown(listed, "plan.title", year=2027, count=1)
    assert spoken.shown(listed, "plan.line", number=1, status=status("done"))
    assert answered("ibrahim", "action 1 échéance 1/02/2027", "plan.leads_only")
    assert app.store.plan.get(1).due == action.due
    assert answered("mariam", "action 1 peut-être", "plan.update_usage")


async def test_reminders_and_overdue_requests_once_per_step_across_restart(tmp_path,
                                                                         network) -> None:
    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    add(app, "2026 | Cartographie des services | PNUD | 20/12/2026")
    clock.now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # 14 days before
    assert ran(await app.run_due_jobs(), "plan.reminder") == 1
    reminders = [r for r in store.outbox.all() if r.key.startswith("plan-reminder:1:")]
    assert [r.recipient["ref"] for r in reminders] == ["ibrahim"]
    assert [b["action"] for b in reminders[0].message["buttons"]] == [
        "plan.in_progress", "plan.done", "plan.postponed"]
    store.close()
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    assert ran(await app.run_due_jobs(), "plan.reminder") == 0  # not twice after a restart
    clock.now = datetime(2026, 12, 21, 18, 0, tzinfo=UTC)  # the 2-day reminder was missed
    jobs = await app.run_due_jobs()
    assert ran(jobs, "plan.overdue") == 1 and ran(jobs, "plan.reminder") == 0
    assert ran(await app.run_due_jobs(), "plan.overdue") == 0
    store.close()
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    assert ran(await app.run_due_jobs(), "plan.overdue") == 0
    overdue = [r for r in store.outbox.all() if r.key.startswith("plan-overdue:1:")]
    assert len(overdue) == 1
    store.close()


async def test_a_done_action_is_not_chased(app: BotApp, clock: Clock) -> None:
    add(app, "2026 | Note | PNUD | 20/12/2026")
    say(app, "ibrahim", "action 1 réalisée")
    clock.now = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    jobs = await app.run_due_jobs()
    assert ran(jobs, "plan.reminder") == 0 and ran(jobs, "plan.overdue") == 0


def test_annual_review_figures_from_a_known_history(app: BotApp, clock: Clock,
                                                     spoken: Spoken) -> None:
    add(app, "2026 | Atelier | OIM | 10/12/2026 | #1")
    add(app, "2026 | Étude | PNUD | 20/12/2026")
    add(app, "2027 | Plus tard | OIM | 20/01/2027")
    say(app, "mariam", "action 1 réalisée Atelier tenu")
    say(app, "ibrahim", "action 2 en cours")
    say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
    click(app, "awa", "rsvp.present", "1")
    say(app, "awa", "partager https://x.org/a A #1")
    say_and_send(app, "aminata", "consultation ouvrir P | lundi 30 novembre 9h | silence")
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    say_and_send(app, "moussa", "consultation clore 1")
    spoken.clear()
    reply = say(app, "aminata", "bilan 2026").message
    assert reply.title == spoken.text("plan.review_title", year=2026)
    assert reply.paragraphs[0] == spoken.text(
        "plan.review_summary", actions=2, done=1, in_progress=1, meetings=1, decisions=1,
        statements=0, items=1)
    markdown, page = reply.attachments
    text = markdown.content.decode()
    assert f"## {md(spoken.text('plan.review_workplan', count=2))}" in text
    assert "Atelier tenu" in text and "Plus tard" not in text
    for status in ("done", "in_progress"):  # the report's workplan section
        assert md(spoken.text("report.workplan_line", count=1,
                              status=app.catalog.t("fr", f"plan.status.{status}"))) in text
    assert page.filename == "bilan-2026.html"
    spoken.clear()
    assert spoken.shown(say(app, "aminata", "bilan deux-mille"), "plan.review_usage")


def test_digest_gains_a_workplan_section_and_group_chairs_get_theirs(app: BotApp,
                                                                     spoken: Spoken) -> None:
    add(app, "2026 | Cartographie | PNUD | 20/12/2026")
    digest = "\n".join(say(app, "mariam", "digest").message.paragraphs)
    assert spoken.shown(digest, "digest.workplan", count=1)
    say_and_send(app, "sarah", "réunion groupe Données migratoires jeudi 3 décembre 10h")
    spoken.clear()
    chair = say(app, "sarah", "digest").message  # Sarah chairs the demo group
    assert [p.splitlines()[0] for p in chair.paragraphs] == [
        spoken.text("digest.group", "en", group="Données migratoires")]
    assert not spoken.has("digest.workplan")
