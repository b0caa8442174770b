"""Members (and their platform identities) and the join requests waiting for the secretariat."""

from __future__ import annotations

from storage.collection import Collection
from storage.models import JoinRequest, LinkAttempts, LinkCode, Member


class Members:
    """The people of the network, looked up by id, by identity or by agency."""

    record = Member

    def __init__(self, collection: Collection[Member]) -> None:
        self._c = collection

    def get(self, member_id: str) -> Member | None:
        return self._c.get_keyed(member_id)

    def by_identity(self, identity: str) -> Member | None:
        found = self._c.where(lambda doc: doc.get("active", True)
                              and identity in doc.get("identities", ()))
        return found[0] if found else None

    def active(self) -> list[Member]:
        return self._c.find(lambda m: m.active)

    def of_agency(self, agency: str) -> list[Member]:
        return self._c.find(lambda m: m.active and m.agency == agency)

    def with_role(self, role: str) -> list[Member]:
        return self._c.find(lambda m: m.active and role in m.roles)

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

    def get(self, number: int) -> JoinRequest | None:
        return self._c.get_number(number)

    def pending(self) -> list[JoinRequest]:
        return self._c.find(lambda r: r.status == "pending")

    def pending_for(self, identity: str) -> JoinRequest | None:
        return self._c.first(lambda r: r.status == "pending" and r.identity == identity)

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

    def get(self, code_hash: str) -> LinkCode | None:
        return self._c.get_keyed(code_hash)

    def save(self, code: LinkCode) -> None:
        self._c.save_keyed(code)

    def live_of(self, member_id: str) -> list[LinkCode]:
        """The member's codes not used yet (expired ones included: the caller checks time)."""
        return self._c.find(lambda c: c.member_id == member_id and not c.used)


class LinkAttemptsLog:
    """Wrong codes per identity, on disk so that a restart does not reset the count."""

    record = LinkAttempts

    def __init__(self, collection: Collection[LinkAttempts]) -> None:
        self._c = collection

    def get(self, identity: str) -> LinkAttempts:
        return self._c.get_keyed(identity) or LinkAttempts(id=identity)

    def save(self, attempts: LinkAttempts) -> None:
        self._c.save_keyed(attempts)
