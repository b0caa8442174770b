"""Reading the network's TOML tables: the keys each section knows, how a built-in table and a
file's are merged, and a ``Reader`` that attributes each problem to the file (and line) that set
the key. Apart from the checks themselves (``network.py``) so those read as rules only.
"""

from __future__ import annotations

import re
from typing import Any

from bot.config.problems import BUILTIN, Problem
from handlers.types import PLATFORMS

KNOWN_KEYS: dict[str, set[str]] = {
    "network": {"name_fr", "name_en", "timezone", "language", "place_fr", "place_en",
                "executive_committee", "secretariat", "console_member"},
    "reminders": {"meetings", "consultations", "workplan"},
    "digest": {"schedule"},
    "channels": set(PLATFORMS),
    "co_chairs": {"title_fr", "title_en", "agency"},
    "agencies": {"code", "acronym_fr", "acronym_en", "name_fr", "name_en", "article_fr"},
    "members": {"id", "name", "agency", "roles", "identities", "language"},
    "groups": {"name", "members", "chairs", "slack", "telegram"},
    "knowledge": {"access"},
    "consultations": {"empty_seat"},
    "calendar": {"organizer_email"},
    "jobs": {"late_grace", "attempts"},
    "dates": {"end_of_working_day"},
}
LISTS = {"co_chairs", "agencies", "members", "groups"}


def line_of(text: str, section: str, index: int | None, key: str | None) -> int | None:
    """The line of ``key`` in ``[section]`` (or the ``index``-th ``[[section]]``), if findable."""
    seen = -1
    inside = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?", line)
        if header:
            if header.group(1) == section:
                if line.startswith("[["):
                    seen += 1
                    inside = index is None or seen == index
                else:
                    inside = True
                if inside and key is None:
                    return number
            else:
                inside = False
            continue
        if inside and key and re.match(rf"^{re.escape(key)}\s*=", line):
            return number
    return None


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Override keys of ``base``; a list (agencies, members, co-chairs) replaces the whole list."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


class Reader:
    """Checks the merged tables, attributing each problem to the file that set the key."""

    def __init__(self, sources: list[tuple[str, str, dict[str, Any]]]) -> None:
        self.sources = sources  # (file name, raw text, parsed data), later ones win
        self.problems: list[Problem] = []

    def fail(self, section: str, index: int | None, key: str | None, message: str) -> None:
        name, text = BUILTIN, ""
        for source_name, source_text, data in reversed(self.sources):
            if section in data:
                name, text = source_name, source_text
                break
        label = section + (f"[{index + 1}]" if index is not None else "") + (
            f".{key}" if key else "")
        self.problems.append(Problem(name, label, message, line_of(text, section, index, key)))

    def string(self, table: dict[str, Any], section: str, index: int | None, key: str,
               default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail(section, index, key, "must be a non-empty text")
            return default or ""
        return value

    def strings(self, table: dict[str, Any], section: str, index: int | None, key: str,
                default: list[str] | None = None) -> list[str]:
        value = table.get(key, default if default is not None else [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(section, index, key, "must be a list of texts, e.g. [\"a\", \"b\"]")
            return []
        return value

    def unknown_keys(self, section: str, index: int | None, table: dict[str, Any]) -> None:
        for key in table:
            if key not in KNOWN_KEYS[section]:
                self.fail(section, index, key,
                          f"unknown key (known: {', '.join(sorted(KNOWN_KEYS[section]))})")
