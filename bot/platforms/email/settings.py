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
from urllib.parse import unquote, urlsplit

# An address SMTP_FROM may hold: ``Name <box@domain>`` or ``box@domain``.
ADDRESS = re.compile(r"^(?:[^<>]*<)?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes: ``implicit_tls`` for ``smtps://``; STARTTLS is used when offered."""

    host: str
    port: int
    implicit_tls: bool = False
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    def tls_context(self) -> ssl.SSLContext:
        """The system's trust store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured by OpenSSL),
        host names checked."""
        return ssl.create_default_context()


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://[user:pass@]host[:port]`` (port 587 by default) or ``smtps://…`` (465).
    Raises ``ValueError`` saying what is wrong, never echoing the password."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("is not smtp://host:port or smtps://host:port")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number (1-65535)") from None
    if not parts.hostname:
        raise ValueError("names no host")
    implicit = parts.scheme == "smtps"
    return SmtpSettings(parts.hostname, port or (465 if implicit else 587), implicit,
                        unquote(parts.username or ""), unquote(parts.password or ""))


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
