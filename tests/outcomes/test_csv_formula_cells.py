"""CSV exports never hand a spreadsheet a formula: a cell starting with =, +, -, @, tab or carriage return
(OWASP's CSV injection list) is written with a leading apostrophe, whatever name a provider chose."""

import csv
import io

import pytest

from outcomes.api.renderers import FORMULA_STARTS, ImpactCsvRenderer, csv_cell
from tests import factories as f

from .conftest import make_cohort, make_graduate

URL = "/api/v1/stats/impact.csv"

pytestmark = pytest.mark.django_db

NAMES = {
    "=": '=HYPERLINK("http://x.example","Open")',
    "+": "+SUM(A1:A9)",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1,1)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_formula_cell_gets_a_leading_apostrophe(start):
    assert csv_cell(NAMES[start]) == "'" + NAMES[start]


@pytest.mark.parametrize("value", ["QPGJ", "Prishtinë", "a=b", "", 0, 15, 0.667, None])
def test_other_cells_pass_unchanged(value):
    assert csv_cell(value) == value


def read(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_names_in_the_impact_csv_are_neutralised(anon_client, start):
    name = NAMES[start]
    provider = f.OrganisationFactory(slug="formula-school", short_name=name)
    cohort = make_cohort(provider=provider, code=name[:32])
    for _ in range(10):
        make_graduate(cohort)

    for by, label in (("provider", name), ("cohort", name[:32])):
        rows = read(anon_client.get(URL, {"by": by}))

        cells = [cell for row in rows for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], by
        group = next(row for row in rows if row[0] == by)
        assert group[2] == group[3] == "'" + label


def test_a_carriage_return_inside_a_name_does_not_start_a_new_row(anon_client):
    provider = f.OrganisationFactory(slug="crlf-school", short_name="School\r=1+1,@SUM(1)")
    cohort = make_cohort(provider=provider)
    for _ in range(10):
        make_graduate(cohort)

    rows = read(anon_client.get(URL, {"by": "provider"}))

    assert [row[1] for row in rows] == ["key", "all", "crlf-school"]
    assert rows[2][2] == "School\r=1+1,@SUM(1)"


def test_the_renderers_error_rows_are_neutralised_too():
    body = ImpactCsvRenderer().render({"error": {"code": "invalid", "message": "=cmd|' /C calc'!A0"}})

    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [
        ["error", "message"],
        ["invalid", "'=cmd|' /C calc'!A0"],
    ]
