"""GET /api/v1/stats/impact: every indicator computed from known data, suppression of small groups,
CSV export, public access and a constant number of queries."""

import csv
import datetime
import io

import pytest

from credentials.choices import CertificateStatus, EnrolmentStatus
from outcomes import stats
from outcomes.choices import EmploymentStatus as ES
from tests import factories as f

from .conftest import (
    EmployerSurveyFactory,
    TracerResponseFactory,
    make_cohort,
    make_enrolment,
    make_graduate,
    municipality,
)

URL = "/api/v1/stats/impact"

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(provider):
    """One cohort (Ferizaj, ended 2025) whose numbers are worked out by hand:

    graduate  home      wave 6 (status, months, skills)     wave 12                  employer rating
    g1        prishtine unemployed, -, {a: 1}               public school, 8, {5, 4}  5
    g2        prishtine municipality, 2, {4}                -                         4
    g3        prishtine private family, 4, {3}              -                         4
    g4        prizren   unemployed, -, {2}                  -                         3
    g5        prizren   employed other, 6, {5}              -                         2
    g6        prizren   further study, 1, {4, 5}            -                         -
    plus one learner still in training (home unknown: the cohort's Ferizaj counts) and one who withdrew.
    """
    cohort = make_cohort(
        provider=provider, municipality=municipality("ferizaj"), code="QPGJ-2025-A", end_date=datetime.date(2025, 6, 30)
    )
    prishtine, prizren = municipality("prishtine"), municipality("prizren")
    g = [make_graduate(cohort, home=prishtine) for _ in range(3)] + [
        make_graduate(cohort, home=prizren, gender="male") for _ in range(3)
    ]
    make_enrolment(cohort, status=EnrolmentStatus.ACTIVE)
    make_enrolment(cohort, status=EnrolmentStatus.WITHDRAWN, home=municipality("gjilan"))
    a, b = "inclusive_education", "communication"
    TracerResponseFactory(certificate=g[0], wave=6, employment_status=ES.UNEMPLOYED, skills_satisfaction={a: 1})
    TracerResponseFactory(
        certificate=g[0],
        wave=12,
        employment_status=ES.EMPLOYED_PUBLIC_SCHOOL,
        months_to_first_job=8,
        skills_satisfaction={a: 5, b: 4},
    )
    TracerResponseFactory(
        certificate=g[1], employment_status=ES.EMPLOYED_MUNICIPALITY, months_to_first_job=2, skills_satisfaction={a: 4}
    )
    TracerResponseFactory(
        certificate=g[2],
        employment_status=ES.EMPLOYED_PRIVATE_FAMILY,
        months_to_first_job=4,
        skills_satisfaction={a: 3},
    )
    TracerResponseFactory(certificate=g[3], employment_status=ES.UNEMPLOYED, skills_satisfaction={a: 2})
    TracerResponseFactory(
        certificate=g[4], employment_status=ES.EMPLOYED_OTHER, months_to_first_job=6, skills_satisfaction={a: 5}
    )
    TracerResponseFactory(
        certificate=g[5], employment_status=ES.FURTHER_STUDY, months_to_first_job=1, skills_satisfaction={a: 4, b: 5}
    )
    employer = f.OrganisationFactory(municipality_org=True)
    for certificate, score in zip(g, [5, 4, 4, 3, 2], strict=False):
        EmployerSurveyFactory(employer=employer, certificate=certificate, graduate_satisfaction=score)
    return {"cohort": cohort, "graduates": g}


