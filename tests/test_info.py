"""Information items: sharing with objectives and types, duplicates across link variants,
capture from the channel, finding with accents and paging."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from handlers.info import normalise_link
from handlers.types import Inbound, Message, Recipient
from tests.conftest import say, text_of


@pytest.mark.parametrize("variant", [
    "https://www.dtm.iom.int/reports/mali/", "http://dtm.iom.int/reports/mali",
    "https://DTM.iom.int/reports/mali?utm_source=slack&utm_medium=chat",
    "https://dtm.iom.int/reports/mali/?fbclid=abc",
])
def test_link_variants_normalise_to_one_key(variant: str) -> None:
    assert normalise_link(variant) == "dtm.iom.int/reports/mali"
    assert normalise_link("https://x.org/a?b=2&a=1") == normalise_link("https://x.org/a?a=1&b=2")
    assert normalise_link("https://x.org/a?id=1") != normalise_link("https://x.org/a?id=2")


def test_share_confirms_with_objectives_in_words_and_posts_to_the_channel(app: BotApp) -> None:
    reply = text_of(say(app, "awa", "partager https://dtm.iom.int/mali Suivi des flux "
                                     "migratoires 2026 #1 #traite #etude"))
    assert reply == ("Information n° 1 partagée avec le réseau. Objectifs : 1. Données; "
                     "10. Éradiquer la traite de personnes.")
    item = app.store.items.get(1)
    assert (item.url, item.title, item.objectives, item.type, item.agency) == (
        "https://dtm.iom.int/mali", "Suivi des flux migratoires 2026", [1, 10], "study",
        "UNICEF")
    [row] = [r for r in app.store.outbox.all()
             if Recipient.from_dict(r.recipient) == Recipient("channel", "network")]
    posted = Message.from_dict(row.message)
    assert posted.title == "Nouvelle information n° 1 : Suivi des flux migratoires 2026"
    assert "Partagée par Awa Traoré (UNICEF) — étude" in posted.paragraphs
    english = text_of(say(app, "sarah", "share https://unhcr.org/x Report #data #remittances"))
    assert english.endswith("Objectives: 1. Data; 20. Remittances.")


def test_the_same_link_shared_twice_is_not_duplicated(app: BotApp) -> None:
    say(app, "awa", "partager https://www.dtm.iom.int/mali/ Flux #1")
    reply = text_of(say(app, "ibrahim", "partager http://dtm.iom.int/mali?utm_source=x Autre"))
    assert reply == ("Cette information existe déjà : n° 1, partagée par Awa Traoré (UNICEF) le "
                     "samedi 28 novembre 2026.")
    assert len(app.store.items.newest_first()) == 1


def test_bad_links_and_tags_are_refused(app: BotApp) -> None:
    assert "http:// ou https://" in text_of(say(app, "awa", "partager javascript://alert(1)"))
    assert "ftp" not in str(app.store.items.newest_first())
    assert "#99" in text_of(say(app, "awa", "partager https://x.org #99"))
    assert "Utilisation" in text_of(say(app, "awa", "partager"))
    assert app.store.items.newest_first() == []
    text = text_of(say(app, "awa", "partager Réunion des bailleurs reportée à janvier #actualite"))
    assert text.startswith("Information n° 1 partagée")


def test_capture_from_the_network_channel(app: BotApp) -> None:
    def post(text: str) -> str:
        return text_of(app.handle(Inbound(platform="slack", user_id="U0DEMOSJ",
                                          chat_id="C0NET", private=False, text=text,
                                          capture=True)))

    assert post("Nouveau rapport https://unhcr.org/sahel-2026 #partage #7") == \
        "✓ Item no. 1 recorded."
    assert app.store.items.get(1).objectives == [7]
    assert post("Just chatting, https://example.org without a tag") == ""
    assert post("#info no link here") == ""
    assert len(app.store.items.newest_first()) == 1


def test_finding_by_objective_type_words_with_paging(app: BotApp) -> None:
    for n in range(1, 13):
        say(app, "awa", f"partager https://example.org/etude-{n} Étude régionale numéro {n} #1 "
                        f"#etude")
    say(app, "sarah", "share https://example.org/returns Voluntary returns #21 #data")
    latest = text_of(say(app, "ibrahim", "infos"))
    assert latest.startswith("Dernières informations (13)")
    assert "n° 13 — Voluntary returns" in latest
    assert "8 sur 13 : tapez « suite » pour la suite." in latest
    more = text_of(say(app, "ibrahim", "suite"))
    assert "n° 5 — Étude régionale numéro 5" in more and "n° 1 — Étude" in more
    assert "pas de page suivante" in text_of(say(app, "ibrahim", "suite"))
    assert "(1)" in text_of(say(app, "ibrahim", "infos objectif 21"))
    assert "Type : données (1)" in text_of(say(app, "ibrahim", "infos données"))
    found = text_of(say(app, "ibrahim", "recherche ETUDE regionale numero 12"))
    assert found.startswith("Recherche « ETUDE regionale numero 12 » (1)")
    assert "Aucune information" in text_of(say(app, "ibrahim", "recherche inexistant"))
    long_results = text_of(say(app, "ibrahim", "infos"))
    assert max(len(line) for line in long_results.splitlines()) < 400
