"""Work a request leaves for after its acknowledgement: what a recorded position tells others
(the agency's cards, the channel's card, the colleague whose position it replaced). Written in
the request's own transaction, so it is durable with the ack and done even if the process dies
right after; run by the dispatcher before its deliveries (``handlers/followups.py``), removed
in the transaction of what it queued, so it is done once — and the file holds only what is
still to do (one per change of position, kept, made it grow with every click for ever)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.collection import by_field
from storage.records import Record, Time
from storage.repository import Numbered

WAITING = "waiting"
DONE = "done"  # written by earlier versions; done follow-ups are now removed
FAILED = "failed"  # its work raised: logged, kept, not tried again (it would raise again)


@dataclass
class Followup(Record):
    """Do ``kind`` (a name ``handlers/followups.py`` knows) with ``args``."""

    id: int
    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    created_at: Time = ""
    status: str = WAITING  # waiting | done | failed


class Followups(Numbered[Followup]):
    """Numbered follow-ups; those still waiting are found through an index."""

    indexes = {"status": by_field("status")}

    def waiting(self) -> list[Followup]:
        return self.lookup("status", WAITING)

    def count_waiting(self) -> int:
        """How many wait (from the index: nothing decoded), for ``/healthz``."""
        return len(self._c.numbers("status", WAITING))

    def remove(self, followup: Followup) -> None:
        """A follow-up done: gone, in the transaction of what it did."""
        self._c.delete_number(followup.id)
