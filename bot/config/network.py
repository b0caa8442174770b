"""The network from its configuration: the built-in Mali network, overridden by an optional
TOML file, checked rule by rule and built into the typed ``Network`` the handlers read.

Everything found wrong is collected (file, key, line where it can be found) rather than stopping
at the first problem, so ``reseau-bot check`` can list it all at once.
"""

from __future__ import annotations

import re
import tomllib
from datetime import time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.problems import BUILTIN, ConfigError, Problem
from bot.config.reader import KNOWN_KEYS, LISTS, Reader, merge
from handlers.email_identity import is_email_identity
from handlers.settings import LANGUAGES, Agency, CoChairSeat, MemberSeed, Network, WorkingGroup
from handlers.words import ARTICLES_FR
from storage.models import ROLES

EMPTY_SEAT = {"decide_without": False, "block_consensus": True}
OFFSET = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DIGEST = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun|daily)\s+([01]\d|2[0-3]):[0-5]\d$")
IDENTITY = re.compile(r"^(console|slack|telegram):[A-Za-z0-9_.@-]{1,64}$")
# An address a calendar takes as ORGANIZER: local part @ a dotted domain, ASCII, no spaces.
MAILBOX = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+"
                     r"[A-Za-z]{2,63}$")
# Domains reserved for examples and tests (RFC 2606, RFC 6761): no mail ever reaches them.
EXAMPLE_DOMAINS = re.compile(r"(^|\.)example\.(com|net|org)$|\.(example|invalid|test|localhost)$",
                             re.IGNORECASE)


def builtin_text() -> str:
    return resources.files("bot").joinpath("mali.toml").read_text(encoding="utf-8")


def parse_offset(text: str) -> timedelta | None:
    match = OFFSET.match(str(text))
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount),
            "m": timedelta(minutes=amount)}[unit]


def load_network(config_path: Path | None = None) -> Network:
    """The built-in Mali network, overridden by ``config_path``; ``ConfigError`` if unusable."""
    sources: list[tuple[str, str, dict[str, Any]]] = [(BUILTIN, builtin_text(), {})]
    sources[0] = (BUILTIN, sources[0][1], tomllib.loads(sources[0][1]))
    if config_path is not None:
        try:
            text = config_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError([Problem(str(config_path), "",
                                       f"cannot be read ({exc.strerror})")]) from None
        except UnicodeDecodeError:
            raise ConfigError([Problem(str(config_path), "", "is not UTF-8 text")]) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            raise ConfigError([Problem(str(config_path), "", f"is not valid TOML: {exc}",
                                       int(found.group(1)) if found else None)]) from None
        sources.append((str(config_path), text, data))
    return _build(sources)


