"""Every stored document checked against its dataclass when a collection file is read.

A file that is valid JSON but not what the bot wrote (a hand edit, a restore of the wrong file, a
bug of an older version) must stop start-up with its path, the record, the field and what was
expected — not pass, and crash a handler weeks later. The checks are compiled once per record
class from its type annotations (``typing.get_type_hints``), so reading ten years of data costs a
few ``type(v) is str`` per field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.files import CorruptFileError
from storage.records import TIME, Part, Record, SchemaError, json_copy

Check = Callable[[Any], bool]


class InvalidRecordError(CorruptFileError):
    """A collection file whose shape, or one of whose records, is not what the bot stores.

    The record is named as people see it: ``record_id`` for records with a text id (a member's
    ``aminata``), else ``number``, its key in the file (meeting n° 3). Both are ``None`` when
    the file as a whole has the wrong shape. The file is never modified.
    """

    def __init__(self, path: Path, number: str | None, field: str, expected: str,
                 found: str, record_id: str | None = None) -> None:
        self.number = number
        self.record_id = record_id
        self.field = field
        self.expected = expected
        self.found = found
        if number is None:
            where = field
        else:
            where = (f'record "{record_id}"' if record_id is not None
                     else f"record no. {number}") + f", field {field!r}"
        super().__init__(path, "invalid_shape" if number is None else "invalid_record",
                         f"{where}: expected {expected}, found {found}")


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    check: Check
    expected: str
    required: bool
    nested: type[Record] | type[Part] | None = None  # explained field by field when wrong
    many: bool = False  # a list of ``nested``


def _any(_: Any) -> bool:
    return True


def _is_time(tp: Any) -> bool:
    return typing.get_origin(tp) is typing.Annotated and TIME in tp.__metadata__


def is_time(value: Any) -> bool:
    """A stored moment: ISO 8601 with its offset (a naive time cannot be compared with now)."""
    if type(value) is not str:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _describe(tp: Any) -> str:
    """A type in JSON's words (``string | null``, ``array<integer>``): what someone editing the
    file sees, the same in every language."""
    if tp is Any:
        return "any"
    if _is_time(tp):
        return "ISO 8601 \"2026-12-01T10:00:00+00:00\""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_describe(arg) for arg in typing.get_args(tp))
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return f"array<{_describe(item)}>" if item is not Any else "array"
    if origin is dict or tp is dict:
        return "object"
    if isinstance(tp, type) and issubclass(tp, (Record, Part)):
        return f"object ({tp.__name__})"
    return JSON_NAMES.get(tp, getattr(tp, "__name__", str(tp)))


JSON_NAMES: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "number",
                              type(None): "null", list: "array", dict: "object"}


def _check_of(tp: Any) -> Check:
    """A fast predicate for values of ``tp`` as JSON decodes them (``True`` is no integer)."""
    if tp is Any:
        return _any
    if _is_time(tp):
        return is_time
    if tp is str or tp is int or tp is bool:
        return lambda v, t=tp: type(v) is t
    if tp is float:
        return lambda v: type(v) is float or type(v) is int
    if tp is type(None):
        return lambda v: v is None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        rest = [a for a in args if a is not type(None)]
        inner = _check_of(rest[0]) if len(rest) == 1 else None
        if inner is not None and len(args) == 2:
            return lambda v: v is None or inner(v)
        checks = [_check_of(a) for a in args]
        return lambda v: any(c(v) for c in checks)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        if item is Any:
            return lambda v: type(v) is list
        if item is str or item is int:
            return lambda v, t=item: type(v) is list and all(type(x) is t for x in v)
        each = _check_of(item)
        return lambda v: type(v) is list and all(each(x) for x in v)
    if origin is dict or tp is dict:
        key, value = typing.get_args(tp) or (str, Any)
        if value is Any:
            return lambda v: type(v) is dict
        each = _check_of(value)
        return lambda v: type(v) is dict and all(each(x) for x in v.values())
    if isinstance(tp, type) and issubclass(tp, (Record, Part)):
        return lambda v, r=tp: type(v) is dict and problem(r, v) is None
    raise TypeError(f"no check for stored type {tp!r}")


_SCHEMAS: dict[type, list[_Field]] = {}


def schema_of(record: type[Record] | type[Part]) -> list[_Field]:
    """The compiled checks of ``record``'s fields (once per class)."""
    compiled = _SCHEMAS.get(record)
    if compiled is None:
        hints = typing.get_type_hints(record, include_extras=True)
        compiled = []
        for f in dataclasses.fields(record):
            tp = hints[f.name]
            required = (f.default is dataclasses.MISSING
                        and f.default_factory is dataclasses.MISSING)
            nested = next((t for t in (tp, *typing.get_args(tp))
                           if isinstance(t, type) and issubclass(t, (Record, Part))), None)
            check, expected = _check_of(tp), _describe(tp)
            if _is_time(tp) and f.default == "":  # not known yet: the empty string
                check, expected = (lambda v: v == "" or is_time(v)), f'"" or {expected}'
            compiled.append(_Field(f.name, check, expected, required, nested,
                                   typing.get_origin(tp) is list))
        _SCHEMAS[record] = compiled
    return compiled


