"""A cohort's lifecycle only moves forward (planned -> running -> finished; planned -> finished); issuing
its certificates moves it on; results cannot predate the enrolment."""

import datetime

import pytest
from django.utils import translation

from credentials.choices import CohortStatus
from credentials.models import Cohort, ModuleResult
from credentials.services import certificate_issue, cohort_issue_certificates, results_import
from credentials.services.imports import CsvImportError
from registry.choices import AuditAction
from registry.models import AuditEntry
from tests import factories
from tests.credentials.conftest import AWARD, counts

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/"
RESULTS = "/api/v1/module-results/"


def _cohort_audit(cohort):
    return list(AuditEntry.objects.filter(object_type="credentials.cohort", object_id=str(cohort.pk)).order_by("id"))


@pytest.mark.parametrize(
    "current, target",
    [("finished", "running"), ("finished", "planned"), ("running", "planned")],
)
def test_a_cohort_cannot_move_back_by_patch(provider_client, provider, current, target):
    cohort = factories.CohortFactory(provider=provider, status=current)
    before = counts()

    response = provider_client.patch(f"{COHORTS}{cohort.pk}/", {"status": target, "name": "reopened"}, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "invalid_transition"
    assert "status" in response.json()["error"]["fields"]
    cohort.refresh_from_db()
    assert (cohort.status, cohort.name) == (current, "")
    assert counts() == before


@pytest.mark.parametrize("current, target", [("planned", "running"), ("running", "finished"), ("planned", "finished")])
def test_a_cohort_moves_forward_by_patch_audited(provider_client, provider, current, target):
    cohort = factories.CohortFactory(provider=provider, status=current)
    response = provider_client.patch(f"{COHORTS}{cohort.pk}/", {"status": target}, format="json")
    assert response.status_code == 200 and response.json()["status"] == target
    (entry,) = _cohort_audit(cohort)
    assert entry.action == AuditAction.STATUS_CHANGE
    assert (entry.before["status"], entry.after["status"]) == (current, target)


def test_patching_a_finished_cohort_without_its_status_still_works(provider_client, provider):
    cohort = factories.CohortFactory(provider=provider, status="finished")
    response = provider_client.patch(
        f"{COHORTS}{cohort.pk}/", {"name": "Kohorta 7", "status": "finished"}, format="json"
    )
    assert response.status_code == 200 and response.json()["name"] == "Kohorta 7"


# --- results -----------------------------------------------------------------------------------------


@pytest.fixture
def fresh_enrolment(provider):
    """Enrolled on 2025-01-15, no results yet."""
    enrolment = factories.issuable_enrolment(provider=provider, enrolled_on=datetime.date(2025, 1, 15))
    enrolment.results.all().delete()
    return enrolment


def _result_body(enrolment, assessed_on):
    module = enrolment.cohort.curriculum.modules.get(code="M1")
    return {
        "enrolment": enrolment.pk,
        "module": module.pk,
        "hours_theory": module.hours_theory,
        "hours_practice": module.hours_practice,
        "outcome": "pass",
        "assessed_on": assessed_on,
        "assessor": "Drita Berisha",
    }


def test_results_cannot_predate_the_enrolment(provider_client, fresh_enrolment):
    before = counts()

    response = provider_client.post(RESULTS, _result_body(fresh_enrolment, "2025-01-14"), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "assessed_before_enrolment"
    assert "assessed_on" in response.json()["error"]["fields"]
    assert not ModuleResult.objects.exists()
    assert counts() == before
    on_the_day = provider_client.post(RESULTS, _result_body(fresh_enrolment, "2025-01-15"), format="json")
    assert on_the_day.status_code == 201
    corrected_back = provider_client.patch(
        f"{RESULTS}{on_the_day.json()['id']}/", {"assessed_on": "2024-12-31"}, format="json"
    )
    assert corrected_back.status_code == 400
    assert ModuleResult.objects.get().assessed_on == datetime.date(2025, 1, 15)


def test_imported_results_cannot_predate_the_enrolment(provider_user, fresh_enrolment):
    learner = fresh_enrolment.learner
    content = (
        "personal_number,cohort,module,hours_theory,hours_practice,outcome,assessed_on\n"
        f"{learner.personal_number},{fresh_enrolment.cohort.code},M1,10,0,pass,2024-06-01\n"
    )
    with pytest.raises(CsvImportError) as info:
        results_import(actor=provider_user, provider=fresh_enrolment.cohort.provider, content=content)
    assert [(e.line, e.field) for e in info.value.errors] == [(2, "assessed_on")]
    assert info.value.errors[0].code == "assessed_before_enrolment"
    with translation.override("en"):  # a lazy translation, rendered in the language of whoever reads it
        assert "enrol" in str(info.value.errors[0].message)
    assert not ModuleResult.objects.exists()


# --- issuing moves the cohort on -------------------------------------------------------------------


def _cohort(provider, status, learners=2):
    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum, status=status)
    enrolments = [
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum) for _ in range(learners)
    ]
    return cohort, enrolments


@pytest.mark.parametrize("status", ["planned", "running"])
def test_issuing_a_whole_cohort_finishes_it(provider_client, provider_user, provider, status):
    cohort, _ = _cohort(provider, status)

    response = provider_client.post(
        f"{COHORTS}{cohort.pk}/issue-certificates", {"awarded_on": AWARD.isoformat()}, format="json"
    )

    assert response.status_code == 200 and len(response.json()["issued"]) == 2
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.FINISHED
    moved = [e for e in _cohort_audit(cohort) if "status" in (e.after or {})]
    assert [(e.before["status"], e.after["status"], e.actor) for e in moved] == [(status, "finished", provider_user)]


def test_a_dry_run_leaves_the_cohort_as_it_is(provider_client, provider):
    cohort, _ = _cohort(provider, "planned")
    provider_client.post(f"{COHORTS}{cohort.pk}/issue-certificates", {"dry_run": True}, format="json")
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.PLANNED


def test_issuing_while_learners_are_still_in_training_keeps_the_cohort_running(provider_user, provider):
    cohort, (done, still) = _cohort(provider, "planned")
    still.results.all().delete()

    result = cohort_issue_certificates(actor=provider_user, cohort=cohort, awarded_on=AWARD)

    assert [c.enrolment_id for c in result.issued] == [done.pk]
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.RUNNING


def test_issuing_the_last_learner_singly_finishes_the_cohort(provider_user, provider):
    cohort, (first, last) = _cohort(provider, "running")
    certificate_issue(actor=provider_user, enrolment=first, awarded_on=AWARD)
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.RUNNING
    certificate_issue(actor=provider_user, enrolment=last, awarded_on=AWARD)
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.FINISHED
