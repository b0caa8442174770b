"""Block Kit rendering: Slack's limits kept, user text inert, nothing lost silently."""

from __future__ import annotations

from pathlib import Path

from bot.platforms.slack.inbound import from_slack
from bot.platforms.slack.render import (
    ANSWER_BLOCK_ID,
    MAX_BLOCKS,
    action_name,
    clip,
    escape,
    is_empty,
    render,
    split_text,
    with_answer,
)
from handlers.types import Attachment, Button, Field, Message


def test_a_message_becomes_header_sections_fields_and_buttons() -> None:
    message = Message(title="Réunion n° 3", paragraphs=["mardi 1 décembre 2026 à 10:00", ""],
                      fields=[Field("Lieu", "MCNU")],
                      buttons=[Button("rsvp.present", "3", "Présent·e", style="primary"),
                               Button("rsvp.excused", "3", "Excusé·e", style="weird")])
    rendered = render(message)
    assert rendered["text"] == "Réunion n° 3\nmardi 1 décembre 2026 à 10:00\n\nLieu: MCNU"
    header, section, fields, actions = rendered["blocks"]
    assert header == {"type": "header",
                      "text": {"type": "plain_text", "text": "Réunion n° 3", "emoji": True}}
    assert section == {"type": "section", "text": {"type": "mrkdwn",
                                                   "text": "mardi 1 décembre 2026 à 10:00"}}
    assert fields["fields"] == [{"type": "mrkdwn", "text": "*Lieu*\nMCNU"}]
    assert actions["elements"][0] == {
        "type": "button", "text": {"type": "plain_text", "text": "Présent·e", "emoji": True},
        "action_id": "rsvp.present", "value": "3", "style": "primary"}
    assert "style" not in actions["elements"][1]


def test_user_text_is_escaped_everywhere() -> None:
    evil = "<!channel> <@U1> <http://evil.example|Cliquez> & co"
    rendered = render(Message(title=evil, paragraphs=[evil], fields=[Field(evil, evil)],
                              buttons=[Button("x", "1", evil)]))
    everything = repr(rendered)
    assert "<!" not in everything and "<@" not in everything and "<http" not in everything
    assert "&lt;!channel&gt; &lt;@U1&gt; &lt;http://evil.example|Cliquez&gt; &amp; co" in (
        rendered["blocks"][1]["text"]["text"])
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_incoming_slack_markup_is_read_back_as_typed_text() -> None:
    assert from_slack("&lt;b&gt; &amp; <!here> <!channel> <!subteam^S1|@comms>") == \
        "<b> & @here @channel @comms"
    assert from_slack("<@U1|awa> <@U2> <#C1|general>") == "@awa @U2 #general"
    assert from_slack("<https://example.org/r.pdf> <https://x.org|x.org>") == \
        "https://example.org/r.pdf https://x.org"
    assert from_slack("<https://x.org/a|le rapport> <mailto:a@b.org|a@b.org>") == \
        "[le rapport](https://x.org/a) a@b.org"


def test_long_paragraphs_are_split_at_line_breaks_within_3000_characters() -> None:
    lines = [f"Ligne {n} " + "x" * 90 for n in range(100)]  # about 10,000 characters
    chunks = split_text("\n".join(lines))
    assert all(len(chunk) <= 3000 for chunk in chunks) and len(chunks) == 4
    assert "\n".join(chunks) == "\n".join(lines)  # cut only at line boundaries
    one_line = " ".join(["mot"] * 2000)  # 7,999 characters, no line break
    pieces = split_text(one_line)
    assert all(len(p) <= 3000 for p in pieces) and " ".join(pieces) == one_line


def test_escaping_counts_against_the_limits_and_never_cuts_an_entity() -> None:
    chunks = split_text("&" * 1000)  # 5,000 characters once escaped
    assert all(len(c) <= 3000 and c.endswith("&amp;") for c in chunks)
    assert "".join(chunks) == "&amp;" * 1000
    assert clip("<" * 100, 150).endswith("&lt;…") and len(clip("<" * 100, 150)) <= 150
    header = render(Message(title="T" * 400))["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")


def test_fields_ten_to_a_section_and_each_within_2000() -> None:
    message = Message(fields=[Field(f"F{n}", "v" * 5000) for n in range(23)])
    sections = render(message)["blocks"]
    assert [len(s["fields"]) for s in sections] == [10, 10, 3]
    assert all(len(f["text"]) <= 2000 for s in sections for f in s["fields"])


def test_buttons_labels_ids_and_rows() -> None:
    buttons = [Button("rsvp.present", str(n), "L" * 100) for n in range(30)]
    actions = render(Message(title="Réunions", buttons=buttons))["blocks"][1:]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    ids = [e["action_id"] for a in actions for e in a["elements"]]
    assert len(set(ids)) == 30 and {action_name(i) for i in ids} == {"rsvp.present"}
    assert all(len(e["text"]["text"]) <= 75 for a in actions for e in a["elements"])


def test_at_most_50_blocks_with_a_final_ellipsis_and_the_buttons_kept() -> None:
    message = Message(title="Liste", paragraphs=[f"Paragraphe {n}" for n in range(80)],
                      buttons=[Button("plan.done", "1", "Fait")])
    blocks = render(message)["blocks"]
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-2] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "…"}]}
    assert blocks[-1]["type"] == "actions"


def test_fallback_text_is_always_set() -> None:
    only_file = Message(attachments=[Attachment("synthese.md", b"# x", "text/markdown")])
    assert render(only_file)["text"] == "synthese.md"
    assert render(Message())["text"] == " "
    assert is_empty(Message()) and not is_empty(only_file)
    assert len(render(Message(paragraphs=["y" * 10_000]))["text"]) <= 3000


def test_an_answer_is_appended_once_to_the_clicked_message() -> None:
    blocks = render(Message(title="Invitation", buttons=[Button("rsvp.present", "1", "Oui")]))[
        "blocks"]
    once = with_answer(blocks, "C'est noté <b>")
    twice = with_answer(once, "Changé")
    assert once[:-1] == blocks and once[-1]["block_id"] == ANSWER_BLOCK_ID
    assert once[-1]["elements"][0]["text"] == "C'est noté &lt;b&gt;"
    assert twice[:-1] == blocks and twice[-1]["elements"][0]["text"] == "Changé"


def test_the_manifest_declares_what_the_adapter_uses_and_nothing_more() -> None:
    text = (Path(__file__).resolve().parent.parent / "manifest.yml").read_text(encoding="utf-8")
    scopes = {line.split("#")[0].strip(" -") for line in
              text.split("    bot:\n", 1)[1].split("settings:", 1)[0].splitlines()} - {""}
    assert scopes == {"commands", "chat:write", "im:write", "im:history", "channels:history",
                      "groups:history", "app_mentions:read", "users:read", "files:write",
                      "reactions:write"}
    assert "- command: /reseau" in text and "- message.im" in text
    assert "- message.channels" in text and "- message.groups" in text
    assert "- app_mention" in text
    assert text.count("https://YOUR-HOST/slack/events") == 3  # command, events, interactivity
