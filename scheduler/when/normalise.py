"""Text as the patterns read it, and the scan that cuts understood pieces out of it.

Normalised text is lower case without accents, with one kind of dash and apostrophe, common
multi-word phrases joined into one token ("après-midi" → ``apresmidi``), no trailing punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from scheduler.when import words

_PUNCT = str.maketrans({
    "’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‑": "-", "−": "-",
    ",": " ", ";": " ", "!": " ", "?": " ", "(": " ", ")": " ", '"': " ", "«": " ", "»": " ",
    "“": " ", "”": " ",
})
_CANON = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 "),
    (r"\baujourd\s*'?\s*hui\b|\bauj\b", "aujourdhui"),
    (r"\bapres[\s-]*demain\b|\b(?:the\s+)?day\s+after\s+tomorrow\b", "apresdemain"),
    (r"\bavant[\s-]*hier\b|\b(?:the\s+)?day\s+before\s+yesterday\b", "avanthier"),
    (r"\bapres[\s-]*midi\b|\baprem\b", "apresmidi"),
    (r"\bjusqu\s*'?\s*a\b", "jusqua"),
    (r"\b(?:une\s+)?demi[\s-]*heure\b|\bhalf\s+an\s+hour\b", "demiheure"),
    (r"'", " "),
    (r"\s+", " "),
)]


def normalise(text: str) -> str:
    """Lower case, no accents, one kind of dash and apostrophe, no trailing punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().translate(_PUNCT)
    for rx, replacement in _CANON:
        s = rx.sub(replacement, s)
    return s.strip().rstrip(".:").strip()


class Scan:
    """The text being read: each understood piece is cut out, leaving a ``¦`` that no pattern
    crosses, so pieces on either side of a removed one never join into a false phrase."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, rx: re.Pattern[str],
             accept: Callable[[re.Match[str]], bool] | None = None) -> list[re.Match[str]]:
        taken: list[re.Match[str]] = []
        parts: list[str] = []
        pos = 0
        for m in rx.finditer(self.text):
            if accept is not None and not accept(m):
                continue
            parts += [self.text[pos:m.start()], " ¦ "]
            pos = m.end()
            taken.append(m)
        self.text = "".join(parts) + self.text[pos:]
        return taken

    def leftover(self) -> list[str]:
        return [w for w in re.split(r"[\s¦]+", self.text) if w and w not in words.STOPWORDS]
