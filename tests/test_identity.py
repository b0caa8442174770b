"""Identities as a type (``storage/identity.py``) rather than ``platform:user`` strings split
by hand, the stored form unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storage.identity import Identity
from storage.models import Member
from storage.store import Store

REPO = Path(__file__).resolve().parent.parent


def test_an_identity_parses_and_prints_its_stored_form() -> None:
    identity = Identity.parse("telegram:555")
    assert identity == Identity("telegram", "555")
    assert (identity.platform, identity.user) == ("telegram", "555")
    assert str(identity) == "telegram:555"
    assert Identity.parse("slack:T1:U2") == Identity("slack", "T1:U2")  # the first colon only


@pytest.mark.parametrize("text", ["", "telegram", ":555"])
def test_text_that_is_no_identity_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Identity.parse(text)


def test_a_members_platforms_come_from_its_identities(tmp_path: Path) -> None:
    """The members table keeps identities as ``platform:user`` strings."""
    member = Member(id="awa", name="Awa", agency="IOM",
                    identities=["slack:U1", "telegram:555", "console:awa"])
    assert member.platforms() == {"slack", "telegram", "console"}
    store = Store.open(tmp_path / "data")
    store.members.save(member)
    store.close()
    stored = json.loads((tmp_path / "data" / "members.json").read_text())
    [doc] = stored["members"].values()
    assert doc["identities"] == ["slack:U1", "telegram:555", "console:awa"]


def test_no_identity_is_split_by_hand_in_storage_or_handlers() -> None:
    """``i.split(":", 1)[0] for i in member.identities`` was written out four times in the
    handlers, and once on ``Member``. The one split left is of a dispatcher target key (a
    member's account or a network channel), which is not an identity."""
    found = []
    for folder in ("storage", "handlers"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if re.search(r"""\.split\(["']:["']""", line):
                    found.append(f"{path.relative_to(REPO)}: {line.strip()}")
    assert found == ['handlers/delivery.py: platforms = sorted({key.split(":", 1)[0].capitalize()'
                     ' for row in batch']
