"""GET /api/v1/stats/impact: every indicator counted from known data (the true counts behind the
figures), then published rounded (docs/decisions/0006): every count the truth randomly rounded to a
multiple of 5, the same people giving the same figure in every table, rates from the rounded counts, small
groups left out; CSV export, public access and a constant number of queries. That no hidden count can be
worked out from all the tables together is test_impact_disclosure.py."""

import csv
import datetime
import io

import pytest

from credentials.choices import CertificateStatus, EnrolmentStatus
from outcomes import stats
from outcomes.choices import EmploymentStatus as ES
from outcomes.models import EmployerSurvey
from registry.models import Municipality
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
    The true counts are checked through stats.tally(); what the API publishes is their rounding.
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
def truth(world):
    return stats.tally()[None]


def test_learners_trained_counts_enrolments_that_did_not_withdraw(truth):
    assert truth["learners_trained"] == 7


def test_certified_counts_live_certificates(truth):
    assert truth["certified"] == 6


def test_employment_uses_each_graduates_latest_wave(truth):
    # g1 was unemployed at 6 months but employed at 12: the latest wave counts.
    assert truth["respondents"] == 6
    assert truth["employed"] == 4


def test_employment_in_sen_roles(truth):
    assert truth["employed_sen"] == 3
    assert (
        truth["employed_public_school"],
        truth["employed_municipality"],
        truth["employed_private_family"],
    ) == (1, 1, 1)


def test_median_months_to_first_job(truth):
    assert truth["months_known"] == 5
    assert truth["median_months_to_first_job"] == 4.0  # median of 8, 2, 4, 6, 1


def test_learners_are_counted_where_they_live(truth):
    # Prishtinë and Prizren (homes) and Ferizaj (the cohort's, for the learner whose home is unknown);
    # the withdrawn learner's Gjilan does not count.
    homes = {m.slug: m.pk for m in Municipality.objects.all()}
    counts = {pk: cell["learners_trained"] for pk, cell in truth["municipalities"].items()}
    assert counts == {homes["prishtine"]: 3, homes["prizren"]: 3, homes["ferizaj"]: 1}


def test_employer_satisfaction_counts_ratings_of_four_or_more(truth):
    assert truth["employer_surveys"] == 5
    assert truth["employer_satisfied"] == 3
    assert truth["surveyed_graduates"] == 5


def test_graduate_satisfaction_is_the_mean_of_latest_skill_scores(truth):
    # (4.5 + 4 + 3 + 2 + 5 + 4.5) / 6; g1's earlier score of 1 is not counted.
    assert round(truth["graduate_satisfaction_mean"], 2) == 3.83


def test_a_revoked_certificate_leaves_every_indicator(world):
    g1 = world["graduates"][0]
    g1.status, g1.status_reason_code = CertificateStatus.REVOKED, "fraud"
    g1.save()

    truth = stats.tally()[None]

    assert (truth["certified"], truth["respondents"], truth["employed"]) == (5, 5, 3)
    assert (truth["employer_surveys"], truth["surveyed_graduates"]) == (4, 4)


# --- what is published -------------------------------------------------------------------------------


def expected(raw: dict, name: str, space: str = "enrolment") -> int:
    """The documented rounding of one true count (keyed by the count and the sum of the counted ids)."""
    return stats.rounded(raw.get(name) or 0, raw.get(f"{name}__ids") or 0, space)


COUNTS = [name for name, _ in stats.COUNTS if name in stats.INDICATORS]


@pytest.mark.parametrize("by", [None, *stats.DIMENSIONS])
def test_every_published_count_is_its_true_count_rounded(world, anon_client, by):
    other = make_cohort(code="OTHER", end_date=datetime.date(2026, 6, 30))
    for i in range(8):
        TracerResponseFactory(certificate=make_graduate(other, gender="male" if i % 3 else "female"))
    body = anon_client.get(URL, {"by": by} if by else {}).json()
    truths = stats.tally(by)
    labels = stats.group_labels(by, list(truths)) if by else {}
    truth_of = {(labels.get(group) or {"key": "unknown"})["key"] if by else None: raw for group, raw in truths.items()}
    published = {None: body["overall"]} if by is None else {g["key"]: g for g in body["groups"]}

    assert body["rounding_base"] == 5
    # A group is listed exactly when its rounded learner count reaches 5.
    assert set(published) == {k for k, raw in truth_of.items() if expected(raw, "learners_trained") >= 5}
    for key, row in published.items():
        raw = truth_of[key]
        for name, space in stats.COUNTS:
            if name in stats.INDICATORS:
                assert row[name] == expected(raw, name, space), (key, name)
                assert row[name] % 5 == 0 and abs(row[name] - (raw.get(name) or 0)) <= 4


