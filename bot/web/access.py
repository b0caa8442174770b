"""Who may read the knowledge pages: anyone (``access = "public"``), or a member holding a
sign-in token, first in the link's ``?jeton=`` and then in a cookie.

The token leaves the address bar at once (a redirect to the clean address), so it does not end
up in bookmarks, screenshots or shared links; the cookie is HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from handlers.context import Context
from handlers.knowledge import TOKEN_PARAM, check_token, is_public, token_hash

COOKIE = "savoirs"


def granted(ctx: Context, request: web.Request) -> bool:
    """Public page, or a cookie whose token is known, unexpired and its member active."""
    return is_public(ctx.network) or check_token(ctx, request.cookies.get(COOKIE)) is not None


def sign_in(ctx: Context, request: web.Request, secure: bool) -> web.Response | None:
    """Answer a visit carrying ``?jeton=``: a redirect setting the cookie if the token is good,
    ``None`` if it is not (the caller shows the refusal)."""
    token = request.query.get(TOKEN_PARAM, "")
    clean = request.rel_url.with_query({k: v for k, v in request.query.items()
                                        if k != TOKEN_PARAM})
    response = web.Response(status=303, headers={"Location": str(clean)})
    if is_public(ctx.network):
        return response
    if check_token(ctx, token) is None:
        return None
    stored = ctx.store.web_tokens.get(token_hash(token))
    assert stored is not None
    seconds = int((datetime.fromisoformat(stored.expires_at) - ctx.now()).total_seconds())
    response.set_cookie(COOKIE, token, max_age=max(seconds, 0), path="/", httponly=True,
                        samesite="Lax", secure=secure)
    return response
