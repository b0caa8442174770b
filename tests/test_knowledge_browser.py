"""The knowledge page in a real browser (Debian's headless chromium, driven over the DevTools
Protocol): the sign-in link, a filter clicked, a search typed, the stylesheet applied under the
Content-Security-Policy, and a phone-sized screen without sideways scrolling.

``python -m tests.test_knowledge_browser`` saves the README's screenshot to docs/savoirs.png.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestServer

from bot.app import BotApp
from bot.config.network import load_network
from bot.runtime import web_application
from storage.store import Store
from tests.conftest import REPO, Clock, say, text_of
from tests.support.cdp import Browser, chromium
from tests.support.knowledge_seed import SEED, link_of, seed

pytestmark = pytest.mark.skipif(
    chromium() is None,
    reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it")

SHOWN = "[...document.querySelectorAll('li.item')].map(e => e.id)"


async def test_a_member_signs_in_filters_and_searches_in_a_real_browser(app: BotApp,
                                                                         clock: Clock) -> None:
    seed(app, clock)
    server = TestServer(web_application(app, []), host="127.0.0.1")
    await server.start_server()
    base = f"http://127.0.0.1:{server.port}"
    try:
        link = urlsplit(link_of(text_of(say(app, "awa", "lien savoirs"))))
        async with asyncio.timeout(60), Browser.launch() as browser:
            await browser.navigate(f"{base}{link.path}?{link.query}")
            assert await browser.evaluate("location.href") == f"{base}/savoirs"
            assert await browser.evaluate("document.cookie") == ""  # HttpOnly
            assert await browser.evaluate(SHOWN) == ["n6", "n5", "n4", "n3", "n2", "n1"]
            assert await browser.evaluate(
                "getComputedStyle(document.querySelector('header.site')).borderTopColor"
            ) == "rgb(0, 158, 219)"  # the stylesheet loads under the CSP

            await browser.click('aside a[href="/savoirs?objectif=21"]')
            assert await browser.evaluate("location.search") == "?objectif=21"
            assert await browser.evaluate(SHOWN) == ["n2"]
            assert await browser.evaluate(
                "document.querySelector('li.item h3').textContent"
            ) == "Étude sur la réintégration des migrants"
            assert await browser.evaluate(
                "document.querySelector('aside [aria-current]').textContent.trim()"
            ) == "21. Retour digne et réintégration durable (filtre choisi, cliquer pour le " \
                 "retirer)"

            await browser.navigate(f"{base}/savoirs")
            await browser.type_and_submit("#f-q", "MOBILITÉ enfants")
            assert await browser.evaluate(SHOWN) == ["n4"]
            assert await browser.evaluate("document.querySelector('#f-q').value") == (
                "MOBILITÉ enfants")

            await browser.send("Emulation.setDeviceMetricsOverride", {
                "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
            await browser.navigate(f"{base}/savoirs")
            assert await browser.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        await server.close()


# The README's screenshot.

SHOWCASE = [
    (datetime(2025, 9, 12, 9, tzinfo=UTC), "ibrahim",
     "partager https://www.undp.org/mali/reintegration-communautaire Réintégration "
     "communautaire des migrants de retour : leçons de Kayes #21 #16 #etude"),
    (datetime(2026, 2, 3, 9, tzinfo=UTC), "fatoumata",
     "partager https://www.wfp.org/countries/mali Sécurité alimentaire des ménages "
     "déplacés #7 #donnees"),
    (datetime(2026, 6, 18, 9, tzinfo=UTC), "moussa",
     "partager https://www.iom.int/news/mali-journee-migrants Journée de sensibilisation "
     "à la migration sûre à Gao #3 #8 #evenement"),
]


async def save_screenshot(path: Path) -> None:
    """A seeded public page, full length, 1280 pixels wide."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "data")
        clock = Clock(datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
        app = BotApp(store, dataclasses.replace(load_network(), knowledge_access="public"),
                     clock=clock)
        try:
            # The escaping test's trap title has no place in a README picture.
            seed(app, clock, sorted([e for e in SEED if "<script>" not in e[2]] + SHOWCASE))
            server = TestServer(web_application(app, []), host="127.0.0.1")
            await server.start_server()
            try:
                async with asyncio.timeout(60), Browser.launch(1280, 900) as browser:
                    await browser.navigate(f"http://127.0.0.1:{server.port}/savoirs")
                    await browser.screenshot(path)
            finally:
                await server.close()
        finally:
            store.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "savoirs.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(save_screenshot(target))
    print(target)
