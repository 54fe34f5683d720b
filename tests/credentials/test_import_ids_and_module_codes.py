"""Two things a user hit (issue 12): a module result names its module by id or by its code in the enrolment's
curriculum (`M1`), and an import answers with the ids of what it created, so a client need not search for them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import Enrolment, Learner, ModuleResult
from outcomes.models import TracerResponse
from tests import factories

pytestmark = pytest.mark.django_db

RESULTS = "/api/v1/module-results/"


@pytest.fixture
def fresh_enrolment(provider):
    enrolment = factories.issuable_enrolment(provider=provider)
    enrolment.results.all().delete()
    return enrolment


def _body(enrolment, module, **overrides):
    body = {
        "enrolment": enrolment.pk,
        "module": module,
        "hours_theory": 1,
        "hours_practice": 0,
        "outcome": "pass",
        "assessed_on": "2026-05-20",
    }
    return {**body, **overrides}


# --- module by code -------------------------------------------------------------------------------------------


def test_a_result_names_its_module_by_code_and_the_answer_gives_id_and_code(provider_client, fresh_enrolment):
    module = fresh_enrolment.cohort.curriculum.modules.get(code="M1")
    response = provider_client.post(RESULTS, _body(fresh_enrolment, "M1"), format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["module"], response.json()["module_code"]) == (module.pk, "M1")
    assert ModuleResult.objects.get().module == module


def test_the_id_still_works_as_a_number_or_a_numeric_string(provider_client, fresh_enrolment):
    module = fresh_enrolment.cohort.curriculum.modules.get(code="M1")
    for value in (module.pk, str(module.pk)):
        response = provider_client.post(RESULTS, _body(fresh_enrolment, value), format="json")
        assert response.status_code in (200, 201), response.content
        assert response.json()["module"] == module.pk
    assert ModuleResult.objects.count() == 1


@pytest.mark.parametrize("module", ["M99", "", None, True, 999999, ["M1"], "x" * 40])
def test_an_unknown_or_malformed_module_is_a_400_and_nothing_is_written(provider_client, fresh_enrolment, module):
    response = provider_client.post(RESULTS, _body(fresh_enrolment, module), format="json")
    assert response.status_code == 400, response.content
    assert "module" in response.json()["error"]["fields"]
    assert not ModuleResult.objects.exists()


def test_a_code_is_looked_up_only_in_the_enrolments_curriculum(provider_client, fresh_enrolment):
    other = factories.CurriculumFactory()
    factories.CurriculumModuleFactory(curriculum=other, code="ONLY-THERE")
    response = provider_client.post(RESULTS, _body(fresh_enrolment, "ONLY-THERE"), format="json")
    assert response.status_code == 400 and "module" in response.json()["error"]["fields"]
    assert not ModuleResult.objects.exists()


def test_by_code_is_refused_to_callers_who_may_not_record_results(
    anon_client, ministry_client, other_provider_client, fresh_enrolment
):
    assert anon_client.post(RESULTS, _body(fresh_enrolment, "M1"), format="json").status_code == 401
    assert ministry_client.post(RESULTS, _body(fresh_enrolment, "M1"), format="json").status_code == 403
    response = other_provider_client.post(RESULTS, _body(fresh_enrolment, "M1"), format="json")
    assert response.status_code == 400 and "enrolment" in response.json()["error"]["fields"]
    assert not ModuleResult.objects.exists()


# --- imports answer with ids ----------------------------------------------------------------------------------


def _upload(client, url, text, **extra):
    upload = SimpleUploadedFile("file.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(url, {"file": upload, **extra}, format="multipart")


LEARNERS = """personal_number,given_name,family_name,date_of_birth,gender,municipality,email,cohort
1100000001,Ardita,Krasniqi,1996-04-12,f,prishtine,,SEN-9
1100000002,Besa,Gashi,1994-11-02,f,,,
"""


def test_a_learner_import_answers_with_the_ids_it_created_and_enrolled(provider_client, provider):
    cohort = factories.CohortFactory(provider=provider, code="SEN-9", status="running")
    body = _upload(provider_client, "/api/v1/learners/import", LEARNERS).json()
    assert sorted(body["created_ids"]) == sorted(Learner.objects.values_list("pk", flat=True))
    assert body["updated_ids"] == []
    assert body["enrolment_ids"] == list(Enrolment.objects.filter(cohort=cohort).values_list("pk", flat=True))

    again = _upload(provider_client, "/api/v1/learners/import", LEARNERS.replace("Gashi", "Gashi-Hoxha")).json()
    assert again["created_ids"] == [] and again["enrolment_ids"] == []
    assert again["updated_ids"] == [Learner.objects.get(personal_number="1100000002").pk]


def test_a_dry_run_answers_no_ids(provider_client, provider):
    factories.CohortFactory(provider=provider, code="SEN-9", status="running")
    body = _upload(provider_client, "/api/v1/learners/import", LEARNERS, dry_run="true").json()
    assert body["created"] == 2 and (body["created_ids"], body["enrolment_ids"]) == ([], [])
    assert not Learner.objects.exists()


def test_a_results_import_answers_with_the_result_ids(provider_client, fresh_enrolment):
    enrolment = fresh_enrolment
    text = (
        "personal_number,cohort,module,hours_theory,hours_practice,outcome,assessed_on,assessor\n"
        f"{enrolment.learner.personal_number},{enrolment.cohort.code},M1,600,0,pass,2026-05-20,\n"
    )
    body = _upload(provider_client, "/api/v1/module-results/import", text).json()
    assert body["created_ids"] == [ModuleResult.objects.get().pk]


def test_a_tracer_import_answers_with_the_response_ids(client_for, provider, provider_user):
    certificate = factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider))
    text = f"serial_number,wave,employment_status,responded_on\n{certificate.serial_number},6,unemployed,2026-07-01\n"
    response = _upload(client_for(provider_user), "/api/v1/tracer-responses/import", text)
    assert response.status_code == 201, response.content
    assert response.json()["ids"] == [TracerResponse.objects.get().pk] and response.json()["imported"] == 1
