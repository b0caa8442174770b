"""One router for every platform: finds the command or button, checks who may, runs it safely.

Command names are French with English aliases, compared without accents or case. Whatever the
input, the person gets a message in their language, never a traceback.
"""

from __future__ import annotations

import difflib
import logging
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from handlers.context import Context, Offered, UserError
from handlers.i18n import Catalog
from handlers.roles import ALL_ROLES, UNKNOWN, roles_of
from handlers.settings import fold
from handlers.types import Inbound, Message, Reply
from storage.models import Member

log = logging.getLogger(__name__)

MAX_TEXT = 4000


@dataclass(frozen=True)
class Request:
    """One call of a handler: who (member, roles, language), what they typed after the name."""

    ctx: Context
    inbound: Inbound
    member: Member | None
    roles: frozenset[str]
    lang: str
    args: str
    name: str  # the command name as this person reads it
    router: Router

    def t(self, key: str, **params: object) -> str:
        return self.ctx.t(self.lang, key, **params)


Handler = Callable[[Request], "Message | Reply"]
# Reads what is no command (words that may be a position); ``None``: not its business.
Reader = Callable[[Request], "Message | Reply | None"]


@dataclass(frozen=True)
class Command:
    """A typed command. ``key`` names its catalog texts: ``cmd.<key>.name`` (what people type, in
    each language), ``cmd.<key>.usage`` and ``cmd.<key>.help``; ``aliases`` are extra spellings."""

    key: str
    roles: frozenset[str]
    handler: Handler
    aliases: tuple[str, ...] = ()
    hidden: bool = False  # works when typed, but is not offered in help or menus (``start``)


@dataclass(frozen=True)
class Action:
    """A button. ``value`` is a short reference (``"12"``, ``"12:objection"``): it must survive a
    restart, so no state lives in the button itself."""

    name: str
    roles: frozenset[str]
    handler: Callable[[Request, str], Message | Reply]


def clean(text: str) -> str:
    """Drop control and invisible characters (keeping line breaks), trim the ends."""
    kept = []
    for char in text.replace("\r\n", "\n").replace("\t", " "):
        category = unicodedata.category(char)
        if char == "\n" or not (category.startswith("C") or category in ("Zl", "Zp")):
            kept.append(char)
    return "".join(kept).strip()


def localized(params: dict[str, object], lang: str) -> dict[str, object]:
    """``{"example_fr": …, "example_en": …}`` also gives ``example`` in the reader's language."""
    result = dict(params)
    for key in params:
        if key.endswith(f"_{lang}"):
            result[key[: -len(lang) - 1]] = params[key]
    return result


