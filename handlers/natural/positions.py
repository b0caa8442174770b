"""Reading a position written in words, French or English: « d'accord pour l'UNICEF », « ok pour
le PNUD », « accord avec réserves : le budget », « objection car le délai est trop court »,
"Agreed for UNHCR", "we object because …", « pas d'accord » (an objection), « pas d'objection »
(agreement).

Pure functions over the words and the network's agencies: no storage, no catalog. The text is
compared folded (no accents, no case, ’ read as '), while the reason is cut from what the person
typed, accents and all. What cannot be read is said so (``confidence == "none"``), never
guessed: the handler then shows what it understood and the buttons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.settings import Agency, fold

# Each phrase and the choice it says, folded. Negations come as phrases of their own, so that the
# longest phrase starting first wins: « pas d'accord » is an objection, « pas d'objection » and
# "no objection" agreement, « sans réserve » agreement, « rien contre » agreement.
PHRASES: tuple[tuple[str, str], ...] = (
    # objections, including the negated agreements
    (r"pas (?:du tout |tout a fait )?d'?accord", "objection"),
    (r"(?:do|does|did|can|could)(?:n't| not|not) agree\w*", "objection"),
    (r"not (?:in )?agree\w*", "objection"),
    (r"desaccord|disagree\w*", "objection"),
    (r"objections?|objecte\w*|object(?:s|ed|ing)?", "objection"),
    (r"oppos\w*|contre|against|reject\w*|rejet\w*|refus\w*", "objection"),
    # « non » and "no" alone, or before a reason: "no idea" is no position
    (r"(?:non|no|nope)(?=\s*(?:$|[,:;.!?\u2014\u2013-]|car\b|parce\b|because\b))",
     "objection"),
    # agreements, including the negated objections and reservations
    (r"(?:pas|aucune?|sans|no|not any|without) (?:d'|de |d')?(?:objections?|opposition)",
     "agree"),
    (r"non[- ]objection|no[- ]objection|rien contre|pas contre|nothing against|not against",
     "agree"),
    (r"(?:do|does|will|shall|would)(?:n't| not|not) object", "agree"),
    (r"(?:sans|pas de|aucune) reserves?|(?:no|without) reservations?", "agree"),
    (r"(?:pas de|sans) (?:probleme|souci)|no problem|no worries", "agree"),
    (r"d'?accord|accord|agree[ds]?|approuv\w*|approv\w*", "agree"),
    (r"ok|okay|oki|oui|yes|yep", "agree"),
    (r"favorables?|valide[es]{0,2}|on valide|c'est bon|ca (?:me|nous) va|ca marche", "agree"),
    (r"(?:nous )?soutenons|(?:we )?support|fine (?:by|with) (?:us|me)|sounds good", "agree"),
    (r"\U0001F44D|\u2705", "agree"),
    # reservations
    (r"(?:avec|sous) (?:des |quelques |certaines )?reserves?|reserves?", "reservations"),
    (r"(?:with|subject to) (?:some |a few )?reservations?|reservations?|subject to",
     "reservations"),
    # abstentions
    (r"abst(?:ention|ient|iens|enons|enir|enu|ain\w*)s?", "abstain"),
)
_PHRASES = [(re.compile(rf"(?<!\w){pattern}(?!\w)"), choice) for pattern, choice in PHRASES]
# A bare « ok », « oui », "yes" followed by other words may be conversation: read, less sure.
WEAK = frozenset({"ok", "okay", "oki", "oui", "yes", "yep"})
# What turns an agreement into one with reservations: « d'accord mais … », "yes, but …".
_BUT = re.compile(r"^[\s,;:.!-]*(?:mais|but|however|cependant|toutefois|sauf|except)\b")
# Words that announce the reason, left out of it.
_MARKERS = re.compile(r"^(?:[\s,;:.!()\-\u2013\u2014]+|(?:car|parce que|parce qu'|because|as|"
                      r"since|mais|but|however|cependant|toutefois|en raison de|due to|motif|"
                      r"raison|reason)\b)+")
# What is no reason: thanks, greetings, « de notre part ».
_FILLER = re.compile(r"^(?:[\s,;:.!?]|merci|thanks?|thank you|de notre part|from us|"
                     r"pour nous|for us|cordialement|regards|bien a vous|best|\U0001F44D)*$")
# Words before an agency that say it is the one answering: « pour l'UNICEF », "for UNHCR".
_AGENCY_LEAD = re.compile(r"(?<![\w'])(?:(?:pour|de|du|et|au nom de|au nom du|on behalf of|"
                          r"for|from|of|and)(?: l'| le | la | les | the |\s)|l'|le |la |the )"
                          r"\s*$")
_NUMBER = re.compile(r"(?:(?:pour|sur|a|for|on|to) (?:la |le |l'|the )?)?"
                     r"(?:n°|no\.|#|consultation|poll|numero)\s*(\d{1,6})\b")
TRIM = " ,;:.!-\u2013\u2014"


@dataclass(frozen=True)
class Reading:
    """What a message says as a position. ``choice``: ``agree`` | ``reservations`` |
    ``objection`` | ``abstain``, or ``None`` when no position could be read; ``reason``: the
    words after it, as typed; ``agencies``: the codes of the agencies it names; ``number``: a
    consultation number it names; ``confidence``: ``high`` (a clear position), ``low`` (a
    position read among other words, or « d'accord mais … » read as reservations) or ``none``."""

    choice: str | None
    reason: str = ""
    agencies: tuple[str, ...] = ()
    number: int | None = None
    confidence: str = "none"

    @property
    def agency(self) -> str | None:
        """The one agency named, if exactly one is."""
        return self.agencies[0] if len(self.agencies) == 1 else None


def folded_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded (see ``fold``; ’ read as '), and for each folded character the index of
    the typed one it comes from, so that a span found folded can be cut from the typed text."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text.replace("\u2019", "'").replace("\u2018", "'")):
        for piece in fold(char):
            out.append(piece)
            where.append(index)
    where.append(len(text))
    return "".join(out), where


def _first_longest(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans without overlaps: the one starting first wins, then the longest."""
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def agency_spans(text: str, folded: str, where: list[int],
                 agencies: Iterable[Agency]) -> list[tuple[int, int, str]]:
    """The agencies named, as (start, end, code) in the folded text, the words leading to them
    included (« pour l'UNICEF »). A full name is enough; an acronym must be written in capitals
    or follow « pour », "for", « l' »… (so that "who" is not the WHO)."""
    found: list[tuple[int, int, str]] = []
    for agency in agencies:
        for name in {fold(agency.name_fr), fold(agency.name_en)}:
            at = folded.find(name)
            if at >= 0:
                lead = _AGENCY_LEAD.search(folded[:at])
                found.append((lead.start() if lead else at, at + len(name), agency.code))
        for acronym in {agency.acronym_fr, agency.acronym_en}:
            pattern = re.compile(rf"(?<!\w){re.escape(fold(acronym))}(?!\w)")
            for match in pattern.finditer(folded):
                lead = _AGENCY_LEAD.search(folded[:match.start()])
                typed = text[where[match.start()]:where[match.end() - 1] + 1]
                if lead is None and not typed.isupper():
                    continue
                found.append((lead.start() if lead else match.start(), match.end(),
                              agency.code))
    return _first_longest(found)


def read_position(text: str, agencies: Iterable[Agency]) -> Reading:
    """The position ``text`` states, if one can be read (see ``Reading``)."""
    folded, where = folded_with_map(text)
    named = agency_spans(text, folded, where, agencies)
    codes = tuple(dict.fromkeys(code for _, _, code in named))
    number_match = _NUMBER.search(folded)
    number = int(number_match.group(1)) if number_match else None
    masked = _mask(folded, [(s, e) for s, e, _ in named]
                   + ([number_match.span()] if number_match else []))
    spans = _first_longest([(m.start(), m.end(), choice) for pattern, choice in _PHRASES
                            for m in pattern.finditer(masked)])
    choices = {choice for _, _, choice in spans}
    if "reservations" in choices and choices <= {"agree", "reservations"}:
        choice = "reservations"
    elif len(choices) == 1:
        choice = next(iter(choices))
    else:  # nothing, or contradictory words: said so, not guessed
        return Reading(None, agencies=codes, number=number)
    start, end, _ = spans[-1]
    confidence = "high"
    if choice == "agree" and _BUT.match(masked[end:]):
        choice, confidence = "reservations", "low"
    reason = _reason(text, folded, masked, where, end)
    if not reason and folded.rstrip().endswith("?"):
        return Reading(None, agencies=codes, number=number)  # « ok ? » asks, it does not answer
    weak = masked[start:end] in WEAK and reason and not _MARKERS.match(masked[end:].lstrip())
    if len(masked[:spans[0][0]].split()) > 4 or weak:
        confidence = "low"
    return Reading(choice, reason, codes, number, confidence)


def _mask(folded: str, spans: list[tuple[int, int]]) -> str:
    """``folded`` with the agencies and the number blanked out, positions unchanged."""
    chars = list(folded)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _reason(text: str, folded: str, masked: str, where: list[int], end: int) -> str:
    """The words after the position, as typed, without what announces them (« car »,
    "because", a colon) nor what is no reason (the agency named, thanks)."""
    lead = _MARKERS.match(masked[end:])
    start = end + (lead.end() if lead else 0)
    if _FILLER.match(masked[start:]):
        return ""
    kept: list[str] = []
    seen: set[int] = set()
    for index in range(start, len(masked)):
        if masked[index] != folded[index]:  # an agency or number blanked out
            kept.append(" ")
        elif where[index] not in seen:
            seen.add(where[index])
            kept.append(text[where[index]])
    reason = " ".join("".join(kept).split()).strip(TRIM)
    return "" if reason == "?" else reason