def found(value: Any) -> str:
    """What a value is, in JSON's words, with a short excerpt of it."""
    kind = JSON_NAMES.get(type(value), type(value).__name__)
    if value is None or isinstance(value, (list, dict)):
        return kind
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return f"{kind} {text[:40] + '…' if len(text) > 40 else text}"


MISSING = "missing"  # the ``found`` of a required field that is absent


def problem(record: type[Record] | type[Part],
            doc: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """``None`` if ``doc`` reads as a ``record``; else (field, expected, found) of the first
    field that does not. Older schema versions are upgraded (on a copy) before the check; a
    part has no version of its own."""
    if issubclass(record, Part):
        return _fields_problem(record, doc)
    version = doc.get("v", 1)
    if type(version) is not int or version < 1:
        return "v", "integer >= 1", found(version)
    if version > record.SCHEMA:
        raise SchemaError(f"{record.__name__} document has schema v{version}, this bot reads "
                          f"up to v{record.SCHEMA}: upgrade reseau-bot")
    if version < record.SCHEMA:
        try:
            doc = record.upgrade(json_copy(dict(doc)), version)
        except (KeyError, TypeError, ValueError) as exc:
            return "v", f"a v{version} record this bot can upgrade", f"{exc!r}"[:80]
    return _fields_problem(record, doc)


def _fields_problem(record: type[Record] | type[Part],
                    doc: Mapping[str, Any]) -> tuple[str, str, str] | None:
    for f in schema_of(record):
        if f.name in doc:
            value = doc[f.name]
            if not f.check(value):
                inner = _nested_problem(f, value)
                return inner if inner is not None else (f.name, f.expected, found(value))
        elif f.required:
            return f.name, f.expected, MISSING
    return None


def _nested_problem(f: _Field, value: Any) -> tuple[str, str, str] | None:
    """Where inside a nested record (``agenda[2].text``) a wrong field is, if it is one."""
    if f.nested is None:
        return None
    items = (list(enumerate(value)) if f.many and type(value) is list
             else [(None, value)] if not f.many else [])
    for index, item in items:
        if type(item) is dict:
            inner = problem(f.nested, item)
            if inner is not None:
                at = f.name if index is None else f"{f.name}[{index}]"
                return f"{at}.{inner[0]}", inner[1], inner[2]
    return None


def check_file(path: Path, data: Mapping[str, Any] | None, table: str,
               record: type[Record]) -> None:
    """Raise ``InvalidRecordError`` unless ``data`` (a parsed collection file) holds only the
    table ``table``, keyed by record numbers, every record reading as a ``record``."""
    if not data:
        return
    for name in data:
        if name != table:
            raise InvalidRecordError(path, None, f'table "{name}"', f'only table "{table}"',
                                     f'table "{name}"')
    if table not in data:
        return
    rows = data[table]
    if type(rows) is not dict:
        raise InvalidRecordError(path, None, f'table "{table}"',
                                 'object {"1": {…}, "2": {…}}', found(rows))
    numbered = any(f.name == "id" and f.expected == "integer" for f in schema_of(record))
    for key, doc in rows.items():
        if not (key.isascii() and key.isdigit()):
            raise InvalidRecordError(path, None, f'table "{table}", key "{key}"',
                                     "a record number (\"1\", \"2\" …)", found(key))
        if type(doc) is not dict:
            raise InvalidRecordError(path, key, "", "object", found(doc))
        wrong = problem(record, doc)
        if wrong is None and numbered and doc.get("id") != int(key):
            wrong = ("id", f"integer {key} (the record's key in the file)", found(doc.get("id")))
        if wrong is not None:
            own = doc.get("id")
            raise InvalidRecordError(path, key, *wrong,
                                     record_id=own if isinstance(own, str) and own else None)
