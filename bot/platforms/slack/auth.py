"""The bot's own Slack identity (``auth.test``), asked once and kept for the process.

slack-bolt's single-workspace authorization calls ``auth.test`` on the first request after a
(re)start; when Slack answers 500 or 429 there, bolt acknowledges the click, command or event
with 200 ("please reinstall this app") and never runs the listener: the request is lost and Slack
does not retry it. Here the identity is asked at start-up, retried in the background with backoff
while Slack is down, and given to bolt through its ``authorize`` hook. A request that arrives
while it is still unknown tries once more (sharing any attempt in flight) and, failing that, is
refused with 503: Slack retries events, and a person sees that the click or command failed
instead of believing it was taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

ATTEMPT_TIMEOUT = 5.0  # one auth.test at start-up or in the background
REQUEST_WAIT = 1.5  # what a request may spend on it: Slack wants its answer within 3 s
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # then every minute until Slack answers
# Slack's answers that no retry fixes: the token itself is refused.
REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired",
                     "account_inactive", "no_permission", "missing_scope"})


class TokenRefused(Exception):
    """Slack refused ``SLACK_BOT_TOKEN``: nothing works until the operator replaces it."""


class IdentityUnknown(Exception):
    """``auth.test`` has not succeeded yet: the request must be refused so it comes again."""


class BotIdentity(AsyncAuthorize):
    """``auth.test``'s answer as bolt's ``AuthorizeResult``, for a single workspace; given to
    ``AsyncApp(authorize=…)``, bolt's hook for where authorizations come from."""

    def __init__(self, client: AsyncWebClient, token: str) -> None:
        super().__init__()
        self.client = client
        self.token = token
        self.result: AuthorizeResult | None = None
        self.refused = ""  # Slack's error when it refuses the token itself
        self.attempts = 0
        self._attempt: asyncio.Task[bool] | None = None
        self._retrying: asyncio.Task[None] | None = None

    @property
    def known(self) -> bool:
        return self.result is not None

    async def start(self) -> None:
        """One attempt now; on a transient failure, retries in the background. A token Slack
        refuses stops the start, as a wrong Telegram token does."""
        if await self._shared_attempt():
            return
        if self.refused:
            raise TokenRefused(f"Slack refuses SLACK_BOT_TOKEN ({self.refused})")
        self._retrying = asyncio.create_task(self._keep_trying(), name="slack-auth-test")

    async def stop(self) -> None:
        for task in (self._retrying, self._attempt):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def __call__(self, **_: Any) -> AuthorizeResult:
        """Each request's authorization: the cached identity, or one more try (bounded), or
        ``IdentityUnknown`` (answered 503 by the platform's error handler)."""
        if self.result is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._shared_attempt()), REQUEST_WAIT)
        if self.result is None:
            raise IdentityUnknown()
        return self.result

    async def _keep_trying(self) -> None:
        for attempt in itertools.count():
            await asyncio.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
            if await self._shared_attempt():
                log.info("slack: bot identity known after %s attempts", self.attempts)
                return

    def _shared_attempt(self) -> asyncio.Future[bool]:
        """The attempt in flight, or a new one: concurrent requests make one call."""
        if self._attempt is None or self._attempt.done():
            self._attempt = asyncio.create_task(self._ask(), name="slack-auth-test-attempt")
        return self._attempt

    async def _ask(self) -> bool:
        if self.result is not None:
            return True
        self.attempts += 1
        try:
            response = await asyncio.wait_for(self.client.auth_test(), ATTEMPT_TIMEOUT)
        except SlackApiError as error:
            code = str(error.response.get("error", ""))
            if code in REFUSED:
                self.refused = code
                log.error("slack: Slack refuses SLACK_BOT_TOKEN (%s): replace it and restart",
                          code)
                return False
            log.warning("slack: auth.test failed (HTTP %s %s); Slack requests are answered 503 "
                        "until it succeeds", error.response.status_code, code)
            return False
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            log.warning("slack: auth.test failed (%s); Slack requests are answered 503 until "
                        "it succeeds", type(error).__name__)
            return False
        self.result = AuthorizeResult.from_auth_test_response(auth_test_response=response,
                                                              bot_token=self.token)
        return True
