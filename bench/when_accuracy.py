"""Time-expression parsing: accuracy and speed of ``parse_when`` next to raw dateparser on the
same corpus (tests/support/when_cases.py), family by family, at the same fixed moments.

For an expression that has an answer, a parser is right when it gives that very minute (and, for
ours, the zone that was named); for one that must be refused, when it refuses. A *wrong* answer is
a date given where another date, or a refusal, was due: the one failure that costs a trip.
Recurrences are compared on their first occurrence (raw dateparser has no rules).

Run: ``python -m bench.when_accuracy`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import dateparser

from scheduler.when import (
    DATEPARSER_LANGUAGES,
    WhenError,
    dateparser_settings,
    parse_recurrence,
    read_when,
    warm_up,
)
from tests.support.when_cases import CASES, FAMILIES, FAMILY_CASES, FAMILY_RULES, NOW

TZ = "Africa/Bamako"
BAMAKO = ZoneInfo(TZ)
REPEATS = 5


@dataclass(frozen=True)
class Item:
    family: str
    text: str
    expected: str  # "YYYY-MM-DDTHH:MM[ @zone]" or "!reason"
    now: object
    deadline: bool = False
    rule: bool = False


def items() -> list[Item]:
    found = [Item("base", text, expected, NOW) for text, expected in CASES]
    found += [Item(c.family, c.text, c.expected, c.now, c.deadline) for c in FAMILY_CASES]
    found += [Item("recurrence", r.text, r.first, r.now, rule=True) for r in FAMILY_RULES]
    return found


def ours(item: Item) -> str:
    try:
        if item.rule:
            first, _ = parse_recurrence(item.text, now=item.now)
            return first.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M")
        found = read_when(item.text, now=item.now, deadline=item.deadline)
    except WhenError as error:
        return "!" + error.reason
    shown = found.start.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M")
    return shown + (f" @{found.zone.tz}" if found.zone is not None else "")


def raw(item: Item) -> str:
    got = dateparser.parse(item.text, languages=DATEPARSER_LANGUAGES,
                           settings=dateparser_settings(item.now, TZ))
    return got.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M") if got else "!none"


def verdict(item: Item, got: str, zones: bool) -> str:
    """"right", "wrong" (a date where another date or a refusal was due) or "refused"."""
    expected = item.expected if zones else item.expected.split(" @")[0]
    if got.startswith("!"):
        return "right" if expected.startswith("!") else "refused"
    return "right" if got == expected else "wrong"


def score(rows: list[Item], parse: Callable[[Item], str], zones: bool) -> tuple[float, float]:
    verdicts = [verdict(item, parse(item), zones) for item in rows]
    return verdicts.count("right") / len(rows), verdicts.count("wrong") / len(rows)


def timings(rows: list[Item], parse: Callable[[Item], str]) -> tuple[float, float, float]:
    """Mean, 95th percentile and worst, in milliseconds, over ``REPEATS`` passes."""
    samples = []
    for _ in range(REPEATS):
        for item in rows:
            started = time.perf_counter()
            parse(item)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.fmean(samples), samples[int(len(samples) * 0.95)], samples[-1]


def main() -> None:
    warm = warm_up() * 1000
    rows = items()
    print(f"Time expressions: {len(rows)} (French and English) in {len(FAMILIES) + 1} families; "
          f"now = {NOW.isoformat()} (and a summer moment where daylight saving time matters)")
    print(f"Warm-up (dateparser's language data, once at start-up): {warm:.0f} ms")
    print(f"{'family':<14}{'cases':>6}  {'ours right':>10} {'ours wrong':>10}   "
          f"{'dateparser right':>16} {'wrong':>6}")
    for family in ("base", *FAMILIES):
        subset = [item for item in rows if item.family == family]
        right, wrong = score(subset, ours, zones=True)
        raw_right, raw_wrong = score(subset, raw, zones=False)
        print(f"{family:<14}{len(subset):>6}  {right:>10.1%} {wrong:>10.1%}   "
              f"{raw_right:>16.1%} {raw_wrong:>6.1%}")
    right, wrong = score(rows, ours, zones=True)
    raw_right, raw_wrong = score(rows, raw, zones=False)
    print(f"{'all':<14}{len(rows):>6}  {right:>10.1%} {wrong:>10.1%}   "
          f"{raw_right:>16.1%} {raw_wrong:>6.1%}")
    print(f"{'parser':<24}{'mean ms':>9}{'p95 ms':>9}{'worst ms':>10}")
    for name, parse in (("parse_when (ours)", ours), ("dateparser.parse (raw)", raw)):
        mean, p95, worst = timings(rows, parse)
        print(f"{name:<24}{mean:>9.2f}{p95:>9.2f}{worst:>10.2f}")


if __name__ == "__main__":
    main()
