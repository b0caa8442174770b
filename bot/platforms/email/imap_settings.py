"""``IMAP_URL`` read into what the IMAP client needs: host, port, credentials, the mailbox to
read and how TLS is used — ``imap://`` upgrades with STARTTLS when the server offers it (plain
otherwise, a server on localhost), ``imaps://`` is TLS from the first byte. Certificates are
checked against the system's store (``ssl.create_default_context``, which honours
``SSL_CERT_FILE``), as for ``SMTP_URL``.

Apart from the client so that ``reseau-bot check`` and the environment can refuse a malformed
URL before anything connects, never echoing the password."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from bot.platforms.email.settings import MailServer, server_url

DEFAULT_MAILBOX = "INBOX"


@dataclass(frozen=True)
class ImapSettings(MailServer):
    """Where calendar replies are read."""

    mailbox: str = DEFAULT_MAILBOX


def parse_imap_url(url: str) -> ImapSettings:
    """``imap://user:pass@host[:port][/MAILBOX]`` (port 143) or ``imaps://…`` (993); the
    mailbox is ``INBOX`` unless named. Raises ``ValueError`` saying what is wrong."""
    parts, port, implicit = server_url(
        url, ("imap", "imaps"), (143, 993),
        "is not imap://user:password@host:port/INBOX or imaps://…")
    if not parts.username or parts.password is None:
        raise ValueError("names no user and password (imap://user:password@host)")
    mailbox = unquote(parts.path.strip("/")) or DEFAULT_MAILBOX
    return ImapSettings(parts.hostname or "", port, implicit, unquote(parts.username),
                        unquote(parts.password), mailbox)


def imap_problem(url: str) -> str | None:
    """What is wrong with ``IMAP_URL``, or ``None`` (unset is fine: no replies are read)."""
    if not url:
        return None
    try:
        parse_imap_url(url)
    except ValueError as error:
        return f"IMAP_URL {error}"
    return None
