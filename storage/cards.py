"""The cards people received: a message carrying a consultation's buttons, as delivered on each
platform (the platform's id of the message), so that it can be edited when what it shows
changes (``handlers/consultations/cards.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.records import Record
from storage.repository import Keyed


@dataclass
class Card(Record):
    """One delivered card: the outbox row that carried it (``id``), what it is about
    (``topic``, ``poll:12``), whose it is, its title and language as sent, and per target
    (``slack:U123``) the platform's reference of the message (``D123:1764349200.000100``,
    ``100000001:1042``)."""

    id: str  # the outbox row's number
    topic: str
    member_id: str
    agency: str = ""  # the member's, when delivered
    title: str = ""
    language: str = ""
    refs: dict[str, str] = field(default_factory=dict)


class Cards(Keyed[Card]):
    """Cards by outbox row, looked up by topic and agency (what a change of position edits:
    only those are decoded)."""

    indexes = {"agency": lambda doc: ((doc.get("topic"), doc.get("agency")),)}

    def of_agency(self, topic: str, agency: str) -> list[Card]:
        return self.lookup("agency", (topic, agency))
