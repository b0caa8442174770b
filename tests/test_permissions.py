"""The permission table, tested whole: every command and every button, as every role, on every
platform; and ``aide`` generated from the same table."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from handlers.commands import ACTIONS, COMMANDS
from handlers.roles import ALL_ROLES, roles_of
from handlers.types import Inbound, Reply
from storage.models import CO_CHAIR, EXTERNAL_PARTNER, FOCAL_POINT, SECRETARIAT, Member
from tests.conftest import text_of
from tests.support.spoken import Spoken

PEOPLE = {
    "unknown": None,
    "external_partner": ("RCO", [EXTERNAL_PARTNER]),
    "focal_point": ("WFP", [FOCAL_POINT]),
    "exec_focal_point": ("ILO", [FOCAL_POINT]),
    "group_chair": ("WFP", [FOCAL_POINT]),
    "secretariat": ("IOM", [SECRETARIAT]),
    "co_chair": ("RCO", [CO_CHAIR]),
}


def person(app: BotApp, role: str, platform: str) -> tuple[str, Member | None]:
    user = f"perm-{role}".replace("_", "-")
    spec = PEOPLE[role]
    if spec is None:
        return user, None
    member = Member(id=user, name=f"Test {role}", agency=spec[0], roles=list(spec[1]),
                    identities=[f"{platform}:{user}"], language="fr")
    app.store.members.save(member)
    if role == "group_chair":
        group = app.store.groups.get("donnees-migratoires")
        group.members.append(member.id)
        group.chairs.append(member.id)
        app.store.groups.save(group)
    return user, member


def refused(spoken: Spoken, reply: Reply) -> bool:
    """Whether the reply is the refusal of a command or button the person may not use."""
    return (spoken.shown(reply, "error.not_allowed")
            or spoken.shown(reply, "error.not_a_member"))


@pytest.mark.parametrize("platform", ["console", "slack", "telegram"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_command_and_action_as_every_role(app: BotApp, role: str, platform: str,
                                                spoken: Spoken) -> None:
    user, member = person(app, role, platform)
    roles = roles_of(member, app.network, app.ctx.is_group_chair(member))
    assert role in roles
    for command in COMMANDS:
        name = app.router.name(command, "fr")
        spoken.clear()
        reply = app.handle(Inbound(platform=platform, user_id=user, text=name))
        allowed = bool(roles & command.roles)
        assert refused(spoken, reply) != allowed, (command.key, role, text_of(reply))
    for action in ACTIONS:
        spoken.clear()
        reply = app.handle(Inbound(platform=platform, user_id=user, action=action.name,
                                   value="1"))
        allowed = bool(roles & action.roles)
        assert refused(spoken, reply) != allowed, (action.name, role, text_of(reply))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_help_lists_exactly_what_the_table_allows(app: BotApp, role: str) -> None:
    user, member = person(app, role, "console")
    roles = roles_of(member, app.network, app.ctx.is_group_chair(member))
    shown = "\n".join(text_of(app.handle(Inbound(platform="console", user_id=user,
                                                  text=f"aide {topic}")))
                       for topic in ("réunions", "consultations", "informations", "réseau"))
    listed = {line[2:].split(" — ")[0] for line in shown.splitlines() if line.startswith("• ")}
    expected = set()
    for command in COMMANDS:
        if roles & command.roles and not command.hidden:
            usage = app.catalog.t("fr", f"cmd.{command.key}.usage")
            name = app.router.name(command, "fr")
            expected.add(f"{name} {usage}" if usage else name)
    assert listed == expected


def test_a_refusal_that_does_not_name_who_may_is_caught(app: BotApp, spoken: Spoken) -> None:
    """The refusal is shown, names the command as typed and the roles allowed, in the reader's
    language; a person the network does not know is told how to join instead."""
    from handlers.roles import LEADS

    assert {c.key for c in COMMANDS if c.roles == LEADS} >= {"meeting", "group_create", "report"}
    catalog = app.catalog
    leads = {lang: catalog.join(lang, [catalog.t(lang, "role.secretariat"),
                                       catalog.t(lang, "role.co_chair")]) for lang in ("fr", "en")}
    for who, lang in (("awa", "fr"), ("sarah", "en")):  # focal points, one of each language
        for key in ("meeting", "group_create", "report"):
            command = next(c for c in COMMANDS if c.roles == LEADS and c.key == key)
            name = app.router.name(command, lang)
            spoken.clear()
            reply = app.handle(Inbound(platform="console", user_id=who, text=name))
            assert spoken.shown(reply, "error.not_allowed", lang, command=name, who=leads[lang])
    spoken.clear()
    reply = app.handle(Inbound(platform="console", user_id="perm-stranger", text="rapport"))
    assert spoken.shown(reply, "error.not_a_member", command="rapport", who=leads["fr"])
