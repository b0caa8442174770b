"""Who decides a consultation and what was decided, as pure functions of plain data.

The deciding body is the Executive Committee for a network consultation or a statement round, and
the group's member agencies for a working group's consultation. When a consultation opens, that
body is split into the *deciding set* (entities with an active focal point, who can answer) and
the *empty seats* (entities with none, who cannot); both are stored on the consultation, so its
outcome is explained and reproduced from its own record, whatever happens to membership later.

UN practice: consensus is the absence of objection among those taking part, so an empty seat is
left out of the decision, and named. A network may choose the stricter reading in its
configuration: an empty seat then blocks consensus. A silence procedure needs no answer, so an
empty seat changes nothing there beyond being named: it cannot break the silence.

A focal point approved for an empty seat while the consultation is open may answer: an entity
that does so before the close takes part like any other (its objection blocks; in consensus its
position counts), and under the stricter reading its seat no longer blocks. An empty seat that
stays silent is left out (or blocks, strictly); it is never counted as a missing answer, since
nobody could give one when the consultation opened.

An entity taking part that the proposal never reached (its invitations could not be delivered to
any of its focal points: a platform down until the deadline, a person who never opened the bot)
is not silent: silence is consent, or a missing answer, only from someone who was asked. It is
named apart (``not_reached``) and the proposal is not adopted, under consensus (its position is
missing) as under the silence procedure (its silence cannot be read as consent): whoever leads
the consultation extends it, and the invitations go out again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from handlers.settings import Agency, Network

ADOPTED = "adopted"
NOT_ADOPTED = "not_adopted"
NO_FOCAL_POINT = "no_focal_point"  # why an entity was left out


@dataclass(frozen=True)
class Seats:
    """Fixed when a consultation opens: who takes part, whose seat is empty, which reading."""

    deciding: tuple[str, ...]
    empty: tuple[str, ...] = ()
    empty_seat_blocks: bool = False


@dataclass(frozen=True)
class Decision:
    """An outcome with its reasons, in the deciding body's order (agency codes)."""

    outcome: str
    objected: tuple[str, ...] = ()  # took part and objected
    silent: tuple[str, ...] = ()  # took part, gave no position, and consensus needed one
    left_out: tuple[tuple[str, str], ...] = ()  # (agency, why): decided without them
    blocking: tuple[str, ...] = ()  # empty seats that blocked consensus (the stricter reading)
    joined: tuple[str, ...] = ()  # empty at opening, answered once a focal point was approved
    nobody: bool = False  # no entity could take part
    not_reached: tuple[str, ...] = ()  # took part, never got the proposal, gave no position

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "objected": list(self.objected),
                "silent": list(self.silent),
                "left_out": [{"agency": a, "why": why} for a, why in self.left_out],
                "blocking": list(self.blocking), "joined": list(self.joined),
                "nobody": self.nobody, "not_reached": list(self.not_reached)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        return cls(outcome=str(data.get("outcome", NOT_ADOPTED)),
                   objected=tuple(data.get("objected", ())),
                   silent=tuple(data.get("silent", ())),
                   left_out=tuple((e["agency"], e.get("why", NO_FOCAL_POINT))
                                  for e in data.get("left_out", ())),
                   blocking=tuple(data.get("blocking", ())),
                   joined=tuple(data.get("joined", ())),
                   nobody=bool(data.get("nobody", False)),
                   not_reached=tuple(data.get("not_reached", ())))


def empty_executive_seats(network: Network, staffed: Collection[str]) -> list[Agency]:
    """The Executive Committee entities that no active focal point speaks for (``staffed``:
    the agency codes that have one): ``membres`` and ``reseau-bot check`` warn about them."""
    return [a for a in network.executive_committee if a.code not in staffed]


def seats_of(body: Sequence[str], with_focal_point: Collection[str],
             empty_seat_blocks: bool = False) -> Seats:
    """The deciding ``body`` split into the entities that can answer (an active focal point)
    and the empty seats, under the network's reading."""
    return Seats(tuple(a for a in body if a in with_focal_point),
                 tuple(a for a in body if a not in with_focal_point), empty_seat_blocks)


def decide(mode: str, seats: Seats, positions: Mapping[str, str],
           unreached: Collection[str] = ()) -> Decision:
    """The outcome of a consultation in ``mode`` (``consensus`` or ``silence``) from its
    ``seats``, the current ``positions`` (agency code → choice) and the agencies the proposal
    is known not to have reached (``unreached``).

    Consensus: adopted when everyone taking part answered and none objects. Silence procedure:
    adopted unless someone taking part objects. Nobody taking part adopts nothing, and neither
    rule adopts while an entity taking part was never reached and gave no position.
    """
    joined = tuple(a for a in seats.empty if a in positions)
    taking_part = seats.deciding + joined
    unanswered_empty = tuple(a for a in seats.empty if a not in positions)
    objected = tuple(a for a in taking_part if positions.get(a) == "objection")
    not_reached = tuple(a for a in taking_part if a not in positions and a in unreached)
    blocking: tuple[str, ...] = ()
    silent: tuple[str, ...] = ()
    if mode == "consensus":
        silent = tuple(a for a in taking_part if a not in positions and a not in not_reached)
        if seats.empty_seat_blocks:
            blocking = unanswered_empty
    left_out = tuple((a, NO_FOCAL_POINT) for a in unanswered_empty if a not in blocking)
    nobody = not taking_part
    adopted = not (nobody or objected or silent or blocking or not_reached)
    return Decision(ADOPTED if adopted else NOT_ADOPTED, objected, silent, left_out, blocking,
                    joined, nobody, not_reached)
