"""« Plus tard »: one person's wish to be reminded of a card (an invitation, a consultation) at
a moment they chose. Kept here, not in the scheduler's memory, so that it survives a restart:
the schedule derives one job per waiting reminder (``scheduler.jobs.LaterReminder``), which
fires once (``jobs_done``)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.collection import by_field
from storage.records import Record, Time
from storage.repository import Numbered

WAITING = "waiting"
REPLACED = "replaced"  # the person chose another moment for the same card
DONE = "done"  # its moment came (reminded, or nothing left to remind of)


@dataclass
class Later(Record):
    """Remind ``member_id`` of ``kind`` n° ``ref`` (``meeting`` | ``poll``) at ``due``."""

    id: int
    member_id: str
    kind: str
    ref: int
    due: Time
    created_at: Time = ""
    status: str = WAITING  # waiting | replaced | done


class Laters(Numbered[Later]):
    """Numbered reminders; those still waiting are found through an index."""

    indexes = {"status": by_field("status"), "member": by_field("member_id")}

    def waiting(self) -> list[Later]:
        return self.lookup("status", WAITING)

    def waiting_for(self, member_id: str, kind: str, ref: int) -> list[Later]:
        return [later for later in self.lookup("member", member_id)
                if later.status == WAITING and (later.kind, later.ref) == (kind, ref)]

    def replace(self, member_id: str, kind: str, ref: int, due: str, now: str) -> Later:
        """A new reminder for this card; an earlier one still waiting for it is replaced."""
        for earlier in self.waiting_for(member_id, kind, ref):
            earlier.status = REPLACED
            self.save(earlier)
        return self.add(lambda n: Later(id=n, member_id=member_id, kind=kind, ref=ref, due=due,
                                        created_at=now))
