"""Information items: sharing with objectives and types, duplicates across link variants,
capture from the channel, finding with accents and paging."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from handlers.info import normalise_link
from handlers.types import Inbound, Message, Recipient
from tests.conftest import Clock, say, text_of
from tests.support.spoken import Spoken


@pytest.mark.parametrize("variant", [
    "https://www.dtm.iom.int/reports/mali/", "http://dtm.iom.int/reports/mali",
    "https://DTM.iom.int/reports/mali?utm_source=slack&utm_medium=chat",
    "https://dtm.iom.int/reports/mali/?fbclid=abc",
])
def test_link_variants_normalise_to_one_key(variant: str) -> None:
    assert normalise_link(variant) == "dtm.iom.int/reports/mali"
    assert normalise_link("https://x.org/a?b=2&a=1") == normalise_link("https://x.org/a?a=1&b=2")
    assert normalise_link("https://x.org/a?id=1") != normalise_link("https://x.org/a?id=2")


def test_share_confirms_with_objectives_in_words_and_posts_to_the_channel(
        app: BotApp, spoken: Spoken) -> None:
    def t(lang: str, key: str, **params: object) -> str:
        return app.catalog.t(lang, key, **params)

    reply = text_of(say(app, "awa", "partager https://dtm.iom.int/mali Suivi des flux "
                                     "migratoires 2026 #1 #traite #etude"))
    assert reply == t("fr", "info.shared", number=1, objectives=f"1. {t('fr', 'gcm.1')}; "
                                                                 f"10. {t('fr', 'gcm.10')}")
    item = app.store.items.get(1)
    assert (item.url, item.title, item.objectives, item.type, item.agency) == (
        "https://dtm.iom.int/mali", "Suivi des flux migratoires 2026", [1, 10], "study",
        "UNICEF")
    [row] = [r for r in app.store.outbox.all()
             if Recipient.from_dict(r.recipient) == Recipient("channel", "network")]
    posted = Message.from_dict(row.message)
    assert posted.title == t("fr", "info.announce_title", number=1,
                             title="Suivi des flux migratoires 2026")
    assert t("fr", "info.shared_by", name="Awa Traoré", agency="UNICEF",
             type=t("fr", "info.type.study")) in posted.paragraphs
    english = text_of(say(app, "sarah", "share https://unhcr.org/x Report #data #remittances"))
    assert english == t("en", "info.shared", number=2, objectives=f"1. {t('en', 'gcm.1')}; "
                                                                  f"20. {t('en', 'gcm.20')}")


def test_the_same_link_shared_twice_is_not_duplicated(app: BotApp, clock: Clock,
                                                       spoken: Spoken) -> None:
    say(app, "awa", "partager https://www.dtm.iom.int/mali/ Flux #1")
    reply = say(app, "ibrahim", "partager http://dtm.iom.int/mali?utm_source=x Autre")
    assert spoken.shown(reply, "info.duplicate", number=1, name="Awa Traoré", agency="UNICEF",
                        date=app.catalog.date("fr", clock.now, app.network.timezone))
    assert len(app.store.items.newest_first()) == 1


def test_bad_links_and_tags_are_refused(app: BotApp, spoken: Spoken) -> None:
    assert spoken.shown(say(app, "awa", "partager javascript://alert(1)"), "info.bad_link",
                        link="javascript://alert(1)")
    assert "ftp" not in str(app.store.items.newest_first())
    assert spoken.shown(say(app, "awa", "partager https://x.org #99"), "info.unknown_tag",
                        tag="#99")
    assert spoken.shown(say(app, "awa", "partager"), "info.share_usage")
    assert app.store.items.newest_first() == []
    text = say(app, "awa", "partager Réunion des bailleurs reportée à janvier #actualite")
    assert spoken.shown(text, "info.shared", number=1)
    assert app.store.items.get(1).type == "news"


def test_capture_from_the_network_channel(app: BotApp) -> None:
    def post(text: str) -> str:
        return text_of(app.handle(Inbound(platform="slack", user_id="U0DEMOSJ",
                                          chat_id="C0NET", private=False, text=text,
                                          capture=True)))

    assert post("Nouveau rapport https://unhcr.org/sahel-2026 #partage #7") == \
        app.catalog.t("en", "info.captured", number=1)
    assert app.store.items.get(1).objectives == [7]
    assert post("Just chatting, https://example.org without a tag") == ""
    assert post("#info no link here") == ""
    assert len(app.store.items.newest_first()) == 1


def test_finding_by_objective_type_words_with_paging(app: BotApp, spoken: Spoken) -> None:
    def shows(text: str, key: str, **params: object) -> bool:
        spoken.clear()
        return spoken.shown(say(app, "ibrahim", text), key, **params)

    for n in range(1, 13):
        say(app, "awa", f"partager https://example.org/etude-{n} Étude régionale numéro {n} #1 "
                        f"#etude")
    say(app, "sarah", "share https://example.org/returns Voluntary returns #21 #data")
    spoken.clear()
    latest = say(app, "ibrahim", "infos")
    assert spoken.shown(latest, "info.latest_title", count=13)
    assert spoken.shown(latest, "info.result_line", number=13, title="Voluntary returns")
    assert spoken.shown(latest, "info.more", shown=8, total=13)
    assert [s.params["number"] for s in spoken.all("info.result_line")] == list(range(13, 5, -1))
    spoken.clear()
    more = say(app, "ibrahim", "suite")
    assert [s.params["number"] for s in spoken.all("info.result_line")] == list(range(5, 0, -1))
    assert spoken.shown(more, "info.result_line", number=5, title="Étude régionale numéro 5")
    assert not spoken.has("info.more")
    assert shows("suite", "info.no_more")
    assert shows("infos objectif 21", "info.by_objective_title", number=21, count=1)
    assert shows("infos données", "info.by_type_title", count=1,
                 type=app.catalog.t("fr", "info.type.data"))
    assert shows("recherche ETUDE regionale numero 12", "info.search_title", count=1,
                 words="ETUDE regionale numero 12")
    assert spoken.all("info.result_line")[0].params["number"] == 12
    assert shows("recherche inexistant", "info.none")
    long_results = text_of(say(app, "ibrahim", "infos"))
    assert max(len(line) for line in long_results.splitlines()) < 400
