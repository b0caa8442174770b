"""The base of every stored dataclass: an explicit schema version and a lossless round trip."""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass
class Record:
    """A dataclass stored as one TinyDB document, tagged with ``v`` (its schema version).

    Subclasses raise ``SCHEMA`` when their shape changes and teach ``upgrade`` how to bring an
    older document forward, so data written last year still loads.
    """

    SCHEMA: ClassVar[int] = 1

    def to_doc(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
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
        data = cls.upgrade(json_copy(dict(doc)), version)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def to_iso(moment: datetime) -> str:
    """How time is stored: UTC, ISO 8601, fixed width, so stored strings sort as times do."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
