import csv
import io

from rest_framework.renderers import BaseRenderer

from outcomes.stats import INDICATORS


class ImpactCsvRenderer(BaseRenderer):
    """The impact tables as CSV: the overall row (key `all`), then one row per group."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
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
