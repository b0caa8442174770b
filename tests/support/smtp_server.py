"""A real SMTP server on loopback (``aiosmtpd``) that keeps what it accepted, for the email
tests: the bot's ``aiosmtplib`` client talks to it as to any mail server."""

from __future__ import annotations

import email
import socket
import ssl
from collections.abc import Iterator
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
    """The aiosmtpd handler: records each accepted message; ``refuse`` answers RCPT with it."""

    received: list[Received] = field(default_factory=list)
    refuse: str = ""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.original_content, policy=default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(starttls: ssl.SSLContext | None = None) -> Iterator[tuple[str, Mailbox]]:
    """An SMTP server on 127.0.0.1: its ``smtp://`` URL and mailbox. With ``starttls`` it
    offers STARTTLS with that context and refuses mail before it; without, plain only."""
    mailbox = Mailbox()
    port = free_port()
    tls: dict[str, Any] = ({"tls_context": starttls, "require_starttls": True}
                           if starttls is not None else {})
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
