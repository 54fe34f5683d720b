"""CSV exports never hand a spreadsheet a formula: a cell starting with =, +, -, @, tab or carriage return
(OWASP's CSV injection list, and the full-width forms) is written with a leading apostrophe, whatever name a
provider chose; so is a formula after a semicolon, comma, tab or line break inside a cell, where a spreadsheet that
splits on another separator (semicolons, in Kosovo's locales) starts a cell (core/csv_writer.py)."""

import csv
import io
import re

import pytest

from core.csv_writer import FORMULA_STARTS, csv_cell
from outcomes.api.renderers import ImpactCsvRenderer
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
    "\uff1d": "\uff1dHYPERLINK(1)",
    "\uff0b": "\uff0bSUM(A1:A9)",
    "\uff0d": "\uff0d2+3",
    "\uff20": "\uff20SUM(1,1)",
}


def formula_anywhere(cell: str) -> bool:
    """Whether a spreadsheet could start reading a formula somewhere in `cell`: at its start, or after a separator
    or a line break (a spreadsheet splitting on semicolons, say), past any spaces and quotes."""
    return any(piece.lstrip(' "').startswith(FORMULA_STARTS) for piece in re.split(r"[;,\t\r\n]", cell))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_formula_cell_gets_a_leading_apostrophe(start):
    cell = csv_cell(NAMES[start])
    assert cell.startswith("'") and cell.replace("'", "") == NAMES[start].replace("'", "")  # apostrophes added only
    assert not formula_anywhere(cell)


@pytest.mark.parametrize(
    "name",
    [
        "Ardit;=cmd|' /C calc'!A0",  # a semicolon locale: `Ardit` and a formula
        'Ardit; "=HYPERLINK(""http://x.example"")"',
        "Ardit\n+SUM(A1:A9)",  # a line break where the row's quotes are not read
        "  =1+1",
        "Shkolla,-2+3",
    ],
)
def test_a_formula_after_a_separator_inside_a_cell_gets_an_apostrophe(name):
    cell = csv_cell(name)
    assert formula_anywhere(name) and not formula_anywhere(cell)
    assert cell.replace("'", "") == name.replace("'", "")  # nothing else changes


def test_a_semicolon_spreadsheet_opening_the_file_sees_no_formula():
    from core.csv_writer import SafeCsvWriter  # noqa: PLC0415

    out = io.StringIO()
    SafeCsvWriter(out).writerow([1, "Ardit;=cmd|' /C calc'!A0", 'Berisha,"@SUM(1)', None, 0.5])
    for separator in (",", ";", "\t"):
        cells = [
            cell for row in csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=separator) for cell in row
        ]
        assert cells and not [c for c in cells if c.lstrip(' "').startswith(FORMULA_STARTS)], separator


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
        assert group[2] == group[3] == csv_cell(label) and group[2].startswith("'")


def test_a_carriage_return_inside_a_name_does_not_start_a_new_row(anon_client):
    provider = f.OrganisationFactory(slug="crlf-school", short_name="School\r=1+1,@SUM(1)")
    cohort = make_cohort(provider=provider)
    for _ in range(10):
        make_graduate(cohort)

    rows = read(anon_client.get(URL, {"by": "provider"}))

    assert [row[1] for row in rows] == ["key", "all", "crlf-school"]
    assert rows[2][2] == "School\r'=1+1,'@SUM(1)"  # where a spreadsheet reading by lines would start a cell


def test_the_renderers_error_rows_are_neutralised_too():
    body = ImpactCsvRenderer().render({"error": {"code": "invalid", "message": "=cmd|' /C calc'!A0"}})

    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [
        ["error", "message"],
        ["invalid", "'=cmd|' /C calc'!A0"],
    ]
