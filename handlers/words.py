"""How a name sits in a sentence: French articles and elision, one rule for every text.

French writes « de l'OIM », « du PNUD », « de la FAO », « d'ONU Femmes »: whether an acronym
takes an article (and which) is a fact about the entity, given in the network's configuration
(``article_fr``); elision (« le » → « l' », « de » → « d' ») follows from the first letter. A
catalog text asks for the form it needs as an attribute of the placeholder: ``{agency.of}``,
``{agency.the}``; English texts write ``of {agency}`` or use the same attributes.
"""

from __future__ import annotations

import unicodedata

# The article an acronym takes in French: « l' » (the name starts with a vowel), « le », « la »,
# or none (« ONU Femmes »). ``""`` is the default: never wrong in form, only bare.
ARTICLES_FR = ("l'", "le", "la", "")


def starts_with_vowel(text: str) -> bool:
    """« OIM », « UNICEF », « Éducation » do; « HCR » does not (an acronym's h is not mute)."""
    first = unicodedata.normalize("NFD", text.strip()[:1])[:1].lower()
    return first in "aeiouy" and first != ""


class ProperName(str):
    """A name (an agency's acronym) that knows its French article.

    It is a ``str``, so it goes anywhere a string goes; catalog texts reach its forms through
    ``str.format`` attribute access: ``{agency.the}``, ``{agency.of}``.
    """

    article: str
    lang: str

    def __new__(cls, text: str, lang: str = "fr", article: str = "") -> ProperName:
        name = super().__new__(cls, text)
        name.article = article if article in ARTICLES_FR else ""
        name.lang = lang
        return name

    def in_language(self, lang: str) -> ProperName:
        return self if lang == self.lang else ProperName(str(self), lang, self.article)

    @property
    def the(self) -> str:
        """« l'OIM », « le PNUD », « la FAO », « ONU Femmes »; English: « IOM »."""
        text = str(self)
        if self.lang != "fr" or not self.article:
            return text
        if self.article == "l'" or starts_with_vowel(text):
            return f"l'{text}"
        return f"{self.article} {text}"

    @property
    def of(self) -> str:
        """« de l'OIM », « du PNUD », « de la FAO », « d'ONU Femmes »; English: « of IOM »."""
        text = str(self)
        if self.lang != "fr":
            return f"of {text}"
        if not self.article:
            return f"d'{text}" if starts_with_vowel(text) else f"de {text}"
        if self.article == "le" and not starts_with_vowel(text):
            return f"du {text}"
        return f"de {self.the}"