def _build(sources: list[tuple[str, str, dict[str, Any]]]) -> Network:
    reader = Reader(sources)
    data: dict[str, Any] = {}
    for _, _, parsed in sources:
        data = merge(data, parsed)
    for section, value in data.items():
        if section not in KNOWN_KEYS:
            reader.fail(section, None, None,
                        f"unknown section (known: {', '.join(sorted(KNOWN_KEYS))})")
        elif section in LISTS:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                reader.fail(section, None, None, f"must be written as [[{section}]] tables")
                data[section] = []
            else:
                for i, item in enumerate(value):
                    reader.unknown_keys(section, i, item)
        elif not isinstance(value, dict):
            reader.fail(section, None, None, f"must be a [{section}] table")
            data[section] = {}
        else:
            reader.unknown_keys(section, None, value)

    net = data.get("network", {})
    agencies = _agencies(reader, data.get("agencies", []))
    codes = {a.code for a in agencies}
    executive = set(reader.strings(net, "network", None, "executive_committee"))
    for code in sorted(executive - codes):
        reader.fail("network", None, "executive_committee", f"unknown agency code « {code} »")
    agencies = [Agency(a.code, a.acronym_fr, a.acronym_en, a.name_fr, a.name_en,
                       a.code in executive, a.article_fr) for a in agencies]
    secretariat = reader.strings(net, "network", None, "secretariat")
    for code in secretariat:
        if code not in codes:
            reader.fail("network", None, "secretariat", f"unknown agency code « {code} »")

    timezone = reader.string(net, "network", None, "timezone", "Africa/Bamako")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail("network", None, "timezone",
                    f"« {timezone} » is not a time zone name (e.g. Africa/Bamako)")
        timezone = "Africa/Bamako"
    language = reader.string(net, "network", None, "language", "fr")
    if language not in LANGUAGES:
        reader.fail("network", None, "language", "must be \"fr\" or \"en\"")
        language = "fr"

    co_chairs = []
    for i, seat in enumerate(data.get("co_chairs", [])):
        agency = reader.string(seat, "co_chairs", i, "agency")
        if agency and agency not in codes:
            reader.fail("co_chairs", i, "agency", f"unknown agency code « {agency} »")
        co_chairs.append(CoChairSeat(reader.string(seat, "co_chairs", i, "title_fr"),
                                     reader.string(seat, "co_chairs", i, "title_en"), agency))

    members = _members(reader, data.get("members", []), codes)
    console_member = reader.string(net, "network", None, "console_member", "")
    if console_member and console_member not in {m.id for m in members}:
        reader.fail("network", None, "console_member",
                    f"« {console_member} » is not the id of a [[members]] entry")

    reminders = data.get("reminders", {})
    offsets = {}
    for key in ("meetings", "consultations", "workplan"):
        parsed = []
        for text in reader.strings(reminders, "reminders", None, key):
            offset = parse_offset(text)
            if offset is None:
                reader.fail("reminders", None, key,
                            f"« {text} » is not an offset like \"7d\", \"48h\" or \"30m\"")
            else:
                parsed.append(offset)
        offsets[key] = tuple(sorted(parsed, reverse=True))

    channels = data.get("channels", {})
    for platform, channel in channels.items():
        if not isinstance(channel, str) or not channel.strip():
            reader.fail("channels", None, platform, "must be a non-empty channel or chat id")

    digest = reader.string(data.get("digest", {}), "digest", None, "schedule", "mon 08:00")
    if digest and not DIGEST.match(digest):
        reader.fail("digest", None, "schedule",
                    f"« {digest} » is not a weekday and a time like \"mon 08:00\" "
                    "(or \"daily 08:00\")")
    groups = []
    for i, item in enumerate(data.get("groups", [])):
        name = reader.string(item, "groups", i, "name")
        group_members = reader.strings(item, "groups", i, "members")
        chairs = reader.strings(item, "groups", i, "chairs")
        for chair in chairs:
            if chair not in group_members:
                reader.fail("groups", i, "chairs", f"« {chair} » is not one of the group's members")
        group_channels = tuple((platform, item[platform]) for platform in ("slack", "telegram")
                               if isinstance(item.get(platform), str) and item[platform])
        groups.append(WorkingGroup(name, tuple(group_members), tuple(chairs), group_channels))
    access = reader.string(data.get("knowledge", {}), "knowledge", None, "access", "members")
    if access not in ("members", "public"):
        reader.fail("knowledge", None, "access", "must be \"members\" or \"public\"")
        access = "members"
    empty_seat = reader.string(data.get("consultations", {}), "consultations", None,
                               "empty_seat", "decide_without")
    if empty_seat not in EMPTY_SEAT:
        reader.fail("consultations", None, "empty_seat",
                    "must be \"decide_without\" (an entity with no focal point is left out and "
                    "named) or \"block_consensus\" (its empty seat blocks consensus)")
        empty_seat = "decide_without"
    organizer = reader.string(data.get("calendar", {}), "calendar", None, "organizer_email")
    if organizer and not MAILBOX.match(organizer):
        reader.fail("calendar", None, "organizer_email",
                    f"« {organizer[:80]} » is not an email address like \"secretariat@un.org\"")
    elif organizer.lower().endswith(".invalid"):
        reader.fail("calendar", None, "organizer_email",
                    "must be a mailbox that receives mail (a .invalid domain does not exist)")
    late_grace, attempts = _jobs(reader, data.get("jobs", {}))
    end_of_day = reader.string(data.get("dates", {}), "dates", None, "end_of_working_day",
                               "17:00")
    clock = CLOCK.match(end_of_day)
    if not clock:
        reader.fail("dates", None, "end_of_working_day",
                    f"« {end_of_day[:20]} » is not a time like \"17:00\"")
    names = {key: reader.string(net, "network", None, key)
             for key in ("name_fr", "name_en", "place_fr", "place_en")}
    if reader.problems:
        raise ConfigError(reader.problems)
    return Network(
        **names,
        timezone=timezone,
        language=language,
        agencies=tuple(agencies),
        co_chairs=tuple(co_chairs),
        secretariat=tuple(secretariat),
        channels={k: v for k, v in channels.items() if isinstance(v, str)},
        meeting_reminders=offsets["meetings"],
        consultation_reminders=offsets["consultations"],
        workplan_reminders=offsets["workplan"],
        digest_cron=digest,
        members=tuple(members),
        console_member=console_member,
        groups=tuple(groups),
        knowledge_access=access,
        empty_seat_blocks=EMPTY_SEAT[empty_seat],
        organizer_email=organizer,
        job_late_grace=late_grace,
        job_attempts=attempts,
        end_of_day=time(int(clock[1]), int(clock[2])) if clock else time(17, 0),
    )


