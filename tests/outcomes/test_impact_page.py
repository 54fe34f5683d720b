"""/impact/: charts as inline SVG from the server, Albanian by default, English on request, nothing external."""

import re

import pytest

from outcomes.choices import EmploymentStatus as ES

from .conftest import EmployerSurveyFactory, TracerResponseFactory, make_cohort, make_graduate, municipality

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:https?:)?//(?!testserver\b)[^\s"'<>)]+""")


@pytest.fixture
def data(provider):
    cohort = make_cohort(provider=provider, code="QPGJ-2025-A", municipality=municipality("prishtine"))
    for i in range(10):
        certificate = make_graduate(cohort, home=municipality("prishtine"))
        status = ES.EMPLOYED_MUNICIPALITY if i < 5 else ES.UNEMPLOYED
        TracerResponseFactory(
            certificate=certificate, employment_status=status, skills_satisfaction={"communication": 4}
        )
        EmployerSurveyFactory(certificate=certificate, graduate_satisfaction=4 if i % 4 else 2)
    # Cohorts with too few answers to show a rate: counted, not drawn.
    for code, size in (("QPGJ-2026-B", 5), ("QPGJ-2024-C", 10)):
        other = make_cohort(provider=provider, code=code)
        for _ in range(size):
            make_graduate(other)


def test_the_page_draws_the_charts_in_albanian(client, data):
    response = client.get("/impact/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sq">' in html
    assert "Punësimi sipas gjeneratës" in html
    assert html.count("<svg") == 4
    assert "QPGJ-2025-A" in html
    assert "50% (5/10)" in html  # the cohort's bar, from its (here exact) rounded counts
    assert "QPGJ-2026-B" not in html  # no answers: not drawn, only counted
    assert "Fshehur (më pak se 10 përgjigje): 2" in html
    assert "rrumbullakohet në një shumëfish të 5" in html


def test_the_page_in_english(client, data):
    html = client.get("/impact/?lang=en").content.decode()

    assert '<html lang="en">' in html
    assert "Employment by cohort" in html
    assert "Employer satisfaction over time" in html


def test_an_unknown_language_falls_back_to_albanian(client, data):
    assert '<html lang="sq">' in client.get("/impact/?lang=xx").content.decode()


def test_the_page_loads_nothing_from_elsewhere(client, data):
    html = client.get("/impact/").content.decode()

    assert EXTERNAL.findall(html) == []
    assert "<script" not in html
    assert "<link" not in html


def test_the_page_works_on_an_empty_registry(client, db):
    response = client.get("/impact/")

    assert response.status_code == 200
    assert "Ende nuk ka të dhëna." in response.content.decode()
