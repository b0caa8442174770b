"""Reading the network's mailbox over IMAP (``IMAP_URL``), for the calendar replies in it.

With the standard library's ``imaplib``, each call in a worker thread (``asyncio.to_thread``):
the bot reads a mailbox for a few seconds every few minutes, which a thread serves well, and
``imaplib`` is the IMAP client every Python has, kept with the language (STARTTLS, implicit TLS
with a checked certificate, UID commands) — no dependency to add for it.

Only what ``bot/mail_replies.py`` needs: the unread messages' UIDs and sizes, a message read
with ``BODY.PEEK[]`` (reading it does not mark it read), and the ``\\Seen`` flag set on the
messages whose answer was recorded. Nothing is ever deleted or moved; every other message stays
exactly as it was. A server that cannot be reached or refuses the login raises ``ImapError``,
whose text carries no password.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import re
import ssl
from collections.abc import Callable
from typing import TypeVar

from bot.platforms.email.imap_settings import ImapSettings

T = TypeVar("T")

TIMEOUT = 30.0  # seconds for connecting and for each command
_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapError(Exception):
    """The mailbox cannot be read now: ``reason`` is ``unreachable`` (no connection, TLS
    refused), ``login`` (credentials refused), ``mailbox`` (no such mailbox) or ``protocol``
    (an answer the client cannot use)."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def _detail(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:200]


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapSession:
    """One connection to the mailbox, used by one thread at a time (each method is a blocking
    call, run with ``asyncio.to_thread``). ``open`` first, ``close`` at the end."""

    def __init__(self, settings: ImapSettings, timeout: float = TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
        self._conn: imaplib.IMAP4 | None = None
        self.uidvalidity = ""

    @property
    def conn(self) -> imaplib.IMAP4:
        if self._conn is None:
            raise ImapError("protocol", "not connected")
        return self._conn

    def open(self) -> None:
        """Connect (TLS at once for ``imaps://``; STARTTLS when offered for ``imap://``), log
        in, and select the mailbox for reading and flagging."""
        s = self.settings
        try:
            if s.implicit_tls:
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.host, s.port,
                                                        ssl_context=s.tls_context(),
                                                        timeout=self.timeout)
            else:
                conn = imaplib.IMAP4(s.host, s.port, timeout=self.timeout)
                if "STARTTLS" in conn.capabilities:
                    conn.starttls(ssl_context=s.tls_context())
        except (TimeoutError, OSError, ssl.SSLError, imaplib.IMAP4.error) as error:
            raise ImapError("unreachable", f"{s.host}:{s.port}: {_detail(error)}") from None
        self._conn = conn
        try:
            conn.login(s.username, s.password)
        except imaplib.IMAP4.error as error:
            self.close()
            raise ImapError("login", f"{s.host}:{s.port}: {_detail(error)}") from None
        typ, _ = conn.select(_quoted(s.mailbox))
        if typ != "OK":
            self.close()
            raise ImapError("mailbox", s.mailbox)
        _, values = conn.response("UIDVALIDITY")
        self.uidvalidity = next((v.decode() for v in values if isinstance(v, bytes)), "")

    def _ok(self, typ: str, data: list, what: str) -> list:
        if typ != "OK":
            raise ImapError("protocol", f"{what}: {typ} {data!r}"[:200])
        return data

    def unseen(self) -> list[int]:
        """The UIDs of the messages not read yet, oldest first."""
        data = self._ok(*self.conn.uid("SEARCH", None, "UNSEEN"), "SEARCH")
        return sorted(int(uid) for line in data if line for uid in line.split())

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each message's size in bytes, read without fetching it."""
        if not uids:
            return {}
        data = self._ok(*self.conn.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)"),
                        "FETCH RFC822.SIZE")
        found = {}
        for line in data:
            text = line[0] if isinstance(line, tuple) else line
            if isinstance(text, bytes):
                uid, size = _UID.search(text), _SIZE.search(text)
                if uid and size:
                    found[int(uid.group(1))] = int(size.group(1))
        return found

    def fetch(self, uid: int) -> bytes | None:
        """The whole message, read with ``BODY.PEEK[]``: it stays unread. ``None`` if it went
        (deleted by someone meanwhile)."""
        data = self._ok(*self.conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH BODY")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark_seen(self, uid: int) -> None:
        """Flag the message read: its answer is recorded."""
        self._ok(*self.conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "STORE")

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()


async def in_thread(call: Callable[..., T], *args: object) -> T:
    """``call(*args)`` in a worker thread; a connection lost or a server that stops answering
    on the way is an ``ImapError`` (``unreachable``) like one that never answered."""
    try:
        return await asyncio.to_thread(call, *args)
    except ImapError:
        raise
    except (OSError, imaplib.IMAP4.error) as error:
        raise ImapError("unreachable", _detail(error)) from None
