"""The network's settings as typed values: who is in it, where it meets, when it reminds.

``bot/config/network.py`` builds a ``Network`` from the built-in Mali network and an optional
TOML file; handlers only ever read these values.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import time, timedelta

from handlers.words import ProperName

LANGUAGES = ("fr", "en")


def fold(text: str) -> str:
    """Lowercase without accents, so ``Réunion``, ``reunion`` and ``REUNION`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slugify(name: str) -> str:
    """A group's stable id from its name: ``Données migratoires`` → ``donnees-migratoires``."""
    return "-".join("".join(c if c.isalnum() else " " for c in fold(name)).split())


@dataclass(frozen=True)
class Agency:
    """A UN entity of the country team. ``code`` is stable; acronyms are what people type."""

    code: str
    acronym_fr: str
    acronym_en: str
    name_fr: str
    name_en: str
    executive: bool = False
    article_fr: str = ""  # « l' », « le », « la » or none: « de l'OIM », « du PNUD »

    def acronym(self, lang: str) -> ProperName:
        """What people read; it knows its French article, so texts can say ``{agency.of}``."""
        return ProperName(self.acronym_fr if lang == "fr" else self.acronym_en, lang,
                          self.article_fr)

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en


@dataclass(frozen=True)
class CoChairSeat:
    """One of the two co-chair seats (the Resident Coordinator, the IOM Chief of Mission)."""

    title_fr: str
    title_en: str
    agency: str

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en


@dataclass(frozen=True)
class MemberSeed:
    """A member the configuration brings (the demo focal points of the built-in network)."""

    id: str
    name: str
    agency: str
    roles: tuple[str, ...]
    identities: tuple[str, ...]
    language: str | None = None


@dataclass(frozen=True)
class WorkingGroup:
    """A working group set up by the Executive Committee: its members (ids) and chairs."""

    name: str
    members: tuple[str, ...]
    chairs: tuple[str, ...] = ()
    channels: tuple[tuple[str, str], ...] = ()  # (platform, channel id) pairs

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass(frozen=True)
class Network:
    """Everything the handlers need to know about the network, with the Mali defaults."""

    name_fr: str
    name_en: str
    timezone: str
    language: str
    place_fr: str
    place_en: str
    agencies: tuple[Agency, ...]
    co_chairs: tuple[CoChairSeat, ...]
    secretariat: tuple[str, ...]
    channels: dict[str, str] = field(default_factory=dict)
    meeting_reminders: tuple[timedelta, ...] = ()
    consultation_reminders: tuple[timedelta, ...] = ()
    workplan_reminders: tuple[timedelta, ...] = ()
    digest_cron: str = "mon 08:00"
    members: tuple[MemberSeed, ...] = ()
    console_member: str = ""
    groups: tuple[WorkingGroup, ...] = ()
    knowledge_access: str = "members"  # who may read the knowledge page: "members" | "public"
    # An entity with no active focal point: left out of the deciding set and named (False, UN
    # practice), or its empty seat blocks consensus (True, the stricter reading).
    empty_seat_blocks: bool = False
    # The mailbox calendar files name as their ORGANIZER (the secretariat's): where a
    # calendar sends a reply, and what makes a file acceptable to the strict ones.
    organizer_email: str = "secretariat@example.org"
    # Scheduled work done later than this after it was due is logged as an error and the
    # secretariat told (the bot was down, or the clock jumped); a job that keeps raising is
    # given up after ``job_attempts`` tries, and the secretariat told what did not happen.
    job_late_grace: timedelta = timedelta(hours=1)
    job_attempts: int = 5
    # A deadline written without a time (« d'ici vendredi », « fin du mois », « COB ») means
    # the end of that working day: this time, in the network's zone.
    end_of_day: time = time(17, 0)

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en

    def place(self, lang: str) -> str:
        return self.place_fr if lang == "fr" else self.place_en

    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def find_agency(self, typed: str) -> Agency | None:
        """The agency a person meant by a code or acronym in either language (any case/accents)."""
        wanted = fold(typed.strip()).replace(" ", "").replace("-", "")
        for agency in self.agencies:
            spellings = {agency.code, agency.acronym_fr, agency.acronym_en}
            if wanted in {fold(s).replace(" ", "").replace("-", "") for s in spellings}:
                return agency
        return None

    def group_channel(self, slug: str, platform: str) -> str | None:
        """The chat where a working group's announcements go, when the config names one."""
        for group in self.groups:
            if group.slug == slug:
                return dict(group.channels).get(platform)
        return None

    @property
    def executive_committee(self) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.executive)
