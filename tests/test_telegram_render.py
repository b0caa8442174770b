"""Telegram rendering, without any network: HTML escaping, chunks under 4,096 characters cut at
line boundaries, callback data within 64 bytes, command names Telegram accepts."""

from __future__ import annotations

import re

import pytest

from bot.platforms.telegram.adapter import api_urls
from bot.platforms.telegram.menus import command_table, telegram_name
from bot.platforms.telegram.render import (
    CALLBACK_BYTES,
    LIMIT,
    callback_data,
    chunks,
    lines_of,
    parse_callback,
    render,
    size,
    with_answer,
)
from handlers.commands import ACTIONS, build_router
from handlers.i18n import Catalog
from handlers.types import Button, Field, Message


def test_ten_thousand_characters_split_at_line_boundaries() -> None:
    lines = [f"ligne {n:04d} " + "x" * 40 for n in range(200)]  # 51 characters a line
    body = "\n".join(lines)
    assert len(body) >= 10_000
    message = Message(title="Synthèse", paragraphs=[body], buttons=[Button("rsvp.present", "1",
                                                                           "Présent·e")])
    texts, markup = render(message)
    assert len(texts) == 3 and all(size(t) < LIMIT for t in texts)
    assert [line for t in texts for line in t.splitlines()] == ["<b>Synthèse</b>", *lines]
    assert markup is not None  # the caller puts it on the last chunk


def test_user_text_cannot_inject_tags() -> None:
    message = Message(title="<b>Titre</b> & co", paragraphs=["<b>gras</b> <a href='x'>lien</a>"],
                      fields=[Field("<i>Lieu</i>", "Salle <3")])
    text = "\n".join(lines_of(message))
    assert text == ("<b>&lt;b&gt;Titre&lt;/b&gt; &amp; co</b>\n"
                    "&lt;b&gt;gras&lt;/b&gt; &lt;a href='x'&gt;lien&lt;/a&gt;\n"
                    "<b>&lt;i&gt;Lieu&lt;/i&gt;</b>\nSalle &lt;3")


def test_a_line_longer_than_a_message_is_cut_at_spaces_outside_entities() -> None:
    long_title = Message(title="mot " * 1500, paragraphs=["&" * 3000, "é🙂" * 3000])
    texts, _ = render(long_title)
    assert all(size(t) <= 4000 for t in texts)
    for text in texts:  # every chunk is balanced HTML: no cut tag or entity
        assert text.count("<b>") == text.count("</b>")
        assert not re.search(r"&(?!amp;|lt;|gt;)", text)
    assert sum(t.count("&amp;") for t in texts) == 3000
    assert sum(t.count("🙂") for t in texts) == 3000  # counted as two UTF-16 units each


def test_chunks_never_start_or_end_with_blank_lines() -> None:
    texts = chunks(["a" * 3000, "", "", "b" * 3000, ""])
    assert texts == ["a" * 3000, "b" * 3000]
    assert chunks([]) == ["…"] and chunks(["", " "]) == ["…"]


def test_callback_data_fits_64_bytes_for_every_action_and_big_ids() -> None:
    for action in ACTIONS:
        for number in (1, 999_999, 1_000_000):
            data = callback_data(Button(action.name, str(number), "é" * 80))
            assert len(data.encode("utf-8")) <= CALLBACK_BYTES
            assert parse_callback(data) == (action.name, str(number))
    assert callback_data(Button("position.objection", "999999", "x")) == \
        "position.objection|999999"
    with pytest.raises(ValueError):  # bytes, not characters: 40 "é" are 80 bytes
        callback_data(Button("rsvp.present", "é" * 30, "x"))


def test_the_answer_under_a_message_replaces_the_previous_answer() -> None:
    first = with_answer("<b>Invitation</b>\nmardi", "C'est noté : présent·e <ok>")
    assert first == "<b>Invitation</b>\nmardi\n\n<i>C'est noté : présent·e &lt;ok&gt;</i>"
    assert with_answer(first, "en ligne") == "<b>Invitation</b>\nmardi\n\n<i>en ligne</i>"


def test_command_names_are_what_telegram_accepts_and_lead_back_to_the_router() -> None:
    router = build_router(Catalog.load())
    table = command_table(router)
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in table)
    for name in ("reunion", "meeting", "consultation", "position", "aide", "help", "membres",
                 "members", "rejoindre", "join", "langue", "language", "ordre_du_jour",
                 "agenda", "present", "en_ligne", "excuse", "decisions", "reunion_deplacer",
                 "start"):
        assert name in table
        assert router.find(table[name]) is not None, name
    assert telegram_name("réunion déplacer") == "reunion_deplacer"
    assert telegram_name("aide-moi") == "aide_moi"
    assert router.find(table["start"])[0].key == "start"


def test_api_url_forms() -> None:
    assert api_urls("") == ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    assert api_urls("http://127.0.0.1:9/bot/") == ("http://127.0.0.1:9/bot",
                                                   "http://127.0.0.1:9/file/bot")
    assert api_urls("http://botapi.local:8081") == ("http://botapi.local:8081/bot",
                                                    "http://botapi.local:8081/file/bot")
