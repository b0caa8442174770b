"""What the bot chose to say, recorded as catalog lookups: the key and the values, in order.

Tests assert on these decisions rather than on the wording, so editing a sentence in
``handlers/locales/*.po`` breaks only the catalog's own tests::

    def test_a_meeting_is_convened(app, spoken):
        reply = say_and_send(app, "aminata", "réunion mardi 1 décembre 10h")
        assert spoken.has("meeting.scheduled", number=1)
        assert spoken.shown(reply, "meeting.invites_sent", count=7)  # and the reply says it
        spoken.clear()  # what follows only

Every call of ``handlers.i18n.Catalog.t`` is recorded while the ``spoken`` fixture (or the
``recording()`` context manager) is active, including the lookups a text makes for its own
words (``report.summary.meetings``). Values are kept as given (an ``int`` stays an ``int``; a
name is compared as text). ``spoken.clear()`` forgets what came before the step under test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from handlers.i18n import Catalog
from tests.support.chat import text_of


@dataclass(frozen=True)
class Said:
    """One catalog lookup: in ``lang``, the text ``key`` with ``params``, which gave ``text``."""

    lang: str
    key: str
    params: Mapping[str, object]
    text: str

    def matches(self, key: str, lang: str | None, params: Mapping[str, object]) -> bool:
        """Same key (and language, if given), and each of ``params`` given with that value."""
        return (self.key == key and (lang is None or self.lang == lang)
                and all(name in self.params and self.params[name] == value
                        for name, value in params.items()))


class Spoken:
    """The lookups made so far, oldest first."""

    def __init__(self) -> None:
        self.said: list[Said] = []

    def clear(self) -> None:
        """Forget what was said so far (before the step a test looks at)."""
        self.said.clear()

    def keys(self) -> list[str]:
        """The keys looked up, in order (with repeats)."""
        return [said.key for said in self.said]

    def all(self, key: str, lang: str | None = None, /, **params: object) -> list[Said]:
        """Every lookup of ``key`` (in ``lang``) given at least ``params``, in order."""
        return [said for said in self.said if said.matches(key, lang, params)]

    def has(self, key: str, lang: str | None = None, /, **params: object) -> bool:
        """Whether ``key`` was looked up (in ``lang``) with at least these ``params``."""
        return bool(self.all(key, lang, **params))

    def last(self, key: str, lang: str | None = None, /, **params: object) -> Said:
        """The latest lookup of ``key`` matching; an assertion error listing the keys if none."""
        found = self.all(key, lang, **params)
        assert found, f"{key} {params or ''} not said; said: {self.keys()}"
        return found[-1]

    def text(self, key: str, lang: str | None = None, /, **params: object) -> str:
        """The text the latest matching lookup gave, to check it reached the reader."""
        return self.last(key, lang, **params).text

    def shown(self, reply: object, key: str, lang: str | None = None, /,
              **params: object) -> bool:
        """Whether a matching lookup's text is in ``reply`` (a ``Reply``, a ``Message`` or the
        text itself): the bot chose to say it, and said it there."""
        shown_text = reply if isinstance(reply, str) else text_of(reply)  # type: ignore[arg-type]
        return any(said.text and said.text in shown_text
                   for said in self.all(key, lang, **params))

    def __contains__(self, key: object) -> bool:
        return any(said.key == key for said in self.said)


@contextmanager
def recording() -> Iterator[Spoken]:
    """Record every ``Catalog.t`` call inside the block (the class method is wrapped, so every
    catalog instance, the app's included, is heard)."""
    spoken = Spoken()
    original = Catalog.t

    def t(self: Catalog, lang: str, key: str, **params: object) -> str:
        text = original(self, lang, key, **params)
        spoken.said.append(Said(lang, key, dict(params), text))
        return text

    Catalog.t = t  # type: ignore[method-assign]
    try:
        yield spoken
    finally:
        Catalog.t = original  # type: ignore[method-assign]
