"""Deadline words: « d'ici vendredi 12h », « au plus tard lundi », « by Monday noon »,
« no later than Tuesday 5pm ».

A deadline without a time means the end of that working day (a network setting, 17:00 unless
configured), not the meetings' default hour. « avant vendredi » / « before Friday » without a time
could be Thursday evening or Friday evening: refused as ambiguous; with a time (« avant jeudi
midi ») or a period that ends (« avant la fin du mois ») it is that moment.
"""

from __future__ import annotations

import re

from scheduler.when.normalise import Scan
from scheduler.when.times import NUM

# « d'ici 3 jours » is left whole for the reader of days (it still marks a deadline).
_D_ICI = re.compile(r"\bd\s+ici\b")
_MARKERS = re.compile(rf"""\b(?:
      (?P<before>avant|before)
    | ^(?:jusqua(?:\s+(?:au|en))?|until|till|up\s+to)  # first only: « de 9h jusqu'à 12h »
    | d\s+ici(?!\s+(?:{NUM})\b) | au\s+plus\s+tard(?:\s+pour)? | pas\s+plus\s+tard\s+que
    | dernier\s+delai | (?<!dans\sun\s)delai(?:\s+de\s+rigueur)? | echeance | date\s+limite | limite
    | a\s+rendre
    | by | no\s+later\s+than | not\s+later\s+than | at\s+the\s+latest | at\s+latest
    | latest(?:\s+by)? | due(?:\s+(?:by|on))? | deadline(?:\s+(?:is|of))? )\b""", re.X)


def take_deadline(scan: Scan) -> tuple[bool, bool]:
    """Whether deadline words were written, and whether one was « avant » / « before »."""
    found = scan.take(_MARKERS)
    return bool(found) or bool(_D_ICI.search(scan.text)), any(m["before"] for m in found)
