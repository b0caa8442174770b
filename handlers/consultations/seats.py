"""Who is consulted and who decides: the agencies asked, the deciding seats fixed at opening
(empty when an agency has no active focal point), the people who get the proposal, who has not
answered, and who may see a statement round's draft."""

from __future__ import annotations

from handlers import consensus
from handlers.consensus import Decision, Seats
from handlers.context import Context
from handlers.roles import EXEC_FOCAL_POINT, LEADS
from handlers.router import Request
from handlers.settings import Agency, slugify
from storage.models import CO_CHAIR, FOCAL_POINT, Consultation, Member


def consulted_for(ctx: Context, scope: str, group: str | None) -> list[Agency]:
    """The agencies asked: the Executive Committee for a statement, a group's members' agencies
    for a group, otherwise every agency of the network. Executive Committee first."""
    network = ctx.network
    if scope == "executive":
        agencies = list(network.executive_committee)
    elif scope == "group":
        found = ctx.store.groups.get(slugify(group or ""))
        codes = set()
        for member_id in (found.members if found else ()):
            member = ctx.store.members.get(member_id)
            if member is not None and member.active:
                codes.add(member.agency)
        agencies = [a for a in network.agencies if a.code in codes]
    else:
        agencies = list(network.agencies)
    order = {a.code: n for n, a in enumerate(network.agencies)}
    return sorted(agencies, key=lambda a: (not a.executive, order[a.code]))


def consulted_agencies(ctx: Context, consultation: Consultation) -> list[Agency]:
    return consulted_for(ctx, consultation.scope, consultation.group)


def seats_for(ctx: Context, scope: str, group: str | None) -> Seats:
    """Who can decide now: a group's member agencies decide its consultations, the Executive
    Committee the others; an entity with no active focal point has an empty seat."""
    body = [a.code for a in consulted_for(ctx, scope, group)
            if scope == "group" or a.executive]
    return consensus.seats_of(body, staffed_agencies(ctx), ctx.network.empty_seat_blocks)


def staffed_agencies(ctx: Context) -> set[str]:
    """The agencies with at least one active focal point: those that can answer."""
    return ctx.store.members.agencies_with(FOCAL_POINT)


def seats_of(ctx: Context, consultation: Consultation) -> Seats:
    """As recorded when the consultation opened (one stored before that was recorded: as now)."""
    if consultation.deciding is None:
        return seats_for(ctx, consultation.scope, consultation.group)
    return Seats(tuple(consultation.deciding), tuple(consultation.empty_seats),
                 consultation.empty_seat_blocks)


def decision_of(ctx: Context, consultation: Consultation) -> Decision:
    """The stored decision of a closed consultation; for an open one, what would be decided now."""
    if consultation.decision is not None:
        return Decision.from_dict(consultation.decision)
    if consultation.status == "closed":  # closed before reasons were recorded
        return Decision(consultation.outcome or consensus.NOT_ADOPTED)
    current = ctx.store.positions.choices(consultation.id)
    return consensus.decide(consultation.mode, seats_of(ctx, consultation), current,
                            unreached(consultation))


def focal_points(ctx: Context, agency_code: str) -> list[Member]:
    return [m for m in ctx.store.members.of_agency(agency_code) if FOCAL_POINT in m.roles]


def consulted_people(ctx: Context, consultation: Consultation,
                     agencies: list[str] | None = None) -> list[Member]:
    codes = agencies if agencies is not None else [
        a.code for a in consulted_agencies(ctx, consultation)]
    return [m for code in codes for m in focal_points(ctx, code)]


def audience(ctx: Context, consultation: Consultation) -> list[Member]:
    """Who is told of the outcome directly: the consulted focal points, and for a statement
    round (never announced in a channel) the co-chairs, who publish."""
    people = consulted_people(ctx, consultation)
    if consultation.scope == "executive":
        people += ctx.store.members.with_role(CO_CHAIR)
    return people


def unreached(consultation: Consultation) -> set[str]:
    """The agencies whose invitations the dispatcher could not deliver to any focal point."""
    return {code for code, state in consultation.delivery.items() if state != "reached"}


def may_see(req: Request, consultation: Consultation) -> bool:
    """A statement round (a draft) is for the Executive Committee and the leads only."""
    return consultation.scope != "executive" or bool(req.roles & (LEADS | {EXEC_FOCAL_POINT}))


def silent_agencies(ctx: Context, consultation: Consultation) -> tuple[list[Agency],
                                                                         list[Agency]]:
    """The agencies that have not answered: those taking part in the decision, then the others.
    An empty seat left unanswered is neither, nor an agency the proposal never reached: they
    are named apart (``seats_lines``, ``reached_lines``, outcome)."""
    current = ctx.store.positions.current(consultation.id)
    seats = seats_of(ctx, consultation)
    missed = unreached(consultation)
    silent = [a for a in consulted_agencies(ctx, consultation)
              if a.code not in current and a.code not in seats.empty and a.code not in missed]
    return ([a for a in silent if a.code in seats.deciding],
            [a for a in silent if a.code not in seats.deciding])
