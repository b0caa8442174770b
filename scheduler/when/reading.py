"""What a text was read as: the moment and how it was understood, for the confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduler.when.zones import NamedZone


@dataclass(frozen=True)
class Reading:
    """``start`` and ``end`` are aware, in the network's zone. ``zone`` is the zone the person
    named when it is not the network's (the confirmation shows the time in both);
    ``meanings`` the conventional readings used (« fin du mois » → ``end_of_month``), shown back
    in full words (catalog ``when.meaning.<key>``); ``deadline`` whether deadline words were
    written; ``ignored`` the words around the moment that were left out (normalised: « merci
    d envoyer vos commentaires »)."""

    start: datetime
    end: datetime | None = None
    zone: NamedZone | None = None
    meanings: tuple[str, ...] = ()
    deadline: bool = False
    ignored: tuple[str, ...] = ()

    def in_named_zone(self, moment: datetime) -> datetime | None:
        """``moment`` on the named zone's clock, when a zone other than the network's was
        named and its clock differs from the network's at that moment."""
        zone = self.zone.tzinfo() if self.zone else None
        if zone is None:
            return None
        there = moment.astimezone(zone)
        return there if there.utcoffset() != moment.utcoffset() else None
