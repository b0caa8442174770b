"""The console platform: a chat on stdin/stdout, for trying the bot and for scripting it.

It renders every ``Message`` as plain text; as the dispatcher's fallback it also prints what the
bot sends to anyone else, prefixed with the recipient (``→ UNICEF (Awa Traoré, telegram) : …``).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.dispatch.contract import Target
from bot.ratelimit import RateLimits
from handlers.i18n import Catalog
from handlers.types import Message


def render(message: Message, catalog: Catalog, lang: str, indent: str = "") -> str:
    """Plain text: title, paragraphs, fields, then each button with the command that does it."""
    lines: list[str] = []
    if message.title:
        lines.append(message.title)
    for paragraph in message.paragraphs:
        lines.extend(paragraph.splitlines() or [""])
    lines.extend(f"  {f.label} : {f.value}" if lang == "fr" else f"  {f.label}: {f.value}"
                 for f in message.fields)
    for entry in message.entries:
        lines.append(entry.text)
        for button in entry.buttons:
            hint = (catalog.t(lang, "console.button_hint", command=button.hint)
                    if button.hint else "")
            lines.append(f"  [{button.label}]{hint}")
    for button in message.buttons:
        hint = catalog.t(lang, "console.button_hint", command=button.hint) if button.hint else ""
        lines.append(f"  [{button.label}]{hint}")
    return "\n".join(indent + line if line else line for line in lines)


class ConsoleAdapter:
    """Prints deliveries; attachments are written under ``files_dir`` and their path shown."""

    platform = "console"
    rate_limits = RateLimits()  # a terminal takes everything at once

    def __init__(self, catalog: Catalog, lang: str, files_dir: Path,
                 out: TextIO | None = None) -> None:
        self.catalog = catalog
        self.lang = lang
        self.files_dir = files_dir
        self.out = out or sys.stdout

    def show(self, message: Message, lang: str | None = None) -> None:
        self.out.write(render(message, self.catalog, lang or self.lang) + "\n")
        self._files(message, lang or self.lang, "", self.files_dir)
        self.out.flush()

    async def probe(self) -> None:
        """The terminal is always there."""

    async def deliver(self, target: Target, message: Message) -> None:
        body = render(message, self.catalog, self.lang, indent="    ")
        self.out.write(f"→ {target.label} :\n{body}\n")
        folder = self.files_dir / f"{target.platform}-{target.address}".replace("/", "_")
        self._files(message, self.lang, "    ", folder)
        self.out.flush()

    def _files(self, message: Message, lang: str, indent: str, folder: Path) -> None:
        for attachment in message.attachments:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / Path(attachment.filename).name
            path.write_bytes(attachment.content)
            self.out.write(indent + self.catalog.t(lang, "console.attachment",
                                                   name=attachment.filename, path=str(path))
                           + "\n")


class LineReader:
    """Reads stdin on a daemon thread (so Ctrl-C and EOF end the chat at once), one line per
    ``next_line`` call, showing a prompt only when a person is typing."""

    def __init__(self, prompt: str, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.interactive = self.stream.isatty()
        self.prompt = prompt
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._ready = threading.Event()
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, daemon=True, name="console-stdin").start()

    def _read(self) -> None:
        while True:
            self._ready.wait()
            self._ready.clear()
            try:
                if self.interactive:
                    line: str | None = input(self.prompt)
                else:
                    raw = self.stream.buffer.readline()
                    line = raw.decode("utf-8", errors="replace").rstrip("\r\n") if raw else None
            except (EOFError, OSError, ValueError):
                line = None
            try:
                self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
            except RuntimeError:  # the chat ended (Ctrl-C) and its loop is closed
                return
            if line is None:
                return

    async def next_line(self) -> str | None:
        """The next line typed, or ``None`` at the end of input."""
        self._ready.set()
        return await self._queue.get()
