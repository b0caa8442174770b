"""What every handler works with: storage, the network, the catalogs, the clock, the outbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from handlers.clocks import Lifetimes, ProcessClock
from handlers.i18n import Catalog
from handlers.settings import LANGUAGES, Network
from handlers.types import Message, Outgoing, Recipient
from storage.models import Member
from storage.records import to_iso
from storage.store import Store

R_co = TypeVar("R_co", covariant=True)

MAX_LOCALE = 35  # the longest IETF tag worth keeping ("zh-Hant-TW", "en-US-u-ca-gregory")
# How long a message keeps mattering when its handler names no moment (``until``): the
# dispatcher retries it until then, then gives it up and tells the secretariat. An answer to
# one person (``send_to_identity``, the answer to an event) matters a day; anything else a few
# days.
DEFAULT_RELEVANCE = timedelta(days=3)
REPLY_RELEVANCE = timedelta(days=1)


class UserError(Exception):
    """A mistake the person can fix: shown to them as the catalog text ``key`` in their language."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)


class Offered(Exception):
    """No number was typed and several items fit: ``message`` offers them as buttons
    (``handlers.choosing``); the router answers with it, like a ``UserError``."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__("offered")


def is_number(text: str) -> bool:
    """A number people type for an id or a year: ASCII digits, at most nine (``str.isdigit``
    alone accepts « ² », which ``int`` refuses, and ``int`` refuses 5,000 digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


def parse_ref(text: str, bad_key: str) -> int:
    """The number in « 3 », « n°3 », « #3 »; ``UserError(bad_key)`` when there is none."""
    cleaned = text.strip().lstrip("#nN°º ").strip()
    if not is_number(cleaned):
        raise UserError(bad_key, typed=text.strip()[:20] or "—")
    return int(cleaned)


class NumberedLookup(Protocol[R_co]):
    """What ``find_numbered`` needs of a repository: a record by its number."""

    def get(self, number: int) -> R_co | None: ...


def find_numbered(records: NumberedLookup[R_co], text: str, bad_key: str,
                  missing_key: str) -> R_co:
    """The record numbered in ``text`` (« 3 », « n°3 »): ``UserError(bad_key)`` when ``text``
    holds no number, ``UserError(missing_key, number=…)`` when there is no such record.

    Example: ``find_numbered(ctx.store.meetings, "n°3", "meeting.bad_number",
    "meeting.not_found")``."""
    number = parse_ref(text, bad_key)
    found = records.get(number)
    if found is None:
        raise UserError(missing_key, number=number)
    return found


def utc_now() -> datetime:
    return datetime.now(UTC)


class Context:
    """Shared by all handlers of one bot process. ``clock`` (the wall clock) and ``monotonic``
    are injectable so tests drive time."""

    def __init__(self, store: Store, network: Network, catalog: Catalog | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.network = network
        self.catalog = catalog or Catalog.load()
        self.clock = clock
        self.process_clock = ProcessClock(clock, monotonic)
        self.lifetimes = Lifetimes(monotonic)  # tokens minted here end on both clocks
        # Per person, the last list or search shown, for « suite » (lost on restart: harmless).
        self.pages: dict[str, tuple[str, str, int]] = {}
        # Per platform, the address that opens a private chat with the bot and hands it a
        # payload (``{payload}`` inside; Telegram's ``https://t.me/<bot>?start={payload}``),
        # given by the adapter once it knows the bot's name. Empty for the console.
        self.start_links: dict[str, str] = {}
        # Where this process serves its web pages (``RESEAU_PUBLIC_URL``, else host and port),
        # given by the app when it runs the web server; ``None`` (the console): no link to give.
        self.web_url: str | None = None
        # The platforms this process delivers to with an adapter of their own, and whether a
        # fallback (the console) shows the rest: given by the app as adapters are added, for
        # telling the secretariat where each member is reached (``handlers/reach.py``).
        self.delivers_to: set[str] = set()
        self.delivers_all = False

    def now(self) -> datetime:
        return self.clock()

    def now_iso(self) -> str:
        return to_iso(self.clock())

    def t(self, lang: str, key: str, **params: object) -> str:
        return self.catalog.t(lang, key, **params)

    def language_of(self, member: Member | None, locale: str | None = None) -> str:
        """The member's choice, else the platform's language (``locale``, the one this event
        carries, else the one last learned for the member), else the network's language."""
        if member is not None and member.language in LANGUAGES:
            return member.language
        seen = locale or (member.locale if member is not None else None)
        if seen:
            short = seen.replace("-", "_").split("_")[0].lower()
            if short in LANGUAGES:
                return short
        return self.network.language

    def remember_locale(self, member: Member | None, locale: str | None) -> None:
        """Keep the platform language a member's event carried, so that what the bot sends them
        later (invitations, consultations, reminders, digests) is in it too. Written only when
        it changed."""
        if member is None or not locale:
            return
        locale = locale.strip()[:MAX_LOCALE]
        if locale and member.locale != locale:
            member.locale = locale
            self.store.members.save(member)
    def start_link(self, platform: str, payload: str) -> str | None:
        """A link that opens the bot's private chat on ``platform`` with ``payload``, if any."""
        template = self.start_links.get(platform)
        return template.replace("{payload}", payload) if template else None

    def is_group_chair(self, member: Member | None) -> bool:
        return member is not None and self.store.groups.is_chair(member.id)

    def when(self, lang: str, moment: datetime) -> str:
        return self.catalog.datetime(lang, moment, self.network.timezone)

    def agency_label(self, code: str, lang: str) -> str:
        agency = self.network.agency(code)
        return agency.acronym(lang) if agency else code

    # The outbox: handlers never send; they leave messages here for the dispatcher.

    def queue(self, outgoing: Outgoing, until: datetime | None = None, topic: str = "",
              relevance: timedelta = DEFAULT_RELEVANCE,
              as_dict: dict[str, Any] | None = None) -> bool:
        """Store one outgoing message; ``False`` if its key was already queued (no double send).

        ``until`` is when the message stops mattering (an invitation: the meeting's start; a
        consultation: its deadline; a reminder: the moment it reminds of): it is retried until
        then, never after. Without it, ``relevance`` from now. ``topic`` names what it is about
        for the handler told whether it arrived (``handlers.delivery.outcome``). ``as_dict``:
        the message's ``to_dict()``, when already made (one per language for a whole list)."""
        expires = until or self.clock() + relevance
        row = self.store.outbox.add(outgoing.key, outgoing.recipient.to_dict(),
                                    as_dict or outgoing.message.to_dict(), self.now_iso(),
                                    outgoing.language, to_iso(expires), topic)
        return row is not None

    def send_to_member(self, member: Member, key: str, build: Callable[[str], Message],
                       until: datetime | None = None, topic: str = "") -> bool:
        lang = self.language_of(member)
        return self.queue(Outgoing(Recipient("member", member.id), build(lang), lang,
                                   f"{key}:{member.id}"), until, topic)

    def send_to_members(self, members: list[Member], key: str,
                        build: Callable[[str], Message], until: datetime | None = None,
                        topic: str = "") -> int:
        """The same message to each member in their language: built once per language, not
        once per member (an opening reaches hundreds of people)."""
        built: dict[str, tuple[Message, dict[str, Any]]] = {}
        sent = 0
        for member in members:
            lang = self.language_of(member)
            if lang not in built:
                message = build(lang)
                built[lang] = (message, message.to_dict())
            message, as_dict = built[lang]
            sent += self.queue(Outgoing(Recipient("member", member.id), message, lang,
                                        f"{key}:{member.id}"), until, topic, as_dict=as_dict)
        return sent

    def send_to_identity(self, identity: str, lang: str, key: str, message: Message,
                         until: datetime | None = None) -> bool:
        return self.queue(Outgoing(Recipient("identity", identity), message, lang,
                                   f"{key}:{identity}"), until, relevance=REPLY_RELEVANCE)

    def announce(self, key: str, build: Callable[[str], Message], channel: str = "network",
                 skip: str = "", until: datetime | None = None) -> bool:
        """A message for the network channel of every platform, in the network's language;
        not to the chat ``skip`` (``platform:chat id``), where it was posted already."""
        lang = self.network.language
        return self.queue(Outgoing(Recipient("channel", channel, skip), build(lang), lang,
                                   f"{key}:channel:{channel}"), until)
