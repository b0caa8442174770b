"""Time-expression parsing: accuracy and speed of ``parse_when`` next to raw dateparser on the
same corpus (tests/when_cases.py), at the same fixed moment.

Run: ``python -m bench.when_accuracy`` (or ``make bench``).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dateparser  # noqa: E402

from scheduler.when import WhenError, parse_when, warm_up  # noqa: E402
from tests.when_cases import CASES, NOW  # noqa: E402

SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": NOW.replace(tzinfo=None), "RETURN_AS_TIMEZONE_AWARE": False}


def ours(text: str) -> str:
    try:
        return parse_when(text, now=NOW).strftime("%Y-%m-%dT%H:%M")
    except WhenError as error:
        return "!" + error.reason


def raw(text: str) -> str:
    result = dateparser.parse(text, languages=["fr", "en"], settings=SETTINGS)
    return result.strftime("%Y-%m-%dT%H:%M") if result else "!none"


def correct(expected: str, got: str) -> bool:
    if expected.startswith("!"):
        return got.startswith("!")  # a refusal is right when the parser refuses too
    return got == expected


def measure(parse) -> tuple[float, float, float]:
    """Share correct, mean and p95 milliseconds per parse."""
    timings, right = [], 0
    for text, expected in CASES:
        started = time.perf_counter()
        got = parse(text)
        timings.append((time.perf_counter() - started) * 1000)
        right += correct(expected, got)
    timings.sort()
    return right / len(CASES), statistics.mean(timings), timings[int(len(timings) * 0.95)]


def main() -> None:
    started = time.perf_counter()
    warm_up()
    warm = (time.perf_counter() - started) * 1000
    rows = [("parse_when", *measure(ours)), ("dateparser.parse (raw)", *measure(raw))]
    print(f"Time expressions: {len(CASES)} (French and English), now = {NOW.isoformat()}")
    print(f"Warm-up (dateparser's language data, once at start-up): {warm:.0f} ms")
    print(f"{'parser':<24} {'accuracy':>9} {'mean ms':>9} {'p95 ms':>9}")
    for name, accuracy, mean, p95 in rows:
        print(f"{name:<24} {accuracy:>8.1%} {mean:>9.2f} {p95:>9.2f}")


if __name__ == "__main__":
    main()
