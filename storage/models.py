"""The stored shapes of step 1: members, join requests, outbox rows, processed events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.records import Record

# Roles a member can hold. "Executive Committee focal point" is not stored: it is derived from the
# member's agency being on the Executive Committee.
CO_CHAIR = "co_chair"
SECRETARIAT = "secretariat"
FOCAL_POINT = "focal_point"
EXTERNAL_PARTNER = "external_partner"
ROLES = (CO_CHAIR, SECRETARIAT, FOCAL_POINT, EXTERNAL_PARTNER)


@dataclass
class Member(Record):
    """A person of the network: one agency, some roles, one or more platform identities."""

    id: str
    name: str
    agency: str
    roles: list[str] = field(default_factory=lambda: [FOCAL_POINT])
    identities: list[str] = field(default_factory=list)
    language: str | None = None
    active: bool = True
    created_at: str = ""

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def platform_of(self) -> str | None:
        """The platform a direct message goes to: the member's first identity's platform."""
        return self.identities[0].split(":", 1)[0] if self.identities else None


@dataclass
class JoinRequest(Record):
    """An unknown user's request to join an agency, waiting for the secretariat."""

    id: int
    identity: str
    name: str
    agency: str
    language: str | None = None
    status: str = "pending"  # pending | approved | refused
    created_at: str = ""
    decided_at: str | None = None
    decided_by: str | None = None
    member_id: str | None = None


@dataclass
class OutboxRow(Record):
    """One message for one recipient, kept until an adapter confirmed it (or gave up)."""

    id: int
    key: str
    recipient: dict[str, Any]
    message: dict[str, Any]
    status: str = "pending"  # pending | sent | dead
    attempts: int = 0
    created_at: str = ""
    next_attempt_at: str = ""
    sent_at: str | None = None
    done: list[str] = field(default_factory=list)  # targets already delivered (for fan-outs)
    last_error: str | None = None

