"""Calendar subscriptions over HTTP: ``GET /calendrier/<token>.ics``.

Calendar applications poll the link every hour or so for months: each answer carries a strong
``ETag`` (the document's hash) and ``Last-Modified``, and a conditional request
(``If-None-Match``, else ``If-Modified-Since``, as RFC 9110 orders them) is answered
``304 Not Modified`` without a body. An unknown, revoked or forged token is a bare 404 — the same
answer as for a path that does not exist, so it says nothing of why.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web

from bot.app import BotApp
from handlers.calendar_feed import feed_for
from handlers.web_paths import CALENDAR_PATH

MEDIA_TYPE = "text/calendar"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks)."""
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def not_modified(request: web.Request, etag: str, last_modified_http: str) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return _matches(if_none_match, etag)
    since = request.headers.get("If-Modified-Since")
    if since is None:
        return False
    try:
        return parsedate_to_datetime(last_modified_http) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def calendar_routes(web_app: web.Application, app: BotApp) -> None:
    """Add the subscription feeds to the bot's web server."""
    ctx = app.ctx

    async def feed(request: web.Request) -> web.StreamResponse:
        found = feed_for(ctx, request.match_info["token"])
        if found is None:
            raise web.HTTPNotFound()
        etag = _etag(found.body)
        headers = {"ETag": etag, "Last-Modified": format_datetime(found.last_modified,
                                                                  usegmt=True),
                   "Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff",
                   "Referrer-Policy": "no-referrer"}
        if not_modified(request, etag, headers["Last-Modified"]):
            return web.Response(status=304, headers=headers)
        return web.Response(body=found.body, content_type=MEDIA_TYPE, charset="utf-8",
                            headers={**headers, "Content-Disposition":
                                     'inline; filename="calendrier.ics"'})

    web_app.router.add_get(CALENDAR_PATH + r"/{token:[A-Za-z0-9_-]{1,128}}.ics", feed)
