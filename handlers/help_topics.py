"""The four topics the help is grouped by — réunions, consultations, informations, réseau —
which commands belong to each, and the topic a person names in either language."""

from __future__ import annotations

from handlers.i18n import Catalog
from handlers.settings import LANGUAGES, fold

TOPICS = ("meetings", "polls", "info", "network")
# A command belongs to the first topic one of whose key prefixes starts its key; every other
# command (members, language, linking, groups, the workplan, help itself) to « réseau », so
# none is left out of the help.
PREFIXES = {
    "meetings": ("meeting", "rsvp_", "agenda"),
    "polls": ("poll", "position", "decisions", "statement"),
    "info": ("share", "item", "search", "more", "knowledge", "digest", "report"),
}
# Other words people use for a topic (folded, without a final « s »).
SYNONYMS = {"reunion": "meetings", "rsvp": "meetings", "vote": "polls", "decision": "polls",
            "poll": "polls", "information": "info", "partage": "info", "membre": "network",
            "member": "network", "groupe": "network", "group": "network"}


def topic_of(command_key: str) -> str:
    for topic, prefixes in PREFIXES.items():
        if command_key.startswith(prefixes):
            return topic
    return "network"


def _word(text: str) -> str:
    word = fold(text).strip()
    return word[:-1] if word.endswith("s") else word


def topic_named(catalog: Catalog, text: str) -> str | None:
    """The topic ``text`` names (« réunions », « meetings », « réseau », « info » …)."""
    asked = _word(text)
    for topic in TOPICS:
        if any(_word(catalog.t(lang, f"help.topic.{topic}.name")) == asked
               for lang in LANGUAGES):
            return topic
    return SYNONYMS.get(asked)
