"""Reference data shipped with the registry: Kosovo's 38 municipalities."""

import csv
from pathlib import Path

MUNICIPALITIES_CSV = Path(__file__).parent / "data" / "municipalities.csv"

# English names where English usage differs from the Albanian name (otherwise the Albanian name is used).
ENGLISH_NAMES = {
    "prishtine": "Pristina",
    "peje": "Peja",
    "gjakove": "Gjakova",
    "mitrovice-e-jugut": "South Mitrovica",
    "mitrovice-e-veriut": "North Mitrovica",
    "fushe-kosove": "Fushë Kosova",
    "gracanice": "Gračanica",
    "kamenice": "Kamenica",
    "kline": "Klina",
    "malisheve": "Malisheva",
    "novoberde": "Novo Brdo",
    "podujeve": "Podujeva",
    "suhareke": "Suhareka",
    "decan": "Deçan",
    "mamushe": "Mamusha",
    "ranillug": "Ranilug",
    "shterpce": "Štrpce",
    "zvecan": "Zvečan",
    "leposaviq": "Leposavić",
    "kllokot": "Klokot",
}


def municipality_rows() -> list[dict]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["name_en"] = ENGLISH_NAMES.get(row["slug"], row["name_sq"])
    return rows


def ensure_municipalities() -> int:
    """Load the municipalities when any is missing (the migration loads them; a test flush or a restored
    partial dump may not have them). Returns how many rows were written."""
    from registry.models import Municipality

    rows = municipality_rows()
    if Municipality.objects.filter(slug__in=[r["slug"] for r in rows]).count() == len(rows):
        return 0
    for row in rows:
        Municipality.objects.update_or_create(slug=row["slug"], defaults={k: v for k, v in row.items() if k != "slug"})
    return len(rows)
