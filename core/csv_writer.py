"""The one way the registry writes CSV for people to open in a spreadsheet (the impact tables, the verifier's
check report): a name chosen by a provider, an organisation or a learner's record (e.g. `=HYPERLINK(...)`)
reaches the spreadsheet as text, never as a formula.

Every place where a spreadsheet may start reading a cell gets the same check: a formula start there (= + - @, a tab
or a carriage return, their full-width forms, which some spreadsheets take for the ASCII ones, after any spaces or
quotes) gets an apostrophe before it (OWASP, "CSV Injection"), so it is shown as typed. That is the start of the
cell, and also each semicolon, comma, tab or line break inside it: spreadsheets in Kosovo's locales (Albanian,
Serbian: a decimal comma) split an opened CSV on semicolons, not commas, where the row's quotes no longer hold, so
an `Ardit;=cmd|' /C calc'!A0` would start a cell of its own there. Text cells are quoted (RFC 4180), numbers not.
"""

from __future__ import annotations

import csv
import re

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"), with the full-width
# forms of = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# Where a spreadsheet may start reading a cell (the cell's start, or a separator or line break inside it, in a
# spreadsheet that splits on another separator than ours), then any spaces and quotes, then a formula start.
FORMULA_AT_A_CELL_START = re.compile(r"(\A|[;,\t\r\n])([ \"]*)(?=[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])")


def csv_cell(value):
    """A value as a CSV cell: text that a spreadsheet could run as a formula, from its start or from a separator
    inside it, gets an apostrophe before the formula, so it is shown as typed. Numbers and empty values pass
    unchanged."""
    if isinstance(value, str):
        return FORMULA_AT_A_CELL_START.sub(r"\1\2'", value)
    return value


class SafeCsvWriter:
    """csv.writer whose every cell goes through `csv_cell` and whose every text cell is quoted."""

    def __init__(self, out):
        # CRLF, as RFC 4180 says: the writer quotes a cell holding any character of the line terminator, so
        # a carriage return inside a name cannot end the row early and start a forged one. QUOTE_NONNUMERIC:
        # text quoted (one cell whatever separator the spreadsheet splits on), numbers as numbers.
        self._writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, row) -> None:
        self._writer.writerow(["" if value is None else csv_cell(value) for value in row])
