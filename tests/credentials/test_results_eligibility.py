"""Module results and the eligibility read: what is missing, by module and by hours."""

import pytest

from credentials.models import ModuleResult
from credentials.services import certificate_issue
from tests import factories
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db

RESULTS = "/api/v1/module-results/"


@pytest.fixture
def fresh_enrolment(provider):
    """Enrolled, accredited, no results yet."""
    enrolment = factories.issuable_enrolment(provider=provider)
    enrolment.results.all().delete()
    return enrolment


def _module(enrolment, code):
    return enrolment.cohort.curriculum.modules.get(code=code)


def _result_body(enrolment, code, **overrides):
    module = _module(enrolment, code)
    body = {
        "enrolment": enrolment.pk,
        "module": module.pk,
        "hours_theory": module.hours_theory,
        "hours_practice": module.hours_practice,
        "outcome": "pass",
        "assessed_on": "2026-05-20",
        "assessor": "Drita Berisha",
    }
    body.update(overrides)
    return body


def test_record_then_correct_a_result(provider_client, provider_user, fresh_enrolment):
    created = provider_client.post(RESULTS, _result_body(fresh_enrolment, "M1", outcome="fail"), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["recorded_by"] == provider_user.username
    corrected = provider_client.post(RESULTS, _result_body(fresh_enrolment, "M1"), format="json")
    assert corrected.status_code == 200
    assert ModuleResult.objects.get().outcome == "pass"
    patched = provider_client.patch(f"{RESULTS}{created.json()['id']}/", {"hours_theory": 500}, format="json")
    assert patched.status_code == 200 and patched.json()["hours_theory"] == 500


@pytest.mark.parametrize(
    "overrides, code, field",
    [
        ({"hours_theory": 601}, "hours_exceed_module", "hours_theory"),
        ({"assessed_on": None}, "invalid", "assessed_on"),
        ({"outcome": "excellent"}, "invalid", "outcome"),
        ({"assessed_on": "2099-01-01"}, "invalid", "assessed_on"),
        ({"hours_practice": -1}, "invalid", "hours_practice"),
    ],
)
def test_bad_results_are_refused(provider_client, fresh_enrolment, overrides, code, field):
    response = provider_client.post(RESULTS, _result_body(fresh_enrolment, "M1", **overrides), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
    assert field in response.json()["error"]["fields"]
    assert not ModuleResult.objects.exists()


def test_module_of_another_curriculum_is_refused(provider_client, fresh_enrolment):
    stranger = factories.CurriculumModuleFactory()
    body = _result_body(fresh_enrolment, "M1", module=stranger.pk, hours_theory=1, hours_practice=1)
    response = provider_client.post(RESULTS, body, format="json")
    assert response.json()["error"]["code"] == "module_not_in_curriculum"
    assert not ModuleResult.objects.exists()


def test_results_are_frozen_once_certified(provider_client, enrolment):
    certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    response = provider_client.post(RESULTS, _result_body(enrolment, "M1", outcome="fail"), format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "enrolment_certified"
    assert enrolment.results.get(module__code="M1").outcome == "pass"


def test_results_are_scoped(provider_client, other_provider_client, ministry_client, verifier_client, enrolment):
    result = enrolment.results.first()
    assert len(provider_client.get(RESULTS).json()["results"]) == 2
    assert other_provider_client.get(RESULTS).json()["results"] == []
    assert other_provider_client.get(f"{RESULTS}{result.pk}/").status_code == 404
    other = other_provider_client.post(RESULTS, _result_body(enrolment, "M1", outcome="fail"), format="json")
    assert other.status_code == 400 and "enrolment" in other.json()["error"]["fields"]
    assert len(ministry_client.get(RESULTS, {"enrolment": enrolment.pk}).json()["results"]) == 2
    assert verifier_client.get(RESULTS).status_code == 403
    assert provider_client.delete(f"{RESULTS}{result.pk}/").status_code == 405


# --- eligibility ------------------------------------------------------------------------------------


def _eligibility(client, enrolment, **params):
    response = client.get(f"/api/v1/enrolments/{enrolment.pk}/eligibility", {"awarded_on": AWARD, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def test_an_issuable_enrolment_is_eligible(provider_client, enrolment):
    body = _eligibility(provider_client, enrolment)
    assert body["eligible"] is True and body["reasons"] == []
    assert body["hours"]["theory"] == {"required": 600, "attended": 600, "missing": 0}
    assert body["accreditation"] == enrolment.cohort.provider.accreditations.get().pk
    assert body["certificate"] is None


def test_eligibility_says_which_modules_and_how_many_hours_are_missing(provider_client, fresh_enrolment):
    provider_client.post(RESULTS, _result_body(fresh_enrolment, "M1", hours_theory=550), format="json")
    body = _eligibility(provider_client, fresh_enrolment)
    assert body["eligible"] is False
    assert [m["code"] for m in body["missing_modules"]] == ["M2"]
    assert body["missing_modules"][0]["outcome"] == "pending"
    assert body["hours"]["theory"]["missing"] == 50
    assert body["hours"]["practice"]["missing"] == 600
    assert {r["code"] for r in body["reasons"]} == {"mandatory_module_not_passed", "hours_not_met"}


def test_eligibility_names_catalogue_problems_too(provider_client, enrolment):
    enrolment.cohort.provider.accreditations.update(status="suspended")
    body = _eligibility(provider_client, enrolment)
    assert [r["code"] for r in body["reasons"]] == ["accreditation_not_in_force"]


def test_eligibility_shows_the_live_certificate(provider_client, enrolment):
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    assert _eligibility(provider_client, enrolment)["certificate"] == cert.pk


def test_eligibility_of_another_providers_enrolment_is_not_found(other_provider_client, enrolment):
    response = other_provider_client.get(f"/api/v1/enrolments/{enrolment.pk}/eligibility")
    assert response.status_code == 404


def test_eligibility_costs_constant_queries(provider_client, enrolment, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        _eligibility(provider_client, enrolment)


@pytest.mark.parametrize("page_size", [1, 100])
def test_result_list_costs_constant_queries(page_size, provider_client, provider, django_assert_max_num_queries):
    curriculum = factories.CurriculumFactory()
    for _ in range(3):
        factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    with django_assert_max_num_queries(4):
        response = provider_client.get(RESULTS, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 6)
