"""The links people share, checked one by one: what a browser would open is what the bot shows,
and tracking parameters go."""

from __future__ import annotations

import pytest

from handlers import links
from handlers.context import UserError

EVIL = "https://evil.example\\@www.unhcr.org/"  # browsers open evil.example


@pytest.mark.parametrize(("url", "key"), [
    (EVIL, "info.link_userinfo"),
    ("https://www.unhcr.org@evil.example/", "info.link_userinfo"),
    ("https://user:pass@www.unhcr.org/", "info.link_userinfo"),
    ("https://evil.example\\www.unhcr.org/", "info.link_odd"),
    ("https://www.unhcr.org/a\u202egpj.exe", "info.link_odd"),  # right-to-left override
    ("https://www.unhcr.org/a\u00a0b", "info.link_odd"),  # a space that does not look like one
    ("https://%65vil.example/", "info.link_odd"),
    ("javascript://alert(1)", "info.bad_link"),
    ("javascript:alert(1)", "info.bad_link"),
    ("ftp://files.example/x", "info.bad_link"),
    ("data://text/html,x", "info.bad_link"),
    ("https:///www.unhcr.org", "info.bad_link"),
    ("https://www.unhcr.org:80x/", "info.bad_link"),
    ("www.unhcr.org", "info.bad_link"),
])
def test_deceptive_and_odd_links_are_refused_with_their_reason(url: str, key: str) -> None:
    with pytest.raises(UserError) as refused:
        links.checked(url)
    assert refused.value.key == key


@pytest.mark.parametrize("url", [
    "https://www.unhcr.org/fr/", "http://dtm.iom.int:8080/mali?id=3#carte",
    "https://en.wikipedia.org/wiki/Mali_(pays)", "https://[2001:db8::1]/rapport",
    "https://médecins.example/rapport", "https://x.org/@awa",
])
def test_ordinary_links_are_kept_as_typed(url: str) -> None:
    assert links.checked(url) == url


def test_tracking_parameters_go_and_the_others_keep_their_order_and_spelling() -> None:
    assert links.without_tracking("https://x.org/?gclid=1&mc_cid=2") == "https://x.org/"
    assert links.without_tracking("https://x.org/a?b=2&utm_source=x&a=%C3%A9#s") == \
        "https://x.org/a?b=2&a=%C3%A9#s"
    assert links.without_tracking("https://x.org/a?UTM_Campaign=z") == "https://x.org/a"


def test_slack_and_telegram_labels_reach_the_handlers_in_one_form() -> None:
    assert links.labelled("https://x.org/r", " le [grand]  rapport ") == \
        "[le (grand) rapport](https://x.org/r)"
    assert links.as_link("[le rapport](https://x.org/a_(b)).") == ("https://x.org/a_(b)",
                                                                   "le rapport")
    assert links.as_link("[unhcr.org](https://evil.example/)") == ("https://evil.example/", "")
    assert links.tokens("voir [le rapport](https://x.org) #1") == [
        "voir", "[le rapport](https://x.org)", "#1"]
