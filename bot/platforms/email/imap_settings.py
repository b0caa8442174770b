"""``IMAP_URL`` read into what the IMAP client needs: host, port, credentials, the mailbox to
read and how TLS is used — ``imap://`` upgrades with STARTTLS when the server offers it (plain
otherwise, a server on localhost), ``imaps://`` is TLS from the first byte. Certificates are
checked against the system's store (``ssl.create_default_context``, which honours
``SSL_CERT_FILE``), as for ``SMTP_URL``.

Apart from the client so that ``reseau-bot check`` and the environment can refuse a malformed
URL before anything connects, never echoing the password."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

DEFAULT_MAILBOX = "INBOX"


@dataclass(frozen=True)
class ImapSettings:
    """Where calendar replies are read: ``implicit_tls`` for ``imaps://``."""

    host: str
    port: int
    implicit_tls: bool = False
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    mailbox: str = DEFAULT_MAILBOX

    def tls_context(self) -> ssl.SSLContext:
        """The system's trust store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` honoured by OpenSSL),
        host names checked."""
        return ssl.create_default_context()


def parse_imap_url(url: str) -> ImapSettings:
    """``imap://user:pass@host[:port][/MAILBOX]`` (port 143) or ``imaps://…`` (993); the
    mailbox is ``INBOX`` unless named. Raises ``ValueError`` saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError("is not imap://user:password@host:port/INBOX or imaps://…")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number (1-65535)") from None
    if not parts.hostname:
        raise ValueError("names no host")
    if not parts.username or parts.password is None:
        raise ValueError("names no user and password (imap://user:password@host)")
    implicit = parts.scheme == "imaps"
    mailbox = unquote(parts.path.strip("/")) or DEFAULT_MAILBOX
    return ImapSettings(parts.hostname, port or (993 if implicit else 143), implicit,
                        unquote(parts.username), unquote(parts.password), mailbox)


def imap_problem(url: str) -> str | None:
    """What is wrong with ``IMAP_URL``, or ``None`` (unset is fine: no replies are read)."""
    if not url:
        return None
    try:
        parse_imap_url(url)
    except ValueError as error:
        return f"IMAP_URL {error}"
    return None