def test_counts_that_are_multiples_of_five_are_published_as_they_are(provider, anon_client):
    cohort = make_cohort(provider=provider)
    for i in range(10):
        TracerResponseFactory(
            certificate=make_graduate(cohort),
            employment_status=ES.EMPLOYED_MUNICIPALITY if i < 5 else ES.UNEMPLOYED,
            months_to_first_job=i,
            skills_satisfaction={"communication": 4 if i % 2 else 3},
        )

    overall = anon_client.get(URL).json()["overall"]

    assert (overall["learners_trained"], overall["certified"], overall["respondents"]) == (10, 10, 10)
    assert (overall["employed"], overall["employed_municipality"], overall["employed_public_school"]) == (5, 5, 0)
    assert overall["employment_rate"] == 0.5
    assert overall["median_months_to_first_job"] == 4.5
    assert overall["graduate_satisfaction_mean"] == 3.5
    assert overall["suppressed_indicators"] == ["employer_satisfaction_rate"]


def test_random_rounding_is_unbiased_and_stays_next_to_the_truth(settings):
    settings.IMPACT_STATS_KEY = "a key for this test"
    for count in range(1, 10):
        figures = [stats.rounded(count, fingerprint, "enrolment") for fingerprint in range(2000)]
        low = count - count % 5
        assert set(figures) <= {low, low + 5}
        share_up = sum(1 for x in figures if x == low + 5) / len(figures)
        assert abs(share_up - (count % 5) / 5) < 0.05, count


def test_the_rounding_is_keyed_by_the_server_secret(world, anon_client, settings):
    drawn = set()
    for key in range(20):
        settings.IMPACT_STATS_KEY = f"key {key}"
        overall = anon_client.get(URL).json()["overall"]
        again = anon_client.get(URL).json()["overall"]
        assert overall == again  # asking again teaches nothing
        drawn.add(tuple(overall[n] for n in COUNTS))

    assert len(drawn) > 1


def test_the_same_people_give_the_same_figure_in_every_table(world, anon_client):
    other = make_cohort(code="OTHER")
    for _ in range(3):
        make_graduate(other)
    qualification = world["cohort"].curriculum.qualification.code
    as_provider = anon_client.get(URL, {"provider": "qpgj"}).json()["overall"]
    # The same seven learners reached four ways.
    rows = [
        as_provider,
        anon_client.get(URL, {"provider": "qpgj", "qualification": qualification}).json()["overall"],
        *[g for g in anon_client.get(URL, {"by": "provider"}).json()["groups"] if g["key"] == "qpgj"],
        *[g for g in anon_client.get(URL, {"by": "cohort"}).json()["groups"] if g["key"] == "qpgj/QPGJ-2025-A"],
    ]

    assert len(rows) == 4
    for row in rows[1:]:
        assert {n: row[n] for n in stats.INDICATORS} == {n: as_provider[n] for n in stats.INDICATORS}


def test_a_group_whose_rounded_count_is_under_five_is_not_listed(provider, anon_client, settings):
    big = make_cohort(provider=provider, code="BIG")
    small = make_cohort(provider=provider, code="SMALL")
    for cohort, size in ((big, 10), (small, 2)):
        for _ in range(size):
            TracerResponseFactory(certificate=make_graduate(cohort))
    raw = stats.tally("cohort")[small.pk]
    outcomes = {}
    for key in (f"key {n}" for n in range(40)):
        settings.IMPACT_STATS_KEY = key
        outcomes.setdefault(expected(raw, "learners_trained"), key)
    assert set(outcomes) == {0, 5}  # two learners round to 0 or to 5, by the key

    for figure, key in outcomes.items():
        settings.IMPACT_STATS_KEY = key
        body = anon_client.get(URL, {"by": "cohort"}).json()

        rows = {r["label_en"]: r for r in body["groups"]}
        assert rows["BIG"]["learners_trained"] == 10
        assert body["overall"]["learners_trained"] in (10, 15)
        if figure == 0:
            assert "SMALL" not in rows
        else:
            assert rows["SMALL"]["learners_trained"] == 5 and rows["SMALL"]["suppressed"] is False


