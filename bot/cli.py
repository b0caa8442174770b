"""``reseau-bot``: ``run`` (the default), ``console --as <member>``, ``check`` and
``courrier`` (calendar replies read from the mailbox)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bot.app import BotApp
from bot.config.environment import Environment, read_environment
from bot.config.network import is_example_mailbox, load_network
from bot.config.problems import ConfigError
from bot.console_chat import console_locale, run_console
from bot.logs import setup_logging
from handlers import consensus
from handlers.i18n import Catalog
from handlers.settings import Agency, Network
from storage.files import CorruptFileError
from storage.lock import DataDirLocked
from storage.models import FOCAL_POINT, Member
from storage.records import SchemaError
from storage.store import Store
from storage.validate import MISSING, InvalidRecordError


def say(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def cli_language() -> str:
    return console_locale() or "fr"


def load(catalog: Catalog, lang: str) -> tuple[Environment, Network] | None:
    """Environment and network, or ``None`` after saying, in plain words, what is wrong."""
    env = read_environment()
    try:
        network = load_network(env.config_path)
    except ConfigError as error:
        say(catalog.t(lang, "cli.config_invalid", count=len(error.problems)), err=True)
        for problem in error.problems:
            say(f"  - {problem}", err=True)
        return None
    if env.problems:
        say(catalog.t(lang, "cli.config_invalid", count=len(env.problems)), err=True)
        for problem in env.problems:
            say(f"  - {problem}", err=True)
        return None
    return env, network


def corrupt_message(catalog: Catalog, lang: str, error: CorruptFileError) -> str:
    """Which file, what is wrong with it in words, and what to do: never an empty restart."""
    if isinstance(error, InvalidRecordError):
        return invalid_record_message(catalog, lang, error)
    why = catalog.t(lang, f"cli.corrupt_{error.reason}", line=error.line or 0)
    detail = f" ({error.detail})" if error.detail else ""
    return catalog.t(lang, "cli.corrupt", path=str(error.path.resolve()), detail=why + detail)


def invalid_record_message(catalog: Catalog, lang: str, error: InvalidRecordError) -> str:
    """A file the bot parsed but cannot use: which record, which field, what it should hold."""
    found = catalog.t(lang, "cli.field_missing") if error.found == MISSING else error.found
    path = str(error.path.resolve())
    if error.number is None:
        return catalog.t(lang, "cli.invalid_shape", path=path, field=error.field,
                         expected=error.expected, found=found)
    record = (catalog.t(lang, "cli.record_named", id=error.record_id, number=error.number)
              if error.record_id is not None
              else catalog.t(lang, "cli.record_numbered", number=error.number))
    return catalog.t(lang, "cli.invalid_record", path=path, record=record,
                     field=error.field or catalog.t(lang, "cli.whole_record"),
                     expected=error.expected, found=found)


def open_store(catalog: Catalog, lang: str, data_dir: Path,
               journal_mb: int = 8) -> Store | None:
    try:
        return Store.open(data_dir, compact_after=journal_mb * 2**20)
    except DataDirLocked as error:
        say(catalog.t(lang, "cli.locked", path=str(data_dir.resolve()), pid=error.holder or "?"),
            err=True)
    except CorruptFileError as error:
        say(corrupt_message(catalog, lang, error), err=True)
    except SchemaError as error:
        say(str(error), err=True)
    except OSError as error:
        say(catalog.t(lang, "cli.data_dir_error", path=str(data_dir.resolve()),
                      detail=error.strerror or str(error)), err=True)
    return None


async def console_with_web(app: BotApp, who: str, env: Environment) -> None:
    """The console chat with the web server beside it (``--web``)."""
    from bot.console_web import console_web

    async with console_web(app, env):
        await run_console(app, who)


def start(who: str | None, web: bool = False) -> int:
    catalog = Catalog.load()
    lang = cli_language()
    loaded = load(catalog, lang)
    if loaded is None:
        return 2
    env, network = loaded
    setup_logging(env.data_dir)
    store = open_store(catalog, lang, env.data_dir, env.journal_mb)
    if store is None:
        return 1
    try:
        app = BotApp(store, network)
        if env.platforms != ["console"] and who is None:
            from bot.runtime import Runtime

            say(catalog.t(lang, "cli.serving", platforms=", ".join(env.platforms),
                          host=env.host, port=env.port))
            asyncio.run(Runtime(app, env).run_forever())
        elif web:
            say(catalog.t(lang, "cli.console_web", host=env.host, port=env.port))
            asyncio.run(console_with_web(app, who or network.console_member, env))
        else:
            asyncio.run(run_console(app, who or network.console_member))
    except KeyboardInterrupt:
        say("\n" + catalog.t(lang, "console.bye"))
    except BrokenPipeError:  # the reader went away (e.g. piped into `head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        store.close()
    return 0


def check() -> int:
    """Validate configuration and environment; say what would run, or exactly what is wrong."""
    catalog = Catalog.load()
    lang = cli_language()
    loaded = load(catalog, lang)
    if loaded is None:
        return 1
    env, network = loaded
    source = str(env.config_path) if env.config_path else catalog.t(lang, "cli.builtin")
    say(catalog.t(lang, "cli.check_config", source=source))
    say(catalog.t(lang, "cli.check_network", name=network.name(lang),
                  agencies=len(network.agencies), executive=len(network.executive_committee),
                  members=len(network.members), timezone=network.timezone))
    say(catalog.t(lang, "cli.check_calendar", email=network.organizer_email))
    if is_example_mailbox(network.organizer_email):
        say(catalog.t(lang, "cli.check_calendar_placeholder", email=network.organizer_email))
    if env.platforms == ["console"]:
        say(catalog.t(lang, "cli.check_console"))
    else:
        say(catalog.t(lang, "cli.check_platforms", platforms=", ".join(env.platforms)))
    if env.imap_url:
        from bot.platforms.email.imap_settings import parse_imap_url

        imap = parse_imap_url(env.imap_url)
        say(catalog.t(lang, "imap.check", host=imap.host, mailbox=imap.mailbox))
    data_dir = env.data_dir.resolve()
    stored: list[Member] = []
    if not env.data_dir.exists():
        say(catalog.t(lang, "cli.check_data_new", path=str(data_dir)))
    else:
        try:
            store = Store.open(env.data_dir, lock=False)
        except CorruptFileError as error:
            say(corrupt_message(catalog, lang, error), err=True)
            return 1
        except (SchemaError, OSError) as error:
            say(str(error), err=True)
            return 1
        say(catalog.t(lang, "cli.check_data", path=str(data_dir),
                      members=len(store.members.active()),
                      pending=len(store.outbox.with_status("pending"))))
        stored = store.members.all()
        store.close()
    empty = empty_seats(network, stored)
    if empty:
        say(catalog.t(lang, "cli.check_empty_seats_block" if network.empty_seat_blocks
                      else "cli.check_empty_seats",
                      agencies=catalog.join(lang, [a.acronym(lang) for a in empty]),
                      count=len(empty)))
    say(catalog.t(lang, "cli.check_ok"))
    return 0


def courrier() -> int:
    """``reseau-bot courrier``: read the mailbox of ``IMAP_URL`` once for calendar replies
    (``bot/mail_replies.py``, which the running bot does every few minutes) and say what came
    of it. It needs the data dir, so a running bot refuses it (``cli.locked``). Exit codes: 0
    read; 1 the data dir cannot be opened; 2 ``IMAP_URL`` unset or malformed; 3 the mailbox
    cannot be read — said in words, never a traceback."""
    from bot.mail_replies import MailReader
    from bot.platforms.email.imap import ImapError
    from bot.platforms.email.imap_settings import parse_imap_url

    catalog = Catalog.load()
    lang = cli_language()
    loaded = load(catalog, lang)
    if loaded is None:
        return 2
    env, network = loaded
    if not env.imap_url:
        say(catalog.t(lang, "imap.not_set"), err=True)
        return 2
    setup_logging(env.data_dir)
    settings = parse_imap_url(env.imap_url)
    store = open_store(catalog, lang, env.data_dir, env.journal_mb)
    if store is None:
        return 1
    try:
        counts = asyncio.run(MailReader(BotApp(store, network), settings).check())
    except ImapError as error:
        say(catalog.t(lang, f"imap.error.{error.reason}", detail=error.detail), err=True)
        return 3
    finally:
        store.close()
    say(catalog.t(lang, "imap.done", mailbox=settings.mailbox, recorded=counts["recorded"],
                  again=counts["again"],
                  refused=sum(counts[k] for k in ("forged", "refused", "unsupported")),
                  unknown=counts["unknown_uid"] + counts["unknown_attendee"],
                  other=counts["other"]))
    return 0


def empty_seats(network: Network, stored: list[Member]) -> list[Agency]:
    """Executive Committee seats no active focal point fills once the bot starts: the stored
    members, and the configured ones not stored yet (they are brought in at start-up)."""
    known = {m.id for m in stored}
    staffed = {m.agency for m in stored if m.active and FOCAL_POINT in m.roles}
    staffed |= {s.agency for s in network.members
                if s.id not in known and FOCAL_POINT in s.roles}
    return consensus.empty_executive_seats(network, staffed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reseau-bot", description=(
        "Bot du Réseau des Nations Unies pour les migrations au Mali / "
        "UN Network on Migration in Mali bot"))
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="start the bot (the console chat when no platform token)")
    console = commands.add_parser("console", help="chat with the bot in this terminal")
    for parser_ in (run, console):
        parser_.add_argument("--web", action="store_true", help=(
            "in the console, also serve the web pages (knowledge page, calendar feeds)"))
    console.add_argument("--as", dest="who", default=None,
                         help="member id or name to act as (default: the demo co-chair)")
    commands.add_parser("check", help="validate configuration and environment")
    commands.add_parser("courrier", aliases=["mail"], help=(
        "read the mailbox of IMAP_URL once for calendar replies (Accept / Decline)"))
    args = parser.parse_args(argv)
    if args.command == "check":
        return check()
    if args.command in ("courrier", "mail"):
        return courrier()
    web = bool(getattr(args, "web", False))
    if args.command == "console":
        return start(args.who or "", web)
    return start(None, web)


if __name__ == "__main__":
    sys.exit(main())
