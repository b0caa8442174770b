"""Telegram's command menus, scoped as people meet the bot: a member's commands in private chats
(and by default), a short menu in groups, and each lead's commands in their own chat; and the
table from Telegram's command names (Latin letters, digits, ``_``) back to the router's.

Apart from the adapter because the menus are derived from the router and the catalogs, not from
anything Telegram sends: a new command shows up here without touching inbound or delivery.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.app import BotApp
from handlers.commands import GROUP_MENU
from handlers.roles import FOCAL_POINTS
from handlers.router import Command, Router
from handlers.settings import fold

log = logging.getLogger(__name__)

PLATFORM = "telegram"
MENU_SIZE = 100  # Telegram's maximum
MENU_TEXT = 256  # a command's description, at most
MENU_LANGUAGES = (("fr", None), ("en", "en"))  # French by default, English for English clients
MEMBER_ROLES = FOCAL_POINTS  # what the private menu offers


def telegram_name(name: str) -> str:
    """A router name as a Telegram command (Latin letters, digits, ``_``; at most 32):
    ``réunion déplacer`` → ``reunion_deplacer``."""
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:32]


def command_table(router: Router) -> dict[str, str]:
    """Every Telegram command name → the router's spelling, in both languages and aliases.
    ``/start`` (Telegram's Start button, and what a deep link sends) is the ``start``
    command."""
    table: dict[str, str] = {}
    for command in router.commands:
        for spelling in (router.name(command, "fr"), router.name(command, "en"),
                         *command.aliases):
            name = telegram_name(spelling)
            if name:
                table.setdefault(name, spelling)
    return table


class CommandMenus:
    """``setMyCommands`` for each scope, in French (the default) and English."""

    def __init__(self, app: BotApp, bot: Bot) -> None:
        self.app = app
        self.bot = bot
        self._lead_menus: set[str] = set()  # leads whose own chat has its menu (this process)

    def _menu(self, lang: str, offered: Callable[[Command], bool]) -> list[BotCommand]:
        """The commands ``offered`` keeps, named and described in ``lang``."""
        menu: list[BotCommand] = []
        seen: set[str] = set()
        for command in self.app.router.commands:
            name = telegram_name(self.app.router.name(command, lang))
            if command.hidden or not offered(command) or not name or name in seen:
                continue
            seen.add(name)
            about = " ".join(self.app.catalog.t(lang, f"cmd.{command.key}.help").split())
            menu.append(BotCommand(name, about[:MENU_TEXT] or name))
        return menu[:MENU_SIZE]

    async def _set_menu(self, offered: Callable[[Command], bool],
                        scope: BotCommandScope) -> bool:
        """One scope's menu in French (the default) and English; ``False`` if refused."""
        for lang, code in MENU_LANGUAGES:
            try:
                await self.bot.set_my_commands(self._menu(lang, offered), scope=scope,
                                               language_code=code)
            except TelegramError as error:  # the menu is a convenience: typing still works
                log.warning("telegram: setMyCommands (%s, %s) failed: %s", scope.type, lang,
                            error)
                return False
        return True

    async def register(self) -> None:
        """Menus scoped as people meet the bot: a member's commands in private chats (and by
        default), a short menu in groups, and each lead's commands in their own chat."""
        router = self.app.router

        def for_members(command: Command) -> bool:
            return router.allowed(MEMBER_ROLES, command.roles)

        await self._set_menu(for_members, BotCommandScopeDefault())
        await self._set_menu(for_members, BotCommandScopeAllPrivateChats())
        await self._set_menu(lambda command: command.key in GROUP_MENU,
                             BotCommandScopeAllGroupChats())
        for user_id, roles in self.app.leads_on(PLATFORM):
            await self._lead_menu(user_id, roles)

    async def _lead_menu(self, user_id: str, roles: frozenset[str]) -> None:
        """A lead's own chat lists what their roles allow (a chat never opened is refused:
        it is set again when they write)."""
        if not user_id.lstrip("-").isdigit():
            return
        router = self.app.router
        if await self._set_menu(lambda command: router.allowed(roles, command.roles),
                                BotCommandScopeChat(int(user_id))):
            self._lead_menus.add(user_id)

    async def menu_for(self, user_id: str) -> None:
        """After a private message: a lead met for the first time in this process (linked or
        appointed since start-up) gets their menu."""
        if user_id in self._lead_menus:
            return
        roles = self.app.lead_roles(f"{PLATFORM}:{user_id}")
        if roles is not None:
            await self._lead_menu(user_id, roles)