def test_rates_come_from_the_rounded_counts_and_need_a_base_of_ten(world, anon_client):
    other = make_cohort(code="OTHER")
    for i in range(13):
        TracerResponseFactory(
            certificate=make_graduate(other, gender="male" if i % 4 else "female"),
            employment_status=ES.EMPLOYED_PUBLIC_SCHOOL if i % 3 else ES.UNEMPLOYED,
        )
    rows = [anon_client.get(URL).json()["overall"]]
    for by in ("cohort", "gender", "municipality"):
        rows += anon_client.get(URL, {"by": by}).json()["groups"]

    for row in rows:
        if row["respondents"] >= 10:
            assert row["employment_rate"] == min(1.0, round(row["employed"] / row["respondents"], 3))
            assert row["sen_employment_rate"] == min(1.0, round(row["employed_sen"] / row["respondents"], 3))
        else:
            assert row["employment_rate"] is None and row["median_months_to_first_job"] is None
            assert "employment_rate" in row["suppressed_indicators"]
    assert any(row["employment_rate"] is not None for row in rows)


def test_municipalities_reached_counts_the_listed_municipality_groups(world, anon_client):
    home = municipality("gjilan")
    other = make_cohort(code="OTHER", municipality=home)
    for _ in range(10):
        make_graduate(other, home=home)

    for params in ({}, {"provider": "qpgj"}):
        overall = anon_client.get(URL, params).json()["overall"]
        listed = anon_client.get(URL, {**params, "by": "municipality"}).json()["groups"]

        assert overall["municipalities_reached"] == len([g for g in listed if g["key"] != "unknown"])
    assert anon_client.get(URL).json()["overall"]["municipalities_reached"] >= 1  # Gjilan's ten


def test_employer_satisfaction_needs_ten_surveys_of_five_graduates(provider, anon_client):
    cohort = make_cohort(provider=provider)
    employer = f.OrganisationFactory(municipality_org=True)
    graduates = [make_graduate(cohort) for _ in range(10)]
    for i, certificate in enumerate(graduates):
        EmployerSurveyFactory(employer=employer, certificate=certificate, graduate_satisfaction=5 if i < 5 else 2)

    overall = anon_client.get(URL).json()["overall"]
    assert (overall["employer_surveys"], overall["employer_satisfaction_rate"]) == (10, 0.5)

    # Ten ratings of the same two graduates: too few people to show how they were rated.
    EmployerSurvey.objects.exclude(certificate__in=graduates[:2]).delete()
    for day in range(1, 9):
        day_of = datetime.date(2026, 7, day)
        EmployerSurveyFactory(employer=employer, certificate=graduates[day % 2], surveyed_on=day_of)
    overall = anon_client.get(URL).json()["overall"]
    assert overall["employer_surveys"] == 10
    assert overall["employer_satisfaction_rate"] is None
    assert "employer_satisfaction_rate" in overall["suppressed_indicators"]


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


def test_filter_by_provider(provider, anon_client):
    for owner, size in ((provider, 10), (None, 5)):
        cohort = make_cohort(provider=owner)
        for _ in range(size):
            make_graduate(cohort)

    assert anon_client.get(URL).json()["overall"]["certified"] == 15
    assert anon_client.get(URL, {"provider": "qpgj"}).json()["overall"]["certified"] == 10


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
def test_csv_export_of_the_same_tables(provider, anon_client, path):
    cohort = make_cohort(provider=provider)
    for i in range(15):
        TracerResponseFactory(
            certificate=make_graduate(cohort, gender="male" if i < 5 else "female"),
            employment_status=ES.EMPLOYED_MUNICIPALITY if i % 3 == 0 else ES.UNEMPLOYED,
        )

    response = anon_client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["key"] for r in rows] == ["all", "female", "male"]
    assert rows[0]["learners_trained"] == "15"
    assert rows[0]["employed"] == "5"
    assert rows[0]["employment_rate"] == "0.333"
    assert rows[2]["learners_trained"] == "5" and rows[2]["employment_rate"] == ""
    assert rows[2]["suppressed_indicators"].split() == [*stats.RESPONDENT_BASED, "employer_satisfaction_rate"]


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
        # 4 overall + 4 grouped + 1 for the groups' names, + 1 for the data version the cache is keyed by
        with django_assert_max_num_queries(10):
            response = anon_client.get(URL, {"by": by})
        assert response.status_code == 200
        assert response.json()["overall"]["respondents"] == graduates
        with django_assert_max_num_queries(1):  # the version: the answer is in the shared cache
            assert anon_client.get(URL, {"by": by}).content == response.content