def _jobs(reader: Reader, table: dict[str, Any]) -> tuple[timedelta, int]:
    """``[jobs]``: how late scheduled work may run unremarked, how many tries before giving up."""
    text = reader.string(table, "jobs", None, "late_grace", "1h")
    grace = parse_offset(text)
    if grace is None:
        reader.fail("jobs", None, "late_grace",
                    f"« {text} » is not a duration like \"1h\" or \"30m\"")
    attempts = table.get("attempts", 5)
    if type(attempts) is not int or not 1 <= attempts <= 100:
        reader.fail("jobs", None, "attempts", "must be a whole number from 1 to 100")
        attempts = 5
    return grace or timedelta(hours=1), attempts


def is_example_mailbox(address: str) -> bool:
    """A placeholder address (a domain reserved for examples): ``check`` asks for the real one."""
    return bool(EXAMPLE_DOMAINS.search(address.rpartition("@")[2]))


def _article(reader: Reader, item: dict[str, Any], i: int) -> str:
    """The French article of an acronym (« l'OIM », « le PNUD », « la FAO »); none by default."""
    article = reader.string(item, "agencies", i, "article_fr", "").strip().replace("’", "'")
    if article not in ARTICLES_FR:
        reader.fail("agencies", i, "article_fr",
                    f"« {article} » is not one of « l' », « le », « la » or \"\" (no article)")
        return ""
    return article


def _agencies(reader: Reader, items: list[dict[str, Any]]) -> list[Agency]:
    agencies: list[Agency] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        code = reader.string(item, "agencies", i, "code")
        if code in seen:
            reader.fail("agencies", i, "code", f"agency code « {code} » appears twice")
        seen.add(code)
        acronym_fr = reader.string(item, "agencies", i, "acronym_fr", code)
        agencies.append(Agency(
            code=code, acronym_fr=acronym_fr,
            acronym_en=reader.string(item, "agencies", i, "acronym_en", code),
            name_fr=reader.string(item, "agencies", i, "name_fr"),
            name_en=reader.string(item, "agencies", i, "name_en"),
            article_fr=_article(reader, item, i)))
    if not agencies:
        reader.fail("agencies", None, None, "the network needs at least one agency")
    return agencies


def _members(reader: Reader, items: list[dict[str, Any]], codes: set[str]) -> list[MemberSeed]:
    members: list[MemberSeed] = []
    ids: set[str] = set()
    identities: set[str] = set()
    for i, item in enumerate(items):
        member_id = reader.string(item, "members", i, "id")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,39}", member_id or ""):
            reader.fail("members", i, "id", "must be lowercase letters, digits, '.', '_' or '-'")
        if member_id in ids:
            reader.fail("members", i, "id", f"« {member_id} » appears twice")
        ids.add(member_id)
        agency = reader.string(item, "members", i, "agency")
        if agency and agency not in codes:
            reader.fail("members", i, "agency", f"unknown agency code « {agency} »")
        roles = reader.strings(item, "members", i, "roles", ["focal_point"])
        for role in roles:
            if role not in ROLES:
                reader.fail("members", i, "roles",
                            f"unknown role « {role} » (known: {', '.join(ROLES)})")
        member_identities = reader.strings(item, "members", i, "identities")
        for identity in member_identities:
            if not (IDENTITY.match(identity) or is_email_identity(identity)):
                reader.fail("members", i, "identities", f"« {identity} » is not platform:id "
                            "(console, slack, telegram or email:address)")
            elif identity in identities:
                reader.fail("members", i, "identities", f"« {identity} » is used twice")
            identities.add(identity)
        language = item.get("language")
        if language is not None and language not in LANGUAGES:
            reader.fail("members", i, "language", "must be \"fr\" or \"en\"")
            language = None
        members.append(MemberSeed(member_id, reader.string(item, "members", i, "name"), agency,
                                  tuple(roles), tuple(member_identities), language))
    return members
