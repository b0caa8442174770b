"""The knowledge platform over HTTP: ``/savoirs`` in French, ``/knowledge`` in English, each
with its permalinks, Atom feed and CSV table, and the stylesheet both share.

Every answer carries a Content-Security-Policy that allows no script at all and styles only from
this server: the pages work without JavaScript, so a script slipped into a title could not run
even if escaping ever failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources

from aiohttp import web

from bot.app import BotApp
from bot.web import access, feeds
from bot.web.pages import PARAMS, Page, href, render
from handlers.knowledge import (
    PAGE_SIZE,
    TOKEN_LIFETIME,
    TOKEN_PARAM,
    Filters,
    is_public,
    matching,
    select,
)
from handlers.spreadsheet import MEDIA_TYPE
from handlers.web_paths import KNOWLEDGE_PATHS, STYLESHEET_PATH

CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
HTML = "text/html"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Site:
    """The routes' shared state: the bot's context and whether links are https."""

    def __init__(self, app: BotApp, secure: bool) -> None:
        self.ctx = app.ctx
        self.secure = secure

    def headers(self, response: web.StreamResponse) -> web.StreamResponse:
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = ("no-cache" if is_public(self.ctx.network)
                                             else "private, no-store")
        response.headers["Vary"] = "Cookie"
        return response

    def guarded(self, handler: Callable[[web.Request, str], Awaitable[web.StreamResponse]],
                lang: str) -> Handler:
        """``handler`` for ``lang``, behind the access check, with the security headers."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            if TOKEN_PARAM in request.query:
                signed_in = access.sign_in(self.ctx, request, self.secure)
                return self.headers(signed_in or self.forbidden(lang, expired=True))
            if not access.granted(self.ctx, request):
                return self.headers(self.forbidden(lang, expired=False))
            return self.headers(await handler(request, lang))

        return wrapped

    def html(self, template: str, page: Page, status: int = 200, **context: object) -> web.Response:
        return web.Response(text=render(template, **page.common(context.pop("other_href")),
                                        **context),
                            status=status, content_type=HTML, charset="utf-8")

    def forbidden(self, lang: str, expired: bool) -> web.Response:
        page = Page(self.ctx, lang)
        return self.html("forbidden.html", page, status=403, expired=expired,
                         other_href=KNOWLEDGE_PATHS[page.other],
                         command=self.ctx.t(lang, "cmd.knowledge_link.name"),
                         hours=int(TOKEN_LIFETIME.total_seconds() // 3600))

    def filters(self, request: web.Request, lang: str) -> Filters:
        return Filters.parse(request.query, PARAMS[lang], self.ctx.network)

    async def listing(self, request: web.Request, lang: str) -> web.StreamResponse:
        page = Page(self.ctx, lang)
        filters = self.filters(request, lang)
        selection = select(self.ctx.store.items.newest_first(), filters,
                           self.ctx.network.timezone)
        first = (selection.page - 1) * PAGE_SIZE + 1 if selection.items else 0
        params = filters.params(page.names)
        export = {k: v for k, v in params.items() if k != page.names["page"]}
        return self.html(
            "list.html", page, filters=filters, names=page.names,
            facets=page.facets(filters, selection), chosen=page.chosen(filters),
            items=[page.item(item) for item in selection.items], selection=selection,
            first=first, last=first + len(selection.items) - 1 if selection.items else 0,
            previous_href=page.link(filters, page=selection.page - 1)
            if selection.page > 1 else None,
            next_href=page.link(filters, page=selection.page + 1)
            if selection.page < selection.pages else None,
            atom_href=href(f"{page.path}.atom", export), csv_href=href(f"{page.path}.csv", export),
            other_href=href(KNOWLEDGE_PATHS[page.other], filters.params(PARAMS[page.other])))

    async def item(self, request: web.Request, lang: str) -> web.StreamResponse:
        page = Page(self.ctx, lang)
        number = int(request.match_info["number"])
        item = self.ctx.store.items.get(number)
        other = f"{KNOWLEDGE_PATHS[page.other]}/{number}"
        if item is None:
            return self.html("not_found.html", page, status=404, number=number,
                             other_href=other)
        return self.html("item.html", page, item=page.item(item), other_href=other)

    async def atom(self, request: web.Request, lang: str) -> web.StreamResponse:
        page = Page(self.ctx, lang)
        filters = self.filters(request, lang)
        items = matching(self.ctx.store.items.newest_first(), filters, self.ctx.network.timezone)
        body = feeds.atom(page, items, filters, origin(request), self.ctx.now())
        return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")

    async def table(self, request: web.Request, lang: str) -> web.StreamResponse:
        page = Page(self.ctx, lang)
        items = matching(self.ctx.store.items.newest_first(), self.filters(request, lang),
                         self.ctx.network.timezone)
        name = "savoirs.csv" if lang == "fr" else "knowledge.csv"
        return web.Response(body=feeds.table(page, items, origin(request)),
                            content_type=MEDIA_TYPE, charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def css(self, _: web.Request) -> web.StreamResponse:
        text = resources.files("bot.web").joinpath("static", "savoirs.css").read_text("utf-8")
        response = web.Response(text=text, content_type="text/css", charset="utf-8")
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def origin(request: web.Request) -> str:
    """Absolute links in feeds point back where the reader reached us."""
    return f"{request.scheme}://{request.host}"


def knowledge_routes(web_app: web.Application, app: BotApp) -> None:
    """Add the knowledge pages to the bot's web server, at the paths chat links point to
    (``handlers/web_paths.py``); links are https when the app's web address is."""
    site = Site(app, secure=(app.ctx.web_url or "").startswith("https://"))
    web_app.router.add_get(STYLESHEET_PATH, site.css)
    for lang, path in KNOWLEDGE_PATHS.items():
        web_app.router.add_get(path, site.guarded(site.listing, lang))
        web_app.router.add_get(path + r"/{number:\d{1,9}}", site.guarded(site.item, lang))
        web_app.router.add_get(path + ".atom", site.guarded(site.atom, lang))
        web_app.router.add_get(path + ".csv", site.guarded(site.table, lang))

