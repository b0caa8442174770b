"""Preview, then send, through the real slack-bolt app against the loopback fake Slack: a
signed slash command opening a consultation is answered with its preview and three buttons,
nothing sent; the signed « Envoyer » click opens it and queues the invitations; a form's
preview, « Modifier », opens the modal again filled in as it was sent."""

from __future__ import annotations

import json
from typing import Any

from storage.drafts import DROPPED
from tests.support.fake_slack import (  # noqa: F401 (fixtures)
    Bot,
    answer_of,
    bot_fixture,
    fake_fixture,
    network_fixture,
)
from tests.support.spoken import Spoken
from tests.test_forms_slack import opened, submit
from tests.test_slack_flows import IBRAHIM, MOUSSA, SARAH, add_focal_points, dm_of

OPEN = "consultation ouvrir Adopter le plan 2027 | vendredi 4 décembre 17h"


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["action_id"].split("#")[0], e.get("value", ""))
            for b in message.get("blocks", []) if b.get("type") == "actions"
            for e in b["elements"]]


def proposals_sent(bot: Bot) -> set[str]:
    return {c.args["channel"] for c in bot.fake.called("chat.postMessage")
            if "position.agree" in json.dumps(c.args)}


async def test_a_slash_command_is_previewed_then_sent_by_a_signed_click(
        bot: Bot, spoken: Spoken) -> None:
    add_focal_points(bot.app)
    status, _ = await bot.slack.command(MOUSSA, OPEN)
    assert status == 200
    await bot.settle()
    preview = answer_of(bot.fake)
    assert preview["response_type"] == "ephemeral"  # seen by the lead only
    assert spoken.shown(preview["text"], "preview.poll_open", "fr",
                        proposal="Adopter le plan 2027")
    draft = bot.app.store.drafts.all()[-1]
    assert buttons(preview) == [("preview.send", str(draft.id)), ("preview.edit", str(draft.id)),
                                ("preview.cancel", str(draft.id))]
    assert bot.app.store.consultations.all() == [] and proposals_sent(bot) == set()

    status, _ = await bot.slack.click(MOUSSA, "preview.send", str(draft.id), ref="sent")
    assert status == 200
    consultation = bot.app.store.consultations.get(1)
    assert consultation is not None and consultation.proposal == "Adopter le plan 2027"
    queued = [r for r in bot.app.store.outbox.all() if r.key.startswith("poll:1:open")]
    assert queued  # the invitations, queued with the press
    await bot.settle()
    assert {dm_of(SARAH), dm_of(IBRAHIM)} <= proposals_sent(bot)
    # The same click again (Slack retries, a double press): nothing more.
    sent = len(bot.fake.called("chat.postMessage"))
    assert (await bot.slack.click(MOUSSA, "preview.send", str(draft.id), ref="again"))[0] == 200
    await bot.settle()
    assert len(bot.app.store.consultations.all()) == 1
    assert [c for c in bot.fake.called("chat.postMessage")[sent:]
            if "position.agree" in json.dumps(c.args)] == []


async def test_edit_under_a_forms_preview_opens_the_modal_again_filled_in(
        bot: Bot, spoken: Spoken) -> None:
    add_focal_points(bot.app)
    view = await opened(bot, MOUSSA, "consultation")
    answers = {"proposal": "Adopter le plan 2027", "document": "",
               "deadline_date": "2026-12-04", "deadline_time": "17:00", "mode": "silence",
               "scope": "network"}
    assert await submit(bot, MOUSSA, view, answers) == {}  # the modal closes
    assert bot.app.store.consultations.all() == []
    draft = bot.app.store.drafts.all()[-1]
    bot.fake.reset()
    status, _ = await bot.slack.click(MOUSSA, "preview.edit", str(draft.id), ref="edit")
    assert status == 200
    await bot.settle()
    [call] = bot.fake.called("views.open")
    state = json.dumps(call.args["view"], ensure_ascii=False)
    assert '"initial_value": "Adopter le plan 2027"' in state
    assert '"initial_date": "2026-12-04"' in state and '"initial_time": "17:00"' in state
    assert bot.app.store.drafts.get(draft.id).status == DROPPED
    assert bot.app.store.consultations.all() == []