@pytest.fixture
def overall(world, anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 200
    return response.json()["overall"]


def test_learners_trained_counts_enrolments_that_did_not_withdraw(overall):
    assert overall["learners_trained"] == 7


def test_certified_counts_live_certificates(overall):
    assert overall["certified"] == 6


def test_employment_uses_each_graduates_latest_wave(overall):
    # g1 was unemployed at 6 months but employed at 12: the latest wave counts.
    assert overall["respondents"] == 6
    assert overall["employed"] == 4
    assert overall["employment_rate"] == 0.667


def test_employment_in_sen_roles(overall):
    assert overall["employed_sen"] == 3
    assert overall["sen_employment_rate"] == 0.5
    assert (
        overall["employed_public_school"],
        overall["employed_municipality"],
        overall["employed_private_family"],
    ) == (
        1,
        1,
        1,
    )


def test_median_months_to_first_job(overall):
    assert overall["median_months_to_first_job"] == 4.0  # median of 8, 2, 4, 6, 1


def test_municipalities_reached(overall):
    # Prishtinë and Prizren (homes) and Ferizaj (the cohort's, for the learner whose home is unknown);
    # the withdrawn learner's Gjilan does not count.
    assert overall["municipalities_reached"] == 3


def test_employer_satisfaction_is_the_share_of_ratings_of_four_or_more(overall):
    assert overall["employer_surveys"] == 5
    assert overall["employer_satisfaction_rate"] == 0.6


def test_graduate_satisfaction_is_the_mean_of_latest_skill_scores(overall):
    # (4.5 + 4 + 3 + 2 + 5 + 4.5) / 6; g1's earlier score of 1 is not counted.
    assert overall["graduate_satisfaction_mean"] == 3.83


def test_a_revoked_certificate_leaves_every_indicator(world, anon_client):
    g1 = world["graduates"][0]
    g1.status, g1.status_reason_code = CertificateStatus.REVOKED, "fraud"
    g1.save()

    overall = anon_client.get(URL).json()["overall"]

    assert overall["certified"] == 5
    assert overall["respondents"] == 5
    assert overall["employed"] == 3
    # Four rated graduates are left: too few to show their ratings.
    assert overall["employer_surveys"] is None
    assert overall["employer_satisfaction_rate"] is None
    assert "employer_satisfaction_rate" in overall["suppressed_indicators"]


def test_breakdown_by_municipality(world, anon_client):
    body = anon_client.get(URL, {"by": "municipality"}).json()

    rows = {r["key"]: r for r in body["groups"]}
    assert body["by"] == "municipality"
    assert set(rows) == {"prishtine", "prizren", "ferizaj"}
    # Every group is smaller than five: all suppressed, nothing about anyone is shown.
    for row in rows.values():
        assert row["suppressed"] is True
        assert all(row[name] is None for name in stats.INDICATORS)
    assert rows["prishtine"]["label_sq"] == "Prishtinë"


def test_small_groups_are_suppressed_and_so_is_their_complement(provider, anon_client):
    big = make_cohort(provider=provider, code="BIG")
    middle = make_cohort(provider=provider, code="MIDDLE")
    small = make_cohort(provider=provider, code="SMALL")
    for cohort, size in ((big, 8), (middle, 6), (small, 3)):
        for _ in range(size):
            TracerResponseFactory(certificate=make_graduate(cohort))

    body = anon_client.get(URL, {"by": "cohort"}).json()

    rows = {r["label_en"]: r for r in body["groups"]}
    assert rows["SMALL"]["suppressed"] is True and rows["SMALL"]["learners_trained"] is None
    # Overall (17) minus BIG (8) would reveal SMALL if MIDDLE were shown: it is suppressed too.
    assert rows["MIDDLE"]["suppressed"] is True and rows["MIDDLE"]["employed"] is None
    assert rows["BIG"]["suppressed"] is False
    assert rows["BIG"]["learners_trained"] == 8
    assert rows["BIG"]["employment_rate"] == 1.0
    assert body["overall"]["learners_trained"] == 17
    assert body["min_group_size"] == 5


def test_an_indicator_with_too_few_answers_is_hidden_in_a_large_group(provider, anon_client):
    cohort = make_cohort(provider=provider)
    graduates = [make_graduate(cohort) for _ in range(6)]
    for certificate in graduates[:4]:
        TracerResponseFactory(certificate=certificate)

    overall = anon_client.get(URL).json()["overall"]

    assert overall["suppressed"] is False
    assert overall["learners_trained"] == 6
    assert overall["employment_rate"] is None
    assert overall["employed"] is None
    assert "employment_rate" in overall["suppressed_indicators"]


def test_an_empty_registry_is_suppressed(db, anon_client):
    overall = anon_client.get(URL).json()["overall"]

    assert overall["suppressed"] is True
    assert overall["learners_trained"] is None


@pytest.mark.parametrize(
    ("by", "keys"),
    [
        ("provider", {"qpgj"}),
        ("gender", {"female", "male"}),
        ("year", {"2025", "2026"}),
        ("qualification", None),
        ("cohort", None),
    ],
)
def test_breakdowns_name_groups_by_public_keys(provider, anon_client, by, keys):
    late = make_cohort(provider=provider, code="LATE", end_date=datetime.date(2026, 5, 31))
    early = make_cohort(
        provider=provider, curriculum=late.curriculum, code="EARLY", end_date=datetime.date(2025, 5, 31)
    )
    for cohort, gender in ((late, "female"), (early, "male")):
        for _ in range(5):
            TracerResponseFactory(certificate=make_graduate(cohort, gender=gender))

    groups = anon_client.get(URL, {"by": by}).json()["groups"]

    if keys is not None:
        assert {g["key"] for g in groups} == keys
    assert all(not isinstance(g["key"], int) for g in groups)
    if by == "qualification":
        assert [g["key"] for g in groups] == [late.curriculum.qualification.code]
        assert groups[0]["learners_trained"] == 10
    if by == "cohort":
        assert {g["key"] for g in groups} == {"qpgj/LATE", "qpgj/EARLY"}
    if by == "year":
        assert [g["key"] for g in groups] == ["2025", "2026"]


def test_filter_by_provider(world, anon_client):
    other = make_cohort()
    for _ in range(5):
        make_graduate(other)

    assert anon_client.get(URL).json()["overall"]["certified"] == 11
    assert anon_client.get(URL, {"provider": "qpgj"}).json()["overall"]["certified"] == 6


def test_the_statistics_never_show_a_name(world, anon_client):
    text = anon_client.get(URL, {"by": "cohort"}).content.decode()
    learner = world["graduates"][0].learner

    assert learner.family_name not in text
    assert learner.personal_number not in text


def test_bad_breakdown_is_refused(db, anon_client):
    response = anon_client.get(URL, {"by": "personal_number"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "by" in response.json()["error"]["fields"]


@pytest.mark.parametrize("path", [f"{URL}?format=csv&by=gender", f"{URL}.csv?by=gender"])
def test_csv_export_of_the_same_tables(world, anon_client, path):
    response = anon_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["key"] for r in rows] == ["all", "female", "male"]
    assert rows[0]["learners_trained"] == "7"
    assert rows[0]["employment_rate"] == "0.667"
    assert rows[1]["suppressed"] == "True" and rows[1]["employed"] == ""


@pytest.mark.parametrize("graduates", [10, 200])
def test_the_statistics_cost_a_constant_number_of_queries(
    provider, anon_client, graduates, django_assert_max_num_queries
):
    cohorts = [make_cohort(provider=provider, municipality=municipality(m)) for m in ("prishtine", "prizren")]
    employer = f.OrganisationFactory(municipality_org=True)
    for i in range(graduates):
        certificate = make_graduate(cohorts[i % 2], gender="female" if i % 3 else "male")
        TracerResponseFactory(
            certificate=certificate, months_to_first_job=i % 7, skills_satisfaction={"communication": 4}
        )
        TracerResponseFactory(certificate=certificate, wave=12, employment_status=ES.EMPLOYED_MUNICIPALITY)
        EmployerSurveyFactory(employer=employer, certificate=certificate, graduate_satisfaction=3 + i % 3)

    for by in ("municipality", "cohort"):
        with django_assert_max_num_queries(9):  # 4 overall + 4 grouped + 1 for the groups' names
            response = anon_client.get(URL, {"by": by})
        assert response.status_code == 200
        assert response.json()["overall"]["respondents"] == graduates
