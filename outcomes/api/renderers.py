"""CSV output of the impact tables, written by core.csv_writer (the one way the registry writes CSV): a name chosen
by a provider or an organisation (e.g. a cohort code `=HYPERLINK(...)`) reaches a spreadsheet as text, never as a
formula."""

import io

from rest_framework.renderers import BaseRenderer

from core.csv_writer import FORMULA_STARTS, SafeCsvWriter, csv_cell
from outcomes.stats import INDICATORS

__all__ = ["FORMULA_STARTS", "ImpactCsvRenderer", "SafeCsvWriter", "csv_cell"]


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
