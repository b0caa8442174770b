"""A real SMTP server on loopback (``aiosmtpd``) that keeps what it accepted, for the email
tests: the bot's ``aiosmtplib`` client talks to it as to any mail server."""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message as Mail
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message the server accepted: the envelope and the parsed mail."""

    sender: str
    recipients: list[str]
    mail: Mail


@dataclass
class Mailbox:
    """The aiosmtpd handler: records each accepted message; ``refuse`` answers RCPT with it.
    The server runs on a thread of its own: ``until`` waits on what it received."""

    received: list[Received] = field(default_factory=list)
    refuse: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.original_content, policy=default)
        with self.changed:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), mail))
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    async def until(self, condition: Callable[[list[Received]], bool],
                    timeout: float = 30.0) -> None:
        """Until ``condition(received)`` holds, re-checked after each accepted message."""
        def wait() -> bool:
            with self.changed:
                return self.changed.wait_for(lambda: condition(self.received), timeout)

        assert await asyncio.to_thread(wait), "the mail server did not receive it in time"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(starttls: ssl.SSLContext | None = None,
                mailbox: Mailbox | None = None) -> Iterator[tuple[str, Mailbox]]:
    """An SMTP server on 127.0.0.1: its ``smtp://`` URL and mailbox (``mailbox``, or a new
    one). With ``starttls`` it offers STARTTLS with that context and refuses mail before it;
    without, plain only."""
    mailbox = mailbox if mailbox is not None else Mailbox()
    port = free_port()
    tls: dict[str, Any] = ({"tls_context": starttls, "require_starttls": True}
                           if starttls is not None else {})
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
