"""CSV files made to open right in a spreadsheet, in the reader's language.

Excel reads a CSV file in the computer's legacy encoding unless it starts with a byte order mark,
and splits columns on the list separator of the computer's region: ``;`` where the decimal mark
is a comma (French), ``,`` elsewhere. So every export is UTF-8 with a BOM, ``;``-separated in
French and ``,``-separated in English. A cell that starts like a formula (``=``, ``+``, ``-``,
``@``) would be run by the spreadsheet: it gets a leading apostrophe and stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"
SEPARATORS = {"fr": ";", "en": ","}
FORMULA = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv"


def separator(lang: str) -> str:
    return SEPARATORS.get(lang, ",")


def inert(cell: str) -> str:
    """``=HYPERLINK(…)`` typed in a title must stay text when the file is opened."""
    return "'" + cell if cell.startswith(FORMULA) else cell


def csv_bytes(lang: str, header: list[str], rows: Iterable[Iterable[str]]) -> bytes:
    """The whole file: BOM, the header, then one line per row, every cell made inert."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator(lang))
    for row in [header, *rows]:
        writer.writerow([inert(cell) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")
