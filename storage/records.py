"""The base of every stored dataclass: an explicit schema version and a lossless round trip."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Self

TIME = "time"
# A moment stored as UTC ISO 8601 (``to_iso``) that the bot parses back (schedules, deadlines):
# checked when its file is read, so a hand-edited « mardi » stops start-up instead of a job.
Time = Annotated[str, TIME]


class SchemaError(RuntimeError):
    """A stored document was written by a newer version of the bot than this one."""


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), many times faster than
    ``copy.deepcopy``: a record never shares a list with TinyDB's cached document."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """``json_copy`` that also turns a nested record into its dict (``dataclasses.asdict``)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Part):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class (``dataclasses.fields`` is slow
    next to decoding a small record)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclasses.dataclass(frozen=True)
class Part:
    """A small typed value stored inside a record (an agenda item, a version of a statement, a
    dated note): a plain JSON object, with no schema tag of its own — its record's covers it.
    Frozen: a change is a new part appended or put in place, never an edit behind the record's
    back."""

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Self:
        """The part as stored; keys this version does not know are left aside."""
        return cls(**{k: doc[k] for k in field_names(cls) if k in doc})

    def to_dict(self) -> dict[str, Any]:
        """The stored form: one key per field, in field order."""
        return {name: _plain(getattr(self, name)) for name in field_names(type(self))}


_PARTS: dict[type, tuple[tuple[str, type[Part], bool], ...]] = {}


def parts_of(cls: type) -> tuple[tuple[str, type[Part], bool], ...]:
    """The fields of a record class that hold parts: (name, part class, a list of them?),
    found once per class from its annotations."""
    found = _PARTS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        entries = []
        for name in field_names(cls):
            tp = hints[name]
            many = typing.get_origin(tp) is list
            for arg in (tp, *typing.get_args(tp)):
                if isinstance(arg, type) and issubclass(arg, Part):
                    entries.append((name, arg, many))
                    break
        found = _PARTS[cls] = tuple(entries)
    return found


@dataclasses.dataclass
class Record:
    """A dataclass stored as one TinyDB document, tagged with ``v`` (its schema version).

    Subclasses raise ``SCHEMA`` when their shape changes and teach ``upgrade`` how to bring an
    older document forward, so data written last year still loads.
    """

    SCHEMA: ClassVar[int] = 1

    def to_doc(self) -> dict[str, Any]:
        doc = {name: _plain(getattr(self, name)) for name in field_names(type(self))}
        doc["v"] = self.SCHEMA
        return doc

    @classmethod
    def upgrade(cls, doc: dict[str, Any], version: int) -> dict[str, Any]:
        """Bring a document of an older ``version`` up to ``SCHEMA`` (nothing to do at v1)."""
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Self:
        version = int(doc.get("v", 1))
        if version > cls.SCHEMA:
            raise SchemaError(
                f"{cls.__name__} document has schema v{version}, this bot reads up to "
                f"v{cls.SCHEMA}: upgrade reseau-bot"
            )
        data = cls.upgrade(json_copy(doc), version)
        values = {k: data[k] for k in field_names(cls) if k in data}
        for name, part, many in parts_of(cls):
            value = values.get(name)
            if value is not None:
                values[name] = ([part.from_dict(v) for v in value] if many
                                else part.from_dict(value))
        return cls(**values)


def to_iso(moment: datetime) -> str:
    """How time is stored: UTC, ISO 8601, fixed width, so stored strings sort as times do."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
