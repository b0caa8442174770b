"""Members of the network and their platform identities."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from storage.models import Member
from storage.repository import Keyed


def _if_active(keys_of: Callable[[dict[str, Any]], Iterable[Any]]
               ) -> Callable[[dict[str, Any]], Iterable[Any]]:
    def keys(doc: dict[str, Any]) -> Iterable[Any]:
        return keys_of(doc) if doc.get("active", True) else ()
    return keys


class Members(Keyed[Member]):
    """The people of the network, looked up by id, by identity, by agency or by role through
    indexes of the active members (a request looks up its sender and a few colleagues, never
    the whole membership). ``add_if_new`` seeds a member from the config unless that id was
    ever stored (even if later removed)."""

    indexes = {
        "identity": _if_active(lambda doc: doc.get("identities", ())),
        "agency": _if_active(lambda doc: (doc.get("agency"),)),
        "role": _if_active(lambda doc: doc.get("roles", ())),
        "active": _if_active(lambda doc: (True,)),
    }

    def by_identity(self, identity: str) -> Member | None:
        found = self.lookup("identity", identity)
        return found[0] if found else None

    def active(self) -> list[Member]:
        return self.lookup("active", True)

    def of_agency(self, agency: str) -> list[Member]:
        return self.lookup("agency", agency)

    def with_role(self, role: str) -> list[Member]:
        return self.lookup("role", role)

    def agencies_with(self, role: str) -> set[str]:
        """The agencies with at least one active member holding ``role`` (nothing decoded)."""
        return {doc["agency"] for doc in self._c.stored("role", role)}
