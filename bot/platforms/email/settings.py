"""``SMTP_URL`` read into what ``aiosmtplib`` needs: host, port, credentials and how TLS is
used — ``smtp://`` upgrades with STARTTLS when the server offers it (plain otherwise),
``smtps://`` is TLS from the first byte. Certificates are checked against the system's store
(``ssl.create_default_context``, which honours ``SSL_CERT_FILE``).

Apart from the adapter so that ``reseau-bot check`` and the environment can refuse a malformed
URL before anything is sent."""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urlsplit

# An address SMTP_FROM may hold: ``Name <box@domain>`` or ``box@domain``.
ADDRESS = re.compile(r"^(?:[^<>]*<)?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$")


@dataclass(frozen=True)
class MailServer:
    """A mail server the bot talks to (SMTP to send, IMAP to read replies): ``implicit_tls``
    for the ``…s://`` scheme, STARTTLS otherwise when the server offers it."""

    host: str
    port: int
    implicit_tls: bool = False
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    def tls_context(self) -> ssl.SSLContext:
        """The system's trust store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured by OpenSSL),
        host names checked."""
        return ssl.create_default_context()


@dataclass(frozen=True)
class SmtpSettings(MailServer):
    """Where mail goes."""


def server_url(url: str, schemes: tuple[str, str], ports: tuple[int, int],
               usage: str) -> tuple[SplitResult, int, bool]:
    """``url`` split, checked for one of ``schemes`` (plain, then implicit TLS), a host and a
    numeric port; with the port (``ports``' default for the scheme) and whether TLS is
    implicit. Raises ``ValueError`` saying what is wrong (``usage`` for a wrong scheme), never
    echoing the password."""
    parts = urlsplit(url.strip())
    if parts.scheme not in schemes:
        raise ValueError(usage)
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number (1-65535)") from None
    if not parts.hostname:
        raise ValueError("names no host")
    implicit = parts.scheme == schemes[1]
    return parts, port or ports[implicit], implicit


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://[user:pass@]host[:port]`` (port 587 by default) or ``smtps://…`` (465)."""
    parts, port, implicit = server_url(url, ("smtp", "smtps"), (587, 465),
                                       "is not smtp://host:port or smtps://host:port")
    return SmtpSettings(parts.hostname or "", port, implicit, unquote(parts.username or ""),
                        unquote(parts.password or ""))


def smtp_problem(url: str, sender: str) -> str | None:
    """What is wrong with ``SMTP_URL`` / ``SMTP_FROM`` as a pair, or ``None``."""
    if not url:
        return None
    try:
        parse_smtp_url(url)
    except ValueError as error:
        return f"SMTP_URL {error}"
    if not ADDRESS.match(sender.strip()):
        return "SMTP_FROM must be the sender's address (bot@example.org) when SMTP_URL is set"
    return None
