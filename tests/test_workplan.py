"""The annual workplan: actions, updates by the lead agency, reminders once per step across a
restart, the annual review's figures; and the group chairs' digest section."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import BotApp
from storage.store import Store
from tests.conftest import Clock, click, ran, say, text_of


def add(app: BotApp, text: str = "2027 | Atelier sur les données migratoires | OIM | "
        "15/01/2027 | #1 #23 | partenaires UNICEF, HCR") -> str:
    return text_of(say(app, "mariam", f"plan ajouter {text}"))


def test_actions_added_listed_and_updated_by_the_lead_agency(app: BotApp) -> None:
    reply = add(app)
    assert reply.splitlines() == [
        "Action n° 1 ajoutée au plan de travail 2027 :",
        "n° 1 — Atelier sur les données migratoires — pilote OIM — échéance vendredi 15 janvier "
        "2027 — prévue"]
    action = app.store.plan.get(1)
    assert (action.objectives, action.partners) == ([1, 23], ["UNICEF", "UNHCR"])
    assert "réservé" in text_of(say(app, "awa", "plan ajouter 2027 | X | OIM | 15/01/2027"))
    assert "Seuls les points focaux de l'OIM" in text_of(say(app, "awa", "action 1 en cours"))
    assert "mise à jour : en cours" in text_of(
        say(app, "mariam", "action 1 en cours Termes de référence rédigés"))
    assert "mise à jour : réalisée" in text_of(click(app, "mariam", "plan.done", "1"))
    shown = text_of(say(app, "awa", "action 1"))
    assert "samedi 28 novembre 2026 — en cours — Termes de référence rédigés" in shown
    assert "Partenaires : UNICEF, HCR" in shown
    listed = text_of(say(app, "awa", "plan 2027"))
    assert listed.startswith("Plan de travail 2027 (1 action)") and "réalisée" in listed
    assert "Seuls la co-présidence" in text_of(say(app, "ibrahim", "action 1 échéance "
                                                                  "1/02/2027"))
    assert "Utilisation" in text_of(say(app, "mariam", "action 1 peut-être"))


async def test_reminders_and_overdue_requests_once_per_step_across_restart(tmp_path,
                                                                         network) -> None:
    clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    store = Store.open(tmp_path / "d")
    app = BotApp(store, network, clock=clock)
    add(app, "2026 | Cartographie des services | PNUD | 20/12/2026")
    clock.now = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # 14 days before
    assert ran(await app.run_due_jobs(), "plan.reminder") == 1
    reminders = [r for r in store.outbox.all() if r.message["title"].startswith("Rappel : action")]
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
    overdue = [r for r in store.outbox.all() if r.message["title"].startswith("Échéance")]
    assert len(overdue) == 1
    store.close()


async def test_a_done_action_is_not_chased(app: BotApp, clock: Clock) -> None:
    add(app, "2026 | Note | PNUD | 20/12/2026")
    say(app, "ibrahim", "action 1 réalisée")
    clock.now = datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    jobs = await app.run_due_jobs()
    assert ran(jobs, "plan.reminder") == 0 and ran(jobs, "plan.overdue") == 0


def test_annual_review_figures_from_a_known_history(app: BotApp, clock: Clock) -> None:
    add(app, "2026 | Atelier | OIM | 10/12/2026 | #1")
    add(app, "2026 | Étude | PNUD | 20/12/2026")
    add(app, "2027 | Plus tard | OIM | 20/01/2027")
    say(app, "mariam", "action 1 réalisée Atelier tenu")
    say(app, "ibrahim", "action 2 en cours")
    say(app, "aminata", "réunion mardi 1 décembre 10h")
    click(app, "awa", "rsvp.present", "1")
    say(app, "awa", "partager https://x.org/a A #1")
    say(app, "aminata", "consultation ouvrir P | lundi 30 novembre 9h | silence")
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    say(app, "moussa", "consultation clore 1")
    reply = say(app, "aminata", "bilan 2026").message
    assert reply.title.endswith("bilan 2026")
    assert reply.paragraphs[0].startswith(
        "Plan de travail : 2 actions dont 1 réalisée et 1 en cours ; 1 réunion tenue, "
        "1 décision, 0 déclaration, 1 information partagée.")
    md, page = reply.attachments
    text = md.content.decode()
    assert "## Plan de travail \\(2 actions\\)" in text and "Atelier tenu" in text
    assert "Plus tard" not in text
    assert "réalisée : 1" in text and "en cours : 1" in text  # the report's workplan section
    assert page.filename == "bilan-2026.html"
    assert "Utilisation" in text_of(say(app, "aminata", "bilan deux-mille"))


def test_digest_gains_a_workplan_section_and_group_chairs_get_theirs(app: BotApp) -> None:
    add(app, "2026 | Cartographie | PNUD | 20/12/2026")
    digest = "\n".join(say(app, "mariam", "digest").message.paragraphs)
    assert "Plan de travail : échéances proches ou dépassées (1)" in digest
    say(app, "sarah", "réunion groupe Données migratoires jeudi 3 décembre 10h")
    chair = say(app, "sarah", "digest").message  # Sarah chairs the demo group
    assert [p.splitlines()[0] for p in chair.paragraphs] == [
        "Données migratoires working group"]
    assert "Plan de travail" not in "\n".join(chair.paragraphs)
