"""What the dispatcher and the platform adapters agree on: the ``Target`` an adapter is given,
the ``Adapter`` protocol it implements, and the exceptions by which it says what happened.

Sends whose outcome is unknown. Slack's ``chat.postMessage`` and Telegram's ``sendMessage``
take no idempotency key: a request sent again is a second message. So a request is retried
only when it certainly did not reach the platform — the connection was refused or timed out,
no connection was free, the request could not be written whole (a server acts only on a whole
request), or the platform answered with an error. When it went out whole and no answer came
back (a read timeout, the connection dropped after the request), the adapter looks where the
platform allows it (Slack: the conversation's recent history, for a message of ours with that
text) and sends again only if the message is not there. Where nothing can be looked up
(Telegram; Slack's ephemeral answers), it raises ``OutcomeUnknown`` and the target is recorded
as delivered, ``last_error`` saying ``outcome unknown: …``, never sent again. The reasoning: a
request written whole was almost always carried out — a read timeout means the platform was
slow to answer, not that it refused — so a second copy would be the likely outcome of a retry
and a lost message the rare one; the note keeps that rare case visible. A crash is the other
way round: its ``attempting`` mark is written before the rate limiter's wait and the fsync, so
"not sent" is as likely as "sent", and the message is sent again (after a look on Slack).

Apart from the dispatcher so that an adapter depends on this small contract only, never on how
the delivery pass works.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Protocol

from bot.ratelimit import RateLimits
from handlers.types import Message, ReplyTo


class RetryLater(Exception):
    """Raised by an adapter when the platform said "slow down" (HTTP 429 ``Retry-After``,
    Telegram ``retry_after``), or when it must wait before it can tell whether a message is
    there (``why``): the row waits that long; it is not counted as a failure."""

    def __init__(self, seconds: float, why: str = "") -> None:
        self.seconds = seconds
        self.why = why
        super().__init__(f"retry after {seconds} s")


class Unreachable(Exception):
    """Raised by an adapter when the platform refuses for good to deliver to this target until
    something changes (Telegram's 403 "bot can't initiate conversation with a user": the person
    never opened the bot). ``reason`` names the catalog entry the secretariat is told with
    (``undelivered.<reason>``); those only the person can fix are
    ``handlers.delivery.PERSON_REASONS``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class Rejected(Exception):
    """Raised by an adapter when the platform refused this message for good (a malformed
    request, a message it will never accept): retrying cannot help, so the target is given up
    at once and the secretariat told."""


class OutcomeUnknown(Exception):
    """Raised by an adapter when a request that posts a message may have reached the platform
    but its answer never came back (a read timeout, the connection dropped after the request
    was sent), and the adapter could not find out (Slack: ``conversations.history``; Telegram
    offers no way). The target counts as delivered: see the module's rule."""


@dataclass(frozen=True)
class Target:
    """One concrete destination: a person's DM, a channel on one platform, or the answer to
    one event (``reply``: where and how the adapter shows it). ``unsure_since``: a previous
    process was sending to this target from that moment (UTC ISO 8601) when it stopped, so the
    message may be there already: an adapter that can look (Slack) looks before sending."""

    platform: str
    address: str
    label: str
    channel: bool = False
    reply: ReplyTo | None = None
    unsure_since: str = ""
    # The platform's reference of a message delivered earlier (``OutboxRow.refs``) that this
    # one replaces: the adapter edits it (a card kept true); one gone is dropped, logged.
    edit: str = ""
    # The outbox row's key: what an adapter derives an idempotent id from (email's Message-ID).
    outbox_key: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.address}"


class Adapter(Protocol):
    """What the dispatcher needs of a platform: deliver one message to one target, or raise
    (``RetryLater``, ``Unreachable``, ``Rejected``, or anything for a failure to retry) —
    returning the platform's reference of the message posted (``channel:ts``,
    ``chat:message_id``) where it can be edited later, else ``None``;
    ``probe``, a cheap call that raises while the platform cannot be used; and the
    ``rate_limits`` its sends are paced to."""

    platform: str
    rate_limits: RateLimits

    async def deliver(self, target: Target, message: Message) -> str | None: ...

    async def probe(self) -> None: ...


def parts_key(target: Target, message: Message) -> str:
    """What an adapter remembers the parts already sent under (chunks, files), so that a retry
    of the same message to the same target takes up where it stopped: a changed message starts
    afresh."""
    digest = hashlib.sha256(json.dumps(message.to_dict(), sort_keys=True).encode()).hexdigest()
    return f"{target.key}:{digest}"
