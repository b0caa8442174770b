"""Parts of the day: how a written hour reads within them and the time each means alone.

A part gives the half of a 12-hour clock ("ce soir 8h" → 20:00), the time it means when no time
is written, and the hours a written time must fall in: "ce soir 3h" or "8h de l'après-midi" are
refused rather than read as 15:00 or 20:00. The conventional parts (« fin de matinée »,
« en début d'après-midi », « end of day », « COB »…) each have one documented meaning, listed in
the README; « fin de journée » / « end of day » / « COB » is the network's end of the working day
(a setting, 17:00 unless the configuration says otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class DayPart:
    key: str
    half: str | None  # "am" / "pm": how "8h" reads within it
    default: time | None  # its time when none is written; None: the end of the working day
    hours: tuple[int, int]  # the first and last wall hour a written time may have in it

    def at(self, end_of_day: time) -> time:
        return self.default or end_of_day


MORNING = DayPart("morning", "am", time(9), (0, 11))
AFTERNOON = DayPart("afternoon", "pm", time(15), (12, 19))
EVENING = DayPart("evening", "pm", time(18), (17, 23))

# The plain words, as days.PERIOD and the time suffixes read them.
PLAIN: dict[str, DayPart] = {
    "matin": MORNING, "matinee": MORNING, "morning": MORNING,
    "apresmidi": AFTERNOON, "afternoon": AFTERNOON,
    "soir": EVENING, "soiree": EVENING, "evening": EVENING, "night": EVENING, "tonight": EVENING,
}

# The conventional parts: (French and English phrases, normalised) → meaning.
_CONVENTIONAL: list[tuple[str, DayPart]] = [
    (r"(?:a\s+la\s+)?premiere\s+heure|first\s+thing(?:\s+in\s+the\s+morning)?",
     DayPart("first_thing", "am", time(8), (6, 9))),
    (r"debut\s+de\s+(?:la\s+)?matinee|tot\s+le\s+matin|de\s+bon\s+matin"
     r"|early\s+(?:in\s+the\s+)?morning",
     DayPart("early_morning", "am", time(8), (5, 10))),
    (r"milieu\s+de\s+(?:la\s+)?matinee|mi-?\s*matinee|mid-?\s*morning",
     DayPart("mid_morning", "am", time(10), (9, 11))),
    (r"fin\s+de\s+(?:la\s+)?matinee|late\s+(?:in\s+the\s+)?morning"
     r"|end\s+of\s+the\s+morning",
     DayPart("late_morning", "am", time(11, 30), (10, 12))),
    (r"mi-?\s*journee|milieu\s+de\s+(?:la\s+)?journee|middle\s+of\s+the\s+day",
     DayPart("midday", "pm", time(12), (11, 14))),
    (r"debut\s+(?:d|de\s+l)\s+apresmidi|early\s+(?:in\s+the\s+)?afternoon",
     DayPart("early_afternoon", "pm", time(14), (12, 15))),
    (r"milieu\s+(?:d|de\s+l)\s+apresmidi|mi-?\s*apresmidi|mid-?\s*afternoon",
     DayPart("mid_afternoon", "pm", time(15), (14, 17))),
    (r"fin\s+(?:d|de\s+l)\s+apresmidi|late\s+(?:in\s+the\s+)?afternoon",
     DayPart("late_afternoon", "pm", time(17), (15, 19))),
    (r"fin\s+de\s+(?:la\s+)?journee(?:\s+de\s+travail)?"
     r"|end\s+of\s+(?:the\s+)?(?:working\s+|business\s+)?day|end\s+of\s+business"
     r"|(?:close|end)\s+of\s+(?:business|play)|eod|cob|eob",
     DayPart("end_of_day", "pm", None, (15, 20))),
    (r"debut\s+de\s+soiree|early\s+(?:in\s+the\s+)?evening",
     DayPart("early_evening", "pm", time(18), (17, 20))),
]
# The time each conventional part means (None: the end of the working day), for confirmations.
PART_TIMES: dict[str, time | None] = {part.key: part.default for _, part in _CONVENTIONAL}
_LEAD = r"(?:en|dans\s+la|in\s+the|at\s+the|by\s+the|vers\s+la|towards\s+the)"
CONVENTIONAL = re.compile(rf"\b(?:{_LEAD}\s+)?(?:" + "|".join(
    f"(?P<p{i}>{rx})" for i, (rx, _) in enumerate(_CONVENTIONAL)) + r")\b")


def conventional(m: re.Match[str]) -> DayPart:
    """The part a ``CONVENTIONAL`` match names."""
    index = next(int(name[1:]) for name, value in m.groupdict().items() if value)
    return _CONVENTIONAL[index][1]
