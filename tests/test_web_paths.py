"""The web pages' addresses: one definition the server and the chat links share, and the base
URL given to the app explicitly rather than kept in a hidden module-level table."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.app import BotApp
from bot.runtime import web_application
from handlers.web_paths import KNOWLEDGE_PATHS, STYLESHEET_PATH
from tests.conftest import say, text_of


def test_the_knowledge_link_uses_the_web_address_given_to_the_app(app: BotApp) -> None:
    app.set_web_url("https://savoirs.example.org/")
    assert app.ctx.web_url == "https://savoirs.example.org"
    reply = text_of(say(app, "awa", "lien savoirs"))
    assert f"https://savoirs.example.org{KNOWLEDGE_PATHS['fr']}?" in reply


def test_two_apps_in_one_process_keep_their_own_web_address(app: BotApp) -> None:
    other = BotApp(app.store, app.network, clock=app.ctx.clock)
    other.set_web_url("http://10.0.0.5:8080")
    assert app.ctx.web_url is None and other.ctx.web_url == "http://10.0.0.5:8080"


async def test_the_server_serves_every_path_the_links_point_to(app: BotApp) -> None:
    async with TestClient(TestServer(web_application(app, []))) as client:
        assert app.ctx.web_url == "http://127.0.0.1:3000"
        for path in KNOWLEDGE_PATHS.values():
            response = await client.get(path, allow_redirects=False)
            assert response.status == 403  # there, and members only: not a 404
        assert (await client.get(STYLESHEET_PATH)).status == 200
