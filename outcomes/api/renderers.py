"""CSV output. Every CSV the registry exports goes through `csv_cell`, so a name chosen by a provider or
an organisation (e.g. a cohort code `=HYPERLINK(...)`) reaches a spreadsheet as text, never as a formula."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from outcomes.stats import INDICATORS

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A value as a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe
    (OWASP's advice), so it is shown as typed. Numbers and empty values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose every cell goes through csv_cell: the one way the registry writes CSV."""

    def __init__(self, out):
        # CRLF, as RFC 4180 says: the writer quotes a cell holding any character of the line terminator, so
        # a carriage return inside a name cannot end the row early and start a forged one.
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row) -> None:
        self._writer.writerow([csv_cell(value) for value in row])


class ImpactCsvRenderer(BaseRenderer):
    """The impact tables as CSV: the overall row (key `all`), then one row per group."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        if not isinstance(data, dict) or "overall" not in data:
            error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            writer.writerow(["error", "message"])
            writer.writerow([error.get("code", "error"), error.get("message", "")])
            return out.getvalue().encode()
        columns = [*INDICATORS, "suppressed", "suppressed_indicators"]
        writer.writerow(["by", "key", "label_sq", "label_en", *columns])

        def cells(row):
            return [
                "" if row.get(c) is None else (" ".join(row[c]) if isinstance(row[c], list) else row[c])
                for c in columns
            ]

        writer.writerow(["", "all", "Gjithsej", "All", *cells(data["overall"])])
        for group in data["groups"]:
            writer.writerow([data["by"], group["key"], group["label_sq"], group["label_en"], *cells(group)])
        return out.getvalue().encode()
