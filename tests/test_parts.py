"""The lists of small values records hold (an agenda, a statement's versions, a group's reviews,
a workplan action's notes) are typed parts now: a data dir written when they were plain dicts
still loads into them, saves back the same JSON, and a wrong part is named where it is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.parts import AgendaItem, GroupReview, PlanNote, StatementVersion
from storage.store import Store
from storage.validate import InvalidRecordError

AT = "2026-11-28T17:00:00.000000+00:00"

# Records as the bot wrote them before their lists were typed (keys in the order it wrote them).
OLD = {
    "meetings": {"id": 1, "kind": "network", "start": "2026-12-01T10:00:00.000000+00:00",
                 "end": "2026-12-01T12:00:00.000000+00:00", "place": "", "link": None,
                 "group": None, "series_id": None, "recurrence_id": None,
                 "status": "scheduled", "sequence": 1,
                 "agenda": [{"text": "Data sharing protocol", "by": "sarah", "at": AT}],
                 "created_by": "sarah", "created_at": AT, "updated_at": AT,
                 "uid": "meeting-1@reseau-bot", "invited": ["awa"], "v": 2},
    "statements": {"id": 1, "subject": "Returns", "requested_by": "sarah", "requested_at": AT,
                   "status": "in_approval",
                   "versions": [{"number": 1, "text": "Draft", "by": "sarah", "at": AT,
                                 "poll": 3}],
                   "published_at": None, "published_by": None, "v": 1},
    "groups": {"id": "data", "name": "Data", "members": ["awa"], "chairs": ["awa"],
               "terms": "", "status": "active", "consultation_id": None,
               "reviews": [{"at": AT, "by": "sarah", "note": "On track"}],
               "created_by": "sarah", "created_at": AT, "closed_at": None, "v": 1},
    "plan": {"id": 1, "year": 2026, "title": "Profiles", "lead_agency": "IOM",
             "due": "2026-12-31T00:00:00.000000+00:00", "objectives": [1], "partners": [],
             "status": "in_progress",
             "notes": [{"at": AT, "by": "awa", "status": "in_progress", "text": "Started"}],
             "created_by": "sarah", "created_at": AT, "updated_at": AT, "v": 1},
}


def _write_old(data: Path) -> None:
    data.mkdir(parents=True)
    for table, doc in OLD.items():
        (data / f"{table}.json").write_text(json.dumps({table: {"1": doc}}))


def test_records_written_with_plain_dict_lists_load_into_typed_parts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _write_old(data)
    store = Store.open(data)
    try:
        assert store.meetings.get(1).agenda == [
            AgendaItem(text="Data sharing protocol", by="sarah", at=AT)]
        assert store.statements.get(1).versions == [
            StatementVersion(number=1, text="Draft", by="sarah", at=AT, poll=3)]
        assert store.groups.get("data").reviews == [GroupReview(at=AT, by="sarah", note="On track")]
        assert store.plan.get(1).notes == [
            PlanNote(at=AT, by="awa", status="in_progress", text="Started")]
    finally:
        store.close()


def test_typed_parts_save_back_the_json_they_were_read_from(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _write_old(data)
    store = Store.open(data)
    try:
        for repository, key in ((store.meetings, 1), (store.statements, 1),
                                (store.groups, "data"), (store.plan, 1)):
            repository.save(repository.get(key))
        store.compact()
        for table, doc in OLD.items():
            stored = json.loads((data / f"{table}.json").read_text())[table]["1"]
            assert json.dumps(stored) == json.dumps(doc)  # same keys, same order
    finally:
        store.close()


def test_a_wrong_part_is_named_by_its_place_in_the_list(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(parents=True)
    meeting = {**OLD["meetings"], "agenda": [{"text": "ok"}, {"by": "sarah"}]}
    (data / "meetings.json").write_text(json.dumps({"meetings": {"1": meeting}}))
    with pytest.raises(InvalidRecordError) as caught:
        Store.open(data)
    assert (caught.value.field, caught.value.found) == ("agenda[1].text", "missing")
