"""Members (and their platform identities) and the join requests waiting for the secretariat."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from storage.collection import Collection
from storage.models import JoinRequest, LinkAttempts, LinkCode, Member


def _if_active(keys_of: Callable[[dict[str, Any]], Iterable[Any]]
               ) -> Callable[[dict[str, Any]], Iterable[Any]]:
    def keys(doc: dict[str, Any]) -> Iterable[Any]:
        return keys_of(doc) if doc.get("active", True) else ()
    return keys


class Members:
    """The people of the network, looked up by id, by identity, by agency or by role through
    indexes of the active members (a request looks up its sender and a few colleagues, never
    the whole membership)."""

    record = Member

    def __init__(self, collection: Collection[Member]) -> None:
        self._c = collection
        collection.add_index("identity", _if_active(lambda doc: doc.get("identities", ())))
        collection.add_index("agency", _if_active(lambda doc: (doc.get("agency"),)))
        collection.add_index("role", _if_active(lambda doc: doc.get("roles", ())))
        collection.add_index("active", _if_active(lambda doc: (True,)))

    def get(self, member_id: str) -> Member | None:
        return self._c.get_keyed(member_id)

    def by_identity(self, identity: str) -> Member | None:
        found = self._c.lookup("identity", identity)
        return found[0] if found else None

    def active(self) -> list[Member]:
        return self._c.lookup("active", True)

    def of_agency(self, agency: str) -> list[Member]:
        return self._c.lookup("agency", agency)

    def with_role(self, role: str) -> list[Member]:
        return self._c.lookup("role", role)

    def agencies_with(self, role: str) -> set[str]:
        """The agencies with at least one active member holding ``role`` (nothing decoded)."""
        return {doc["agency"] for doc in self._c.stored("role", role)}

    def all(self) -> list[Member]:
        return self._c.all()

    def save(self, member: Member) -> None:
        self._c.save_keyed(member)

    def add_if_new(self, member: Member) -> bool:
        """Seed a member from the config unless that id was ever stored (even if later removed)."""
        if self._c.get_keyed(member.id) is not None:
            return False
        self._c.save_keyed(member)
        return True


class JoinRequests:
    """Numbered join requests; the number is what the secretariat types or clicks."""

    record = JoinRequest

    def __init__(self, collection: Collection[JoinRequest]) -> None:
        self._c = collection
        collection.add_index("pending", lambda doc: (doc.get("identity"),)
                             if doc.get("status") == "pending" else ())

    def get(self, number: int) -> JoinRequest | None:
        return self._c.get_number(number)

    def pending(self) -> list[JoinRequest]:
        return sorted((r for identity in self._c.keys("pending")
                       for r in self._c.lookup("pending", identity)), key=lambda r: r.id)

    def pending_for(self, identity: str) -> JoinRequest | None:
        found = self._c.lookup("pending", identity)
        return found[0] if found else None

    def add(self, identity: str, name: str, agency: str, language: str | None,
            created_at: str) -> JoinRequest:
        return self._c.add_numbered(lambda n: JoinRequest(
            id=n, identity=identity, name=name, agency=agency, language=language,
            created_at=created_at))

    def save(self, request: JoinRequest) -> None:
        self._c.save_numbered(request)


class LinkCodes:
    """Codes waiting to be typed on the other platform."""

    record = LinkCode

    def __init__(self, collection: Collection[LinkCode]) -> None:
        self._c = collection
        collection.add_index("live", lambda doc: () if doc.get("used") else (doc.get("member_id"),))

    def get(self, code_hash: str) -> LinkCode | None:
        return self._c.get_keyed(code_hash)

    def save(self, code: LinkCode) -> None:
        self._c.save_keyed(code)

    def live_of(self, member_id: str) -> list[LinkCode]:
        """The member's codes not used yet (expired ones included: the caller checks time)."""
        return self._c.lookup("live", member_id)


class LinkAttemptsLog:
    """Wrong codes per identity, on disk so that a restart does not reset the count."""

    record = LinkAttempts

    def __init__(self, collection: Collection[LinkAttempts]) -> None:
        self._c = collection

    def get(self, identity: str) -> LinkAttempts:
        return self._c.get_keyed(identity) or LinkAttempts(id=identity)

    def save(self, attempts: LinkAttempts) -> None:
        self._c.save_keyed(attempts)
