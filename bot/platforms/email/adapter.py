"""The email ``Platform``: what the dispatcher hands over, sent by SMTP with ``aiosmtplib`` to
the server of ``SMTP_URL``, from ``SMTP_FROM``. Registered only when ``SMTP_URL`` is set
(``bot/runtime.py``): without it nothing is ever sent by email.

Idempotency. SMTP takes no idempotency key, but a mail carries its own identity: the
``Message-ID`` is derived from the outbox row's key and the address, so the copy sent again
after a crash between the server's acceptance and the outbox mark (or after a dropped
connection) is the same message to the receiver — mail programs and mailbox servers show one.
That is why a failure here is retried rather than counted as an unknown outcome.

What SMTP answers: a 5xx refusal (an address that does not exist, a message refused) is
``Rejected`` — retrying cannot help, the secretariat is told; a 4xx (greylisting, a full
mailbox) and a connection that fails are retried with the dispatcher's backoff.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import make_msgid, parseaddr

import aiosmtplib
from aiohttp import web

from bot.dispatch.contract import Rejected, Target
from bot.platforms.email.render import render
from bot.platforms.email.settings import SmtpSettings, parse_smtp_url
from bot.ratelimit import RateLimits
from handlers.types import Button, Message

log = logging.getLogger(__name__)

# The signed link doing what a button does, for an address (``handlers/email_links``), or None.
Links = Callable[[str, Button], "str | None"]


def message_id(outbox_key: str, address: str, sender: str) -> str:
    """The same ``<…@domain>`` for the same row and address, whatever the attempt (a message
    handed over without a row, which the dispatcher never does, gets a fresh one)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "reseau-bot.invalid"
    if not outbox_key:
        return make_msgid(domain=domain)
    digest = hashlib.sha256(f"{outbox_key}\0{address.lower()}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


class EmailPlatform:
    """One SMTP server (``SMTP_URL``), one sender (``SMTP_FROM``); a connection per message."""

    platform = "email"
    # A mail server is not a chat: a few messages a second keeps clear of its abuse limits.
    rate_limits = RateLimits(per_second=5.0)
    timeout = 30.0

    def __init__(self, smtp_url: str, sender: str, links: Links | None = None) -> None:
        self.settings: SmtpSettings = parse_smtp_url(smtp_url)
        self.sender = sender.strip()
        self._ready = False
        self.links = links  # made as the message leaves: the outbox holds no working link

    @property
    def ready(self) -> bool:
        return self._ready

    def add_routes(self, web_app: web.Application) -> None:
        """Email has no webhook."""

    async def start(self) -> None:
        # No connection now: a mail server down at start-up must not stop the bot; the
        # dispatcher probes it when a send fails.
        self._ready = True
        log.info("email: via %s:%s from %s", self.settings.host, self.settings.port,
                 self.sender)

    async def stop(self) -> None:
        self._ready = False

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host, port=s.port, use_tls=s.implicit_tls,
            start_tls=False if s.implicit_tls else None,  # None: STARTTLS when offered
            tls_context=s.tls_context(), timeout=self.timeout,
            username=s.username or None, password=s.password or None)

    async def probe(self) -> None:
        """Connect, greet and say NOOP: raises while the server cannot be used."""
        client = self._client()
        async with client:
            await client.noop()

    def _link_for(self, address: str) -> Callable[[Button], str | None]:
        links = self.links
        if links is None:
            return lambda _: None
        return lambda button: links(address, button)

    async def deliver(self, target: Target, message: Message) -> str | None:
        """One message to one address; ``Rejected`` on a permanent (5xx) refusal."""
        if target.channel or target.reply is not None:
            raise Rejected("email reaches people, not channels or answers")
        mail = render(message, sender=self.sender, to=target.address,
                      message_id=message_id(target.outbox_key,
                                            target.address, self.sender),
                      now=datetime.now(UTC), link_for=self._link_for(target.address))
        client = self._client()
        try:
            async with client:
                await client.send_message(mail, sender=parseaddr(self.sender)[1],
                                          recipients=[target.address])
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [error.code for error in refused.recipients]
            if all(code >= 500 for code in codes):
                raise Rejected(f"address refused: {codes}") from refused
            raise
        except aiosmtplib.SMTPResponseException as error:
            if error.code >= 500 and not isinstance(error, aiosmtplib.SMTPServerDisconnected):
                raise Rejected(f"SMTP {error.code}: {error.message[:200]}") from error
            raise
        return None
