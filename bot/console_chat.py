"""The console chat: each line typed is a message from one member; replies and everything the
bot sends to others are printed. Works typed by a person or piped from a script."""

from __future__ import annotations

import os

from bot.app import BotApp
from bot.platforms.console import ConsoleAdapter, LineReader
from bot.refusals import NotStored
from handlers.console_seat import language_at_console
from handlers.types import Inbound, Message


def console_locale(env: dict[str, str] | None = None) -> str | None:
    """The terminal's language when it is French or English (``LANG=en_GB.UTF-8`` → ``en``)."""
    env = dict(os.environ if env is None else env)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value[:2].lower() in ("fr", "en"):
            return value[:2].lower()
    return None


async def run_console(app: BotApp, who: str) -> None:
    """Chat until the end of input. ``who`` is a member (id or name) or a newcomer's name."""
    locale = console_locale()
    seat = await app.console_seat(who, locale)
    user_id, display, lang = seat.user_id, seat.display, seat.lang
    adapter = ConsoleAdapter(app.catalog, lang, app.files_dir)
    app.add_adapter(adapter, fallback=True)
    network = app.network
    intro_key = "console.welcome" if seat.member_id else "console.welcome_unknown"
    reader = LineReader(prompt=app.catalog.t(lang, "console.prompt", name=display.split()[0]))
    adapter.out.write(app.catalog.t(lang, intro_key, name=display, network=network.name(lang))
                      + "\n")
    await app.start()
    await app.dispatcher.flush()
    while True:
        line = await reader.next_line()
        if line is None:
            break
        if not line.strip():
            continue
        if not reader.interactive:
            adapter.out.write(f"> {line}\n")
        try:
            reply = await app.handle_durably(Inbound(
                platform="console", user_id=user_id, chat_id="console", private=True, text=line,
                display_name=display, locale=locale, remember_locale=False, converses=True))
        except NotStored:  # nothing was recorded: say so, never "done"
            adapter.show(Message(paragraphs=[app.catalog.t(lang, "error.storage_unavailable")]))
            continue
        adapter.show(reply.message, reply.language)
        await app.dispatcher.flush()
    app.stop()
    if reader.interactive:
        adapter.out.write("\n")  # Ctrl-D leaves the cursor after the prompt
    bye_lang = language_at_console(app.ctx, user_id, locale)
    adapter.out.write(app.catalog.t(bye_lang, "console.bye") + "\n")
    adapter.out.flush()
