"""The console chat: each line typed is a message from one member; replies and everything the
bot sends to others are printed. Works typed by a person or piped from a script."""

from __future__ import annotations

import os

from bot.app import BotApp
from bot.platforms.console import ConsoleAdapter, LineReader
from handlers.settings import fold
from handlers.types import Inbound, Message
from storage.faults import StorageUnavailable
from storage.identity import Identity
from storage.models import Member


def console_locale(env: dict[str, str] | None = None) -> str | None:
    """The terminal's language when it is French or English (``LANG=en_GB.UTF-8`` → ``en``)."""
    env = dict(os.environ if env is None else env)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value[:2].lower() in ("fr", "en"):
            return value[:2].lower()
    return None


def find_member(app: BotApp, typed: str) -> Member | None:
    """The member someone means by ``--as``: an id, a console identity, or a name."""
    members = app.store.members
    wanted = fold(typed.strip())
    found = members.get(wanted) or members.by_identity(typed) or members.by_identity(
        f"console:{wanted}")
    if found is not None and found.active:
        return found
    return next((m for m in members.active() if fold(m.name) == wanted), None)


async def run_console(app: BotApp, who: str) -> None:
    """Chat until the end of input. ``who`` is a member (id or name) or a newcomer's name."""
    member = find_member(app, who)
    if member is not None:
        console_ids = [Identity.parse(i) for i in member.identities if i.startswith("console:")]
        user_id = console_ids[0].user if console_ids else member.id
        if not console_ids:  # let a member without a console identity try the console
            member.identities.append(f"console:{user_id}")
            await app.durably(lambda: app.store.members.save(member))
        display = member.name
    else:
        user_id = "-".join(fold(who).split())[:40] or "invite"
        display = who.strip()[:80] or user_id
    locale = console_locale()
    lang = app.ctx.language_of(member, locale)
    adapter = ConsoleAdapter(app.catalog, lang, app.store.data_dir / "files")
    app.add_adapter(adapter, fallback=True)
    network = app.network
    intro_key = "console.welcome" if member else "console.welcome_unknown"
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
                display_name=display, locale=locale, remember_locale=False))
        except StorageUnavailable:  # nothing was recorded: say so, never "done"
            adapter.show(Message(paragraphs=[app.catalog.t(lang, "error.storage_unavailable")]))
            continue
        adapter.show(reply.message, reply.language)
        await app.dispatcher.flush()
    app.stop()
    if reader.interactive:
        adapter.out.write("\n")  # Ctrl-D leaves the cursor after the prompt
    current = app.store.members.by_identity(f"console:{user_id}")
    adapter.out.write(app.catalog.t(app.ctx.language_of(current, locale), "console.bye") + "\n")
    adapter.out.flush()