class Router:
    """The command table and the button table, and the one way in for every platform."""

    def __init__(self, commands: list[Command], actions: list[Action], catalog: Catalog,
                 capture: Handler | None = None, natural: Reader | None = None) -> None:
        self.commands = commands
        self.capture = capture
        self.natural = natural
        self.actions = {a.name: a for a in actions}
        self.catalog = catalog
        self._names: dict[tuple[str, ...], tuple[Command, str]] = {}
        for command in commands:
            for spelling, lang in [(self.name(command, "fr"), "fr"),
                                   (self.name(command, "en"), "en")] + [
                    (alias, "en") for alias in command.aliases]:
                words = tuple(fold(spelling).split())
                if words in self._names and self._names[words][0] is not command:
                    raise ValueError(f"command name {spelling!r} is used twice")
                self._names[words] = (command, lang)

    def name(self, command: Command, lang: str) -> str:
        """What ``command`` is called in ``lang`` (from the catalog, like every word we show)."""
        return self.catalog.t(lang, f"cmd.{command.key}.name")

    def find(self, text: str) -> tuple[Command, str, str] | None:
        """The command named at the start of ``text``, the language of its name, and the rest."""
        words = text.split()
        folded = [fold(w) for w in words]
        for size in range(min(4, len(words)), 0, -1):
            found = self._names.get(tuple(folded[:size]))
            if found:
                rest = text.split(None, size)[size] if len(words) > size else ""
                return found[0], found[1], rest.strip()
        return None

    def suggest(self, text: str, lang: str) -> str | None:
        """The command name closest to what was typed, in the reader's language."""
        folded = [fold(w) for w in text.split()][:3]
        candidates = {" ".join(words): cmd for words, (cmd, _) in self._names.items()}
        for size in range(len(folded), 0, -1):
            close = difflib.get_close_matches(" ".join(folded[:size]), list(candidates), n=1,
                                              cutoff=0.6)
            if close:
                return self.name(candidates[close[0]], lang)
        return None

    def allowed(self, roles: frozenset[str], permitted: frozenset[str]) -> bool:
        return bool(roles & permitted)

    def handle(self, ctx: Context, inbound: Inbound) -> Reply:
        """Answer one inbound event. Every failure becomes a message, except a write the data
        dir refused (``OSError``): that one propagates, so that nothing is answered as done
        when nothing was recorded (``BotApp.handle`` raises ``StorageUnavailable``)."""
        member = inbound.member
        lang = ctx.language_of(member, inbound.locale)
        try:
            if inbound.capture:
                return self._capture(ctx, inbound, member, lang)
            if inbound.action is not None:
                return self._click(ctx, inbound, member, lang)
            return self._command(ctx, inbound, member, lang)
        except Offered as offer:
            return Reply(offer.message, lang)
        except UserError as error:
            params = localized(error.params, lang)
            return Reply(Message(paragraphs=[ctx.t(lang, error.key, **params)]), lang)
        except OSError:
            raise
        except Exception:
            reference = secrets.token_hex(3)
            log.exception("handler failed (ref %s) for %s", reference, inbound.identity)
            return Reply(Message(paragraphs=[ctx.t(lang, "error.internal", ref=reference)]), lang)

    def _command(self, ctx: Context, inbound: Inbound, member: Member | None,
                 lang: str) -> Reply:
        text = clean(inbound.text or "")
        if text.startswith("/"):
            text = text[1:]
        if not text:
            return Reply(Message(paragraphs=[ctx.t(lang, "error.empty")]), lang)
        if len(text) > MAX_TEXT:
            return Reply(Message(paragraphs=[ctx.t(lang, "error.too_long", length=len(text),
                                                   limit=MAX_TEXT)]), lang)
        found = self.find(text)
        if found is None:
            read = self._natural(ctx, inbound, member, lang, text)
            if read is not None:
                return read
            guess = self.suggest(text, lang)
            typed = text.split()[0][:40]
            key = "error.unknown_command_suggest" if guess else "error.unknown_command"
            help_name = self.name(self._by_key("help"), lang)
            return Reply(Message(paragraphs=[ctx.t(lang, key, typed=typed, suggestion=guess,
                                                   help=help_name)]), lang)
        command, name_lang, args = found
        if member is None and inbound.locale is None and name_lang != lang:
            lang = name_lang  # an unknown user typing "help" is answered in English
        roles = roles_of(member, ctx.network, ctx.is_group_chair(member))
        if not self.allowed(roles, command.roles):
            return self._refuse(ctx, lang, self.name(command, lang), command.roles, roles)
        request = Request(ctx, inbound, member, roles, lang, args, self.name(command, lang), self)
        return self._as_reply(command.handler(request), lang)

    def _capture(self, ctx: Context, inbound: Inbound, member: Member | None,
                 lang: str) -> Reply:
        """A message in a group chat: quiet unless the capture handler finds something (from
        anyone: it tells a non-member why their link was not kept)."""
        text = clean(inbound.text or "")[:MAX_TEXT]
        if inbound.in_reply_to is not None:  # a reply to the bot's message: addressed to it
            read = self._natural(ctx, inbound, member, lang, text)
            if read is not None:
                return read
        if self.capture is None:
            return Reply(Message(), lang)
        roles = roles_of(member, ctx.network, ctx.is_group_chair(member))
        request = Request(ctx, inbound, member, roles, lang, text, "", self)
        return self._as_reply(self.capture(request), lang)

    def _natural(self, ctx: Context, inbound: Inbound, member: Member | None, lang: str,
                 text: str) -> Reply | None:
        """Words that are no command, read by ``natural`` (a position written in words)."""
        if self.natural is None:
            return None
        roles = roles_of(member, ctx.network, ctx.is_group_chair(member))
        read = self.natural(Request(ctx, inbound, member, roles, lang, text, "", self))
        return None if read is None else self._as_reply(read, lang)

    def _click(self, ctx: Context, inbound: Inbound, member: Member | None, lang: str) -> Reply:
        action = self.actions.get(inbound.action or "")
        if action is None:
            return Reply(Message(paragraphs=[ctx.t(lang, "error.unknown_action")]), lang)
        roles = roles_of(member, ctx.network, ctx.is_group_chair(member))
        if not self.allowed(roles, action.roles):
            return self._refuse(ctx, lang, ctx.t(lang, f"action.{action.name}"), action.roles,
                                roles)
        request = Request(ctx, inbound, member, roles, lang, inbound.value, action.name, self)
        return self._as_reply(action.handler(request, clean(inbound.value)[:200]), lang)

    def _refuse(self, ctx: Context, lang: str, name: str, permitted: frozenset[str],
                roles: frozenset[str]) -> Reply:
        who = ctx.catalog.join(lang, [ctx.t(lang, f"role.{r}") for r in ALL_ROLES
                                      if r in permitted and r != UNKNOWN])
        key = "error.not_a_member" if roles == {UNKNOWN} else "error.not_allowed"
        return Reply(Message(paragraphs=[ctx.t(lang, key, command=name, who=who)]), lang)

    def run(self, req: Request, key: str, args: str) -> Reply:
        """Run the command ``key`` with ``args`` for the person of ``req``, checked as if typed:
        a button that stands for a typed command (``handlers.choosing``)."""
        command = next((c for c in self.commands if c.key == key), None)
        if command is None:
            return Reply(Message(paragraphs=[req.t("error.unknown_action")]), req.lang)
        if not self.allowed(req.roles, command.roles):
            return self._refuse(req.ctx, req.lang, self.name(command, req.lang), command.roles,
                                req.roles)
        typed = replace(req, args=args, name=self.name(command, req.lang))
        return self._as_reply(command.handler(typed), req.lang)

    def _by_key(self, key: str) -> Command:
        return next(c for c in self.commands if c.key == key)

    @staticmethod
    def _as_reply(result: Message | Reply, lang: str) -> Reply:
        return result if isinstance(result, Reply) else Reply(result, lang)
