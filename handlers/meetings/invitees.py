"""Who a meeting invites: decided by its kind when the invitation goes out, then read from the
record kept on the meeting (``Meeting.invited``)."""

from __future__ import annotations

from handlers.context import Context
from handlers.settings import slugify
from storage.models import CO_CHAIR, EXTERNAL_PARTNER, SECRETARIAT, Meeting, MeetingSeries, Member


def kind_invites(ctx: Context, meeting: Meeting | MeetingSeries, member: Member) -> bool:
    """Whether the kind of ``meeting`` invites ``member``: everyone to the annual meeting, the
    Executive Committee's agencies with the co-chairs and the secretariat to its meetings, a
    group's members to the group's, every member but external partners to the network's."""
    if meeting.kind == "annual":
        return True
    if meeting.kind == "executive":
        agency = ctx.network.agency(member.agency)
        return (CO_CHAIR in member.roles or SECRETARIAT in member.roles
                or (agency is not None and agency.executive))
    if meeting.kind == "group":
        group = ctx.store.groups.get(slugify(meeting.group or ""))
        return group is not None and member.id in group.members
    return EXTERNAL_PARTNER not in member.roles


def eligible(ctx: Context, meeting: Meeting | MeetingSeries) -> list[Member]:
    """Everyone the kind of ``meeting`` invites today: who gets the invitation when it goes
    out."""
    return [m for m in ctx.store.members.active() if kind_invites(ctx, meeting, m)]


def invitees(ctx: Context, meeting: Meeting) -> list[Member]:
    """Who was invited to ``meeting`` (the record kept as invitations go out), still active.
    A meeting stored before the record was kept falls back to who its kind invites."""
    if meeting.invited is None:
        return eligible(ctx, meeting)
    ids = set(meeting.invited)
    return [m for m in ctx.store.members.active() if m.id in ids]
