"""POST/GET /api/v1/employer-surveys: an employer or municipality rates a graduate it is linked to (the
rule itself: test_employer_survey_link.py)."""

import pytest

from credentials.choices import CertificateStatus
from outcomes.choices import EmploymentStatus
from outcomes.models import EmployerSurvey
from tests import factories as f

from .conftest import EmployerSurveyFactory, TracerResponseFactory, make_cohort, make_graduate

URL = "/api/v1/employer-surveys"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def employed_by_the_municipality(certificate, municipality_org):
    """The graduate's tracer answer names the municipality as employer: the link a rating needs."""
    TracerResponseFactory(
        certificate=certificate, employer=municipality_org, employment_status=EmploymentStatus.EMPLOYED_MUNICIPALITY
    )


def survey(certificate, **overrides):
    body = {
        "verification_id": certificate.verification_id,
        "graduate_satisfaction": 4,
        "programme_satisfaction": 5,
        "surveyed_on": "2026-07-15",
    }
    body.update(overrides)
    return body


def test_a_municipality_records_its_own_rating(client_for, verifier_user, certificate):
    response = client_for(verifier_user).post(URL, survey(certificate), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["employer"] == "komuna-prishtine"
    assert body["serial_number"] == certificate.serial_number
    saved = EmployerSurvey.objects.get()
    assert saved.enrolment_id == certificate.enrolment_id
    assert saved.recorded_by == verifier_user


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"graduate_satisfaction": 6}, "graduate_satisfaction"),
        ({"programme_satisfaction": 0}, "programme_satisfaction"),
        ({"verification_id": "0000000000000000000000000Z"}, "verification_id"),
        ({"surveyed_on": "2026-01-01"}, "surveyed_on"),  # before the award
    ],
)
def test_bad_ratings_are_refused(client_for, verifier_user, certificate, overrides, field):
    response = client_for(verifier_user).post(URL, survey(certificate, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert EmployerSurvey.objects.count() == 0


def test_a_revoked_certificate_cannot_be_rated(client_for, verifier_user, certificate):
    certificate.status, certificate.status_reason_code = CertificateStatus.REVOKED, "fraud"
    certificate.save()

    response = client_for(verifier_user).post(URL, survey(certificate), format="json")

    assert response.status_code == 400
    assert EmployerSurvey.objects.count() == 0


def test_the_same_rating_twice_a_day_is_a_conflict(client_for, verifier_user, certificate):
    client = client_for(verifier_user)
    assert client.post(URL, survey(certificate), format="json").status_code == 201

    assert client.post(URL, survey(certificate), format="json").status_code == 409
    assert EmployerSurvey.objects.count() == 1


def test_refused_callers(anon_client, client_for, verifier_user, provider_user, certificate):
    other_municipality = f.OrganisationFactory(municipality_org=True)

    assert anon_client.post(URL, survey(certificate), format="json").status_code == 401
    assert client_for(provider_user).post(URL, survey(certificate), format="json").status_code == 403
    # A verifier records only its own organisation's ratings.
    for_other = survey(certificate, employer=other_municipality.slug)
    assert client_for(verifier_user).post(URL, for_other, format="json").status_code == 403
    assert EmployerSurvey.objects.count() == 0
    assert anon_client.get(URL).status_code == 401
    assert client_for(f.UserFactory(awarding_body=True)).get(URL).status_code == 403


def test_the_ministry_records_for_an_employer_but_not_for_a_school(ministry_client, certificate):
    employer = f.OrganisationFactory(employer=True)
    provider = f.OrganisationFactory()
    TracerResponseFactory(certificate=certificate, wave=12, employer=employer)

    ok = ministry_client.post(URL, survey(certificate, employer=employer.slug), format="json")
    not_an_employer = ministry_client.post(URL, survey(certificate, employer=provider.slug), format="json")

    assert ok.status_code == 201
    assert not_an_employer.status_code == 400
    assert not_an_employer.json()["error"]["code"] == "not_an_employer"
    assert EmployerSurvey.objects.count() == 1


def test_a_rating_of_a_graduate_the_employer_has_no_link_to_is_refused(client_for, verifier_user):
    stranger = make_graduate(make_cohort())

    response = client_for(verifier_user).post(URL, survey(stranger), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "employer_not_linked"
    assert EmployerSurvey.objects.count() == 0


def test_verifying_the_certificate_first_links_the_employer(client_for, verifier_user):
    stranger = make_graduate(make_cohort())
    client = client_for(verifier_user)
    assert client.post(URL, survey(stranger), format="json").status_code == 403

    assert client.get(f"/api/v1/verifications/{stranger.verification_id}").status_code == 200
    response = client.post(URL, survey(stranger), format="json")

    assert response.status_code == 201, response.json()
    assert EmployerSurvey.objects.get().certificate == stranger


def test_who_reads_which_ratings(client_for, ministry_client, verifier_user, provider_user, certificate):
    mine = EmployerSurveyFactory(employer=verifier_user.organisation, certificate=certificate)
    elsewhere = EmployerSurveyFactory(certificate=make_graduate(make_cohort()))
    about_my_graduate_by_another = EmployerSurveyFactory(certificate=certificate)

    def ids(client):
        return {r["id"] for r in client.get(URL).json()["results"]}

    assert ids(ministry_client) == {mine.pk, elsewhere.pk, about_my_graduate_by_another.pk}
    assert ids(client_for(verifier_user)) == {mine.pk}
    assert ids(client_for(provider_user)) == {mine.pk, about_my_graduate_by_another.pk}
    assert client_for(verifier_user).get(f"{URL}/{elsewhere.pk}").status_code == 404


@pytest.mark.parametrize("page_size", [1, 100])
def test_the_list_costs_a_constant_number_of_queries(ministry_client, cohort, page_size, django_assert_max_num_queries):
    for _ in range(5):
        EmployerSurveyFactory(certificate=make_graduate(cohort))

    with django_assert_max_num_queries(6):
        response = ministry_client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 5)
