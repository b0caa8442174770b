"""Who someone is to the bot, for permissions: derived from the member, never stored twice."""

from __future__ import annotations

from handlers.settings import Network
from storage.models import CO_CHAIR, EXTERNAL_PARTNER, FOCAL_POINT, SECRETARIAT, Member

UNKNOWN = "unknown"
EXEC_FOCAL_POINT = "exec_focal_point"
GROUP_CHAIR = "group_chair"
ALL_ROLES = (UNKNOWN, EXTERNAL_PARTNER, FOCAL_POINT, EXEC_FOCAL_POINT, GROUP_CHAIR, SECRETARIAT,
             CO_CHAIR)

ANYONE = frozenset(ALL_ROLES)
MEMBERS = ANYONE - {UNKNOWN}
FOCAL_POINTS = frozenset({FOCAL_POINT, EXEC_FOCAL_POINT})
LEADS = frozenset({SECRETARIAT, CO_CHAIR})
LEADS_AND_GROUP_CHAIRS = LEADS | {GROUP_CHAIR}
SECRETARIAT_ONLY = frozenset({SECRETARIAT})
CO_CHAIRS = frozenset({CO_CHAIR})


def roles_of(member: Member | None, network: Network,
             group_chair: bool = False) -> frozenset[str]:
    """The roles that decide what ``member`` may do; an Executive Committee agency's focal point
    is both ``focal_point`` and ``exec_focal_point``; a working group's chair is also
    ``group_chair`` (for that group only: the handlers check which)."""
    if member is None or not member.active:
        return frozenset({UNKNOWN})
    roles = set(member.roles)
    agency = network.agency(member.agency)
    if FOCAL_POINT in roles and agency is not None and agency.executive:
        roles.add(EXEC_FOCAL_POINT)
    if group_chair:
        roles.add(GROUP_CHAIR)
    return frozenset(roles)
