"""Start-up refuses what it cannot read, whatever the shape: a record of the wrong type, a file of
the wrong shape, a second process after someone deleted ``.lock``."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from handlers.i18n import Catalog
from storage.lock import DataDirLock, DataDirLocked
from storage.models import Meeting, Member
from storage.records import Record, Time
from storage.store import Store
from storage.validate import MISSING, InvalidRecordError, check_file, problem
from tests.conftest import BIN, REPO, cli_env


def start(data: Path, *args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "reseau-bot", *(args or ("run",))], cwd=REPO,
                          input="membres\n", capture_output=True, text=True,
                          env=cli_env(data, LANG=lang), timeout=60)


def seeded(tmp_path: Path) -> Path:
    """A data dir a first run filled (members seeded from the configuration)."""
    data = tmp_path / "data"
    assert start(data).returncode == 0
    return data


def edit(path: Path, change) -> str:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return path.read_text()


def member_key(data: Path, member_id: str) -> str:
    rows = json.loads((data / "members.json").read_text())["members"]
    return next(key for key, row in rows.items() if row["id"] == member_id)


def test_a_bogus_member_record_stops_start_up_naming_file_record_and_field(tmp_path) -> None:
    data = seeded(tmp_path)
    key = member_key(data, "awa")
    before = edit(data / "members.json",
                  lambda d: d["members"][key].update(roles="focal_point"))  # not a list
    result = start(data)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    catalog = Catalog.load()
    expected = catalog.t("fr", "cli.invalid_record",
                         path=str((data / "members.json").resolve()),
                         record=catalog.t("fr", "cli.record_named", id="awa", number=key),
                         field="roles", expected="array<string>",
                         found='string "focal_point"')
    assert expected in result.stderr
    assert result.stdout == ""  # no chat was started
    assert (data / "members.json").read_text() == before  # left for a human to look at


def test_a_member_record_missing_its_name_is_refused_by_check_too(tmp_path: Path) -> None:
    data = seeded(tmp_path)
    key = member_key(data, "sarah")
    edit(data / "members.json", lambda d: d["members"][key].pop("name"))
    for command in ("run", "check"):
        result = start(data, command, lang="en_US.UTF-8")
        assert result.returncode == 1, command
        assert "Traceback" not in result.stderr
        catalog = Catalog.load()
        assert catalog.t("en", "cli.invalid_record", path=str((data / "members.json").resolve()),
                         record=catalog.t("en", "cli.record_named", id="sarah", number=key),
                         field="name", expected="string",
                         found=catalog.t("en", "cli.field_missing")) in result.stderr


def test_a_table_that_is_not_an_object_stops_start_up_as_not_a_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "items.json").write_text('{"items": []}')
    result = start(data)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str((data / "items.json").resolve()) in result.stderr
    assert Catalog.load().t("fr", "cli.corrupt_not_a_database") in result.stderr
    assert (data / "items.json").read_text() == '{"items": []}'


@pytest.mark.parametrize("content, field, expected, found", [
    ('{"things": {"1": {"id": 1}}}', 'table "things"', 'only table "items"', 'table "things"'),
    ('{"items": {"first": {"id": 1}}}', 'table "items", key "first"',
     'a record number ("1", "2" …)', 'string "first"'),
])
def test_an_items_file_of_the_wrong_shape_stops_start_up(tmp_path: Path, content: str,
                                                         field: str, expected: str,
                                                         found: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "items.json").write_text(content)
    result = start(data)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str((data / "items.json").resolve()) in result.stderr
    assert Catalog.load().t("fr", "cli.invalid_shape", path=str((data / "items.json").resolve()),
                            field=field, expected=expected, found=found) in result.stderr
    assert (data / "items.json").read_text() == content


def test_an_item_of_the_wrong_types_stops_start_up_with_its_number(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    item = {"id": 7, "key": "k", "url": None, "title": 5, "v": 1}
    (data / "items.json").write_text(json.dumps({"items": {"7": item}}))
    result = start(data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    catalog = Catalog.load()
    assert catalog.t("fr", "cli.invalid_record", path=str((data / "items.json").resolve()),
                     record=catalog.t("fr", "cli.record_numbered", number="7"), field="title",
                     expected="string", found="integer 5") in result.stderr


def test_a_meeting_time_nobody_can_read_stops_start_up_not_the_scheduler(tmp_path) -> None:
    """A start the scheduler parses was found only when it built the schedule (a traceback)."""
    data = tmp_path / "data"
    data.mkdir()
    meeting = Meeting(id=1, kind="network", start="2026-12-01T10:00:00.000000+00:00",
                      end="2026-12-01T12:00:00.000000+00:00").to_doc()
    for start_text in ("mardi", "2026-12-01T10:00:00"):  # words; a time without its offset
        (data / "meetings.json").write_text(json.dumps(
            {"meetings": {"1": {**meeting, "start": start_text}}}))
        result = start(data)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "n° 1, champ « start »" in result.stderr
        assert f'trouvé : string "{start_text}"' in result.stderr


def test_a_bad_position_in_its_shard_is_named_with_the_shard_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "positions").mkdir(parents=True)
    shard = data / "positions" / "000003.json"
    shard.write_text(json.dumps({"positions": {"4": {
        "id": 4, "consultation_id": 3, "agency": "UNICEF", "member_id": "awa",
        "choice": ["agree"], "v": 1}}}))
    with pytest.raises(InvalidRecordError) as caught:
        Store.open(data)
    assert (caught.value.path, caught.value.number, caught.value.field) == (shard, "4", "choice")
    Store.open(data / "other").close()  # the lock of the refused dir was released
    shard.unlink()
    Store.open(data).close()


# The validator itself, driven by the dataclasses' annotations.

@dataclass
class Part(Record):
    text: str
    at: Time


@dataclass
class Whole(Record):
    id: int
    name: str
    tags: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    note: str | None = None
    ratio: float = 0.0
    flag: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    part: Part | None = None
    when: Time = ""


@pytest.mark.parametrize("change, wrong", [
    ({}, None),
    ({"ratio": 2, "note": "x", "part": {"text": "t", "at": "2026-01-01T00:00:00+00:00"}}, None),
    ({"name": None}, ("name", "string", "null")),
    ({"id": True}, ("id", "integer", "boolean True")),
    ({"id": "3"}, ("id", "integer", 'string "3"')),
    ({"tags": ["a", 1]}, ("tags", "array<string>", "array")),
    ({"numbers": [1, "2"]}, ("numbers", "array<integer>", "array")),
    ({"note": 3}, ("note", "string | null", "integer 3")),
    ({"flag": "yes"}, ("flag", "boolean", 'string "yes"')),
    ({"ratio": "1.5"}, ("ratio", "number", 'string "1.5"')),
    ({"extra": []}, ("extra", "object", "array")),
    ({"part": {"text": "t"}}, ("part.at", 'ISO 8601 "2026-12-01T10:00:00+00:00"', MISSING)),
    ({"when": "demain"}, ("when", '"" or ISO 8601 "2026-12-01T10:00:00+00:00"',
                          'string "demain"')),
    ({"v": "1"}, ("v", "integer >= 1", 'string "1"')),
])
def test_records_are_checked_against_their_annotations(change: dict, wrong: tuple | None) -> None:
    doc = {**Whole(id=1, name="n").to_doc(), **change}
    assert problem(Whole, doc) == wrong


def test_a_missing_required_field_and_a_number_that_is_not_its_key_are_refused() -> None:
    doc = Whole(id=1, name="n").to_doc()
    del doc["name"]
    assert problem(Whole, doc) == ("name", "string", MISSING)
    with pytest.raises(InvalidRecordError) as caught:
        check_file(Path("w.json"), {"whole": {"2": Whole(id=1, name="n").to_doc()}}, "whole",
                   Whole)
    assert (caught.value.number, caught.value.field) == ("2", "id")


def test_older_schema_versions_are_upgraded_before_they_are_checked() -> None:
    v1 = {"id": 3, "kind": "network", "start": "2026-12-01T10:00:00+00:00",
          "end": "2026-12-01T12:00:00+00:00", "v": 1}
    assert problem(Meeting, v1) is None
    assert problem(Member, {"id": "a", "name": "A", "agency": "IOM"}) is None


# The lock is on the directory, not on the file an operator may delete.

def test_deleting_the_lock_file_does_not_let_a_second_process_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    first = DataDirLock(data)
    first.acquire()
    (data / ".lock").unlink()  # « stale lock », thinks the operator
    with pytest.raises(DataDirLocked):
        DataDirLock(data).acquire()  # another open file description: flock conflicts
    first.release()
    second = DataDirLock(data)
    second.acquire()
    second.release()


def test_a_second_bot_is_refused_even_after_the_lock_file_was_deleted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = subprocess.Popen([BIN / "reseau-bot", "run"], cwd=REPO, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=cli_env(data))
    assert first.stdout is not None
    first.stdout.readline()  # started: it holds the data dir
    (data / ".lock").unlink()
    second = start(data)
    first.communicate(input="", timeout=30)
    assert second.returncode == 1 and "Traceback" not in second.stderr
    catalog = Catalog.load()
    assert catalog.t("fr", "cli.locked", path=str(data.resolve()), pid="?") in second.stderr
