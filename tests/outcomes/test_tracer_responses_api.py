import datetime

import pytest
from django.db import IntegrityError, transaction

from credentials.choices import CertificateStatus
from outcomes.choices import EmploymentStatus
from outcomes.models import TracerResponse
from registry.models import AuditEntry
from tests import factories as f

from .conftest import TracerResponseFactory, make_cohort, make_graduate

URL = "/api/v1/tracer-responses"

pytestmark = pytest.mark.django_db


def answers(certificate, **overrides):
    body = {
        "certificate": certificate.pk,
        "wave": 6,
        "employment_status": "employed_municipality",
        "employer": None,
        "employer_name": "Komuna e Prishtinës",
        "work_municipality": "prishtine",
        "months_to_first_job": 2,
        "job_uses_qualification": True,
        "skills_satisfaction": {"inclusive_education": 5, "communication": 4},
        "would_choose_again": True,
        "responded_on": "2026-07-01",
    }
    body.update(overrides)
    return body


def test_provider_records_a_response_for_its_own_graduate(client_for, provider_user, certificate):
    response = client_for(provider_user).post(URL, answers(certificate), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["serial_number"] == certificate.serial_number
    assert body["employment_status"] == "employed_municipality"
    assert body["work_municipality"] == "prishtine"
    assert body["skills_satisfaction"] == {"inclusive_education": 5, "communication": 4}
    assert body["skills_mean"] == 4.5
    assert body["source"] == "provider"
    saved = TracerResponse.objects.get()
    assert saved.enrolment_id == certificate.enrolment_id
    assert AuditEntry.objects.filter(object_type="outcomes.tracerresponse", object_id=str(saved.pk)).exists()


def test_ministry_records_a_response_for_any_graduate(ministry_client, certificate):
    response = ministry_client.post(URL, answers(certificate, wave=12), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "ministry"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"employment_status": "astronaut"}, "employment_status"),
        ({"wave": 3}, "wave"),
        ({"skills_satisfaction": {"communication": 6}}, "skills_satisfaction.communication"),
        ({"skills_satisfaction": {"juggling": 4}}, "skills_satisfaction.juggling"),
        ({"employment_status": "unemployed"}, "employer"),  # an unemployed graduate has no employer
        ({"responded_on": "2026-05-01"}, "responded_on"),  # before the award (2026-06-01)
        ({"months_to_first_job": -1}, "months_to_first_job"),
        ({"work_municipality": "atlantis"}, "work_municipality"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(client_for, provider_user, certificate, overrides, field):
    response = client_for(provider_user).post(URL, answers(certificate, **overrides), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert TracerResponse.objects.count() == 0


def test_a_second_response_for_the_same_wave_is_a_conflict(client_for, provider_user, certificate):
    client = client_for(provider_user)
    assert client.post(URL, answers(certificate), format="json").status_code == 201

    again = client.post(URL, answers(certificate, employment_status="unemployed", employer_name=""), format="json")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_answered"
    assert TracerResponse.objects.count() == 1


def test_the_database_holds_one_response_per_graduate_per_wave(certificate):
    TracerResponseFactory(certificate=certificate, wave=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        TracerResponseFactory(certificate=certificate, wave=6)
    TracerResponseFactory(certificate=certificate, wave=12)
    assert TracerResponse.objects.count() == 2


def test_a_revoked_certificate_takes_no_response(client_for, provider_user, certificate):
    certificate.status = CertificateStatus.REVOKED
    certificate.status_reason_code = "fraud"
    certificate.save()

    response = client_for(provider_user).post(URL, answers(certificate), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "certificate_not_live"
    assert TracerResponse.objects.count() == 0


def test_refused_callers(anon_client, client_for, other_provider_user, certificate):
    verifier = f.UserFactory(verifier=True)
    awarding = f.UserFactory(awarding_body=True)

    assert anon_client.post(URL, answers(certificate), format="json").status_code == 401
    assert client_for(verifier).post(URL, answers(certificate), format="json").status_code == 403
    assert client_for(awarding).post(URL, answers(certificate), format="json").status_code == 403
    # Another provider's certificate reads as one that does not exist.
    other = client_for(other_provider_user).post(URL, answers(certificate), format="json")
    assert other.status_code == 400
    assert "certificate" in other.json()["error"]["fields"]
    assert TracerResponse.objects.count() == 0
    assert anon_client.get(URL).status_code == 401
    assert client_for(verifier).get(URL).status_code == 403


def test_providers_read_only_their_graduates_responses(client_for, provider_user, other_provider_user, certificate):
    mine = TracerResponseFactory(certificate=certificate)
    theirs = TracerResponseFactory(certificate=make_graduate(make_cohort(provider=other_provider_user.organisation)))

    own = client_for(provider_user).get(URL).json()
    other = client_for(other_provider_user).get(URL).json()

    assert [r["id"] for r in own["results"]] == [mine.pk]
    assert [r["id"] for r in other["results"]] == [theirs.pk]
    assert client_for(other_provider_user).get(f"{URL}/{mine.pk}").status_code == 404


def test_ministry_reads_and_filters_all_responses(ministry_client, cohort):
    a = TracerResponseFactory(certificate=make_graduate(cohort), employment_status=EmploymentStatus.UNEMPLOYED)
    b = TracerResponseFactory(certificate=make_graduate(cohort), wave=12)

    everything = ministry_client.get(URL).json()
    unemployed = ministry_client.get(URL, {"employment_status": "unemployed"}).json()
    wave12 = ministry_client.get(URL, {"wave": 12}).json()

    assert everything["count"] == 2
    assert [r["id"] for r in unemployed["results"]] == [a.pk]
    assert [r["id"] for r in wave12["results"]] == [b.pk]


def test_provider_corrects_a_response(client_for, provider_user, certificate):
    response = TracerResponseFactory(certificate=certificate, employment_status=EmploymentStatus.UNEMPLOYED)

    patched = client_for(provider_user).patch(
        f"{URL}/{response.pk}",
        {"employment_status": "employed_private_family", "months_to_first_job": 4},
        format="json",
    )

    assert patched.status_code == 200, patched.json()
    response.refresh_from_db()
    assert response.employment_status == "employed_private_family"
    assert response.months_to_first_job == 4
    assert response.responded_on == datetime.date(2026, 6, 20)  # untouched


@pytest.mark.parametrize("page_size", [1, 100])
def test_the_list_costs_a_constant_number_of_queries(ministry_client, cohort, page_size, django_assert_max_num_queries):
    for _ in range(5):
        TracerResponseFactory(certificate=make_graduate(cohort), employer=f.OrganisationFactory(employer=True))
    ministry_client.get(URL)  # authenticate once (token lookup is cached per request, not across)

    with django_assert_max_num_queries(6):
        response = ministry_client.get(URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 5)
