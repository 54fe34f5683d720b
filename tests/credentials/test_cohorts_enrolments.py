"""Cohorts and enrolments (rule 5: no enrolment into a withdrawn curriculum or after operational end)."""

import datetime

import pytest

from credentials.models import Cohort, Enrolment
from registry.choices import CurriculumStatus
from registry.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/"
ENROLMENTS = "/api/v1/enrolments/"


@pytest.fixture
def curriculum():
    return factories.CurriculumFactory()


def _cohort_body(curriculum, **overrides):
    body = {
        "curriculum": curriculum.pk,
        "code": "SEN-2026-A",
        "name": "Kohorta e tetë",
        "start_date": "2026-02-01",
        "end_date": "2027-01-31",
        "delivery_mode": "hybrid",
        "municipality": "prishtine",
        "mentors": ["Drita Berisha", "Milica Petrović"],
        "status": "running",
    }
    body.update(overrides)
    return body


def test_provider_creates_a_cohort(provider_client, curriculum):
    response = provider_client.post(COHORTS, _cohort_body(curriculum), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["provider"] == "qpgj-test"
    assert body["qualification"] == curriculum.qualification_id
    assert body["mentors"] == ["Drita Berisha", "Milica Petrović"]
    assert AuditEntry.objects.filter(object_type="credentials.cohort", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    "change, code",
    [
        ({"delivery_mode": "in_person"}, "delivery_mode_not_offered"),
        ({"end_date": "2025-01-01"}, "invalid"),
        ({"delivery_mode": "by_post"}, "invalid"),
        ({"mentors": "one name"}, "invalid"),
    ],
)
def test_bad_cohorts_are_refused(provider_client, curriculum, change, code):
    response = provider_client.post(COHORTS, _cohort_body(curriculum, **change), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
    assert not Cohort.objects.exists()


def test_no_cohort_on_a_withdrawn_curriculum(provider_client):
    withdrawn = factories.CurriculumFactory(status=CurriculumStatus.WITHDRAWN)
    response = provider_client.post(COHORTS, _cohort_body(withdrawn), format="json")
    assert response.json()["error"]["code"] == "curriculum_withdrawn"
    assert not Cohort.objects.exists()


def test_cohort_code_is_unique_per_provider(provider_client, curriculum):
    assert provider_client.post(COHORTS, _cohort_body(curriculum), format="json").status_code == 201
    again = provider_client.post(COHORTS, _cohort_body(curriculum), format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "cohort_code_taken"


def test_cohorts_are_scoped(provider_client, ministry_client, verifier_client, anon_client, provider, other_provider):
    mine = factories.CohortFactory(provider=provider)
    theirs = factories.CohortFactory(provider=other_provider)
    assert [r["id"] for r in provider_client.get(COHORTS).json()["results"]] == [mine.pk]
    assert provider_client.get(f"{COHORTS}{theirs.pk}/").status_code == 404
    assert provider_client.patch(f"{COHORTS}{theirs.pk}/", {"name": "x"}, format="json").status_code == 404
    assert {r["id"] for r in ministry_client.get(COHORTS).json()["results"]} == {mine.pk, theirs.pk}
    assert verifier_client.get(COHORTS).status_code == 403
    assert anon_client.get(COHORTS).status_code == 401
    assert provider_client.delete(f"{COHORTS}{mine.pk}/").status_code == 405


def test_cohort_filters(provider_client, provider):
    a = factories.CohortFactory(provider=provider, start_date=datetime.date(2024, 3, 1))
    b = factories.CohortFactory(provider=provider, status="running")

    def ids(params):
        return {r["id"] for r in provider_client.get(COHORTS, params).json()["results"]}

    assert ids({"status": "running"}) == {b.pk}
    assert ids({"start_before": "2024-12-31"}) == {a.pk}
    assert ids({"qualification": a.curriculum.qualification_id}) == {a.pk}
    assert ids({"active_on": "2025-06-01"}) == {a.pk, b.pk}


def test_provider_updates_its_cohort(provider_client, provider):
    cohort = factories.CohortFactory(provider=provider, status="running")
    response = provider_client.patch(f"{COHORTS}{cohort.pk}/", {"status": "finished"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "finished"


# --- enrolments -----------------------------------------------------------------------------------------


@pytest.fixture
def running_cohort(provider):
    return factories.CohortFactory(provider=provider, status="running")


def test_provider_enrols_its_learner(provider_client, provider, running_cohort):
    learner = factories.LearnerFactory(provider=provider)
    response = provider_client.post(
        ENROLMENTS, {"learner": learner.pk, "cohort": running_cohort.pk, "enrolled_on": "2025-02-01"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "active"
    again = provider_client.post(ENROLMENTS, {"learner": learner.pk, "cohort": running_cohort.pk})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_enrolled"
    assert Enrolment.objects.count() == 1


def test_cannot_enrol_another_providers_learner_or_into_their_cohort(
    provider_client, provider, other_provider, running_cohort
):
    theirs = factories.LearnerFactory(provider=other_provider)
    their_cohort = factories.CohortFactory(provider=other_provider, status="running")
    mine = factories.LearnerFactory(provider=provider)
    r1 = provider_client.post(ENROLMENTS, {"learner": theirs.pk, "cohort": running_cohort.pk})
    r2 = provider_client.post(ENROLMENTS, {"learner": mine.pk, "cohort": their_cohort.pk})
    assert (r1.status_code, r2.status_code) == (400, 400)
    assert "learner" in r1.json()["error"]["fields"] and "cohort" in r2.json()["error"]["fields"]
    assert not Enrolment.objects.exists()


def test_no_enrolment_into_a_withdrawn_curriculum(provider_client, provider, running_cohort):
    running_cohort.curriculum.status = CurriculumStatus.WITHDRAWN
    running_cohort.curriculum.save()
    learner = factories.LearnerFactory(provider=provider)
    response = provider_client.post(ENROLMENTS, {"learner": learner.pk, "cohort": running_cohort.pk})
    assert response.json()["error"]["code"] == "curriculum_withdrawn"
    assert not Enrolment.objects.exists()


def test_no_enrolment_after_the_qualifications_operational_end(provider_client, provider, running_cohort):
    q = running_cohort.curriculum.qualification
    q.operational_end = datetime.date(2025, 12, 31)
    q.save()
    learner = factories.LearnerFactory(provider=provider)
    late = provider_client.post(
        ENROLMENTS, {"learner": learner.pk, "cohort": running_cohort.pk, "enrolled_on": "2026-01-05"}
    )
    assert late.json()["error"]["code"] == "qualification_closed_for_enrolment"
    assert not Enrolment.objects.exists()
    in_time = provider_client.post(
        ENROLMENTS, {"learner": learner.pk, "cohort": running_cohort.pk, "enrolled_on": "2025-12-01"}
    )
    assert in_time.status_code == 201


def test_withdraw_and_complete(provider_client, enrolment):
    url = f"{ENROLMENTS}{enrolment.pk}/transition"
    assert provider_client.post(url, {"status": "withdrawn", "reason": "moved"}).json()["status"] == "withdrawn"
    assert provider_client.post(url, {"status": "active"}).json()["status"] == "active"
    done = provider_client.post(url, {"status": "completed", "on": "2026-06-01"})
    assert done.status_code == 200 and done.json()["completed_on"] == "2026-06-01"
    assert provider_client.post(url, {"status": "active"}).status_code == 400


def test_completing_needs_the_results(provider_client, enrolment):
    enrolment.results.filter(module__code="M2").update(outcome="pending", assessed_on=None)
    response = provider_client.post(f"{ENROLMENTS}{enrolment.pk}/transition", {"status": "completed"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "mandatory_module_not_passed"
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


def test_enrolments_are_scoped(provider_client, other_provider_client, ministry_client, enrolment):
    assert [r["id"] for r in provider_client.get(ENROLMENTS).json()["results"]] == [enrolment.pk]
    assert other_provider_client.get(ENROLMENTS).json()["results"] == []
    assert other_provider_client.get(f"{ENROLMENTS}{enrolment.pk}/").status_code == 404
    assert (
        other_provider_client.post(f"{ENROLMENTS}{enrolment.pk}/transition", {"status": "withdrawn"}).status_code == 404
    )
    assert ministry_client.get(f"{ENROLMENTS}{enrolment.pk}/").status_code == 200
    assert provider_client.delete(f"{ENROLMENTS}{enrolment.pk}/").status_code == 405


@pytest.mark.parametrize("page_size", [1, 100])
def test_enrolment_and_cohort_lists_cost_constant_queries(
    page_size, ministry_client, provider, django_assert_max_num_queries
):
    cohort = factories.CohortFactory(provider=provider)
    for _ in range(4):
        factories.EnrolmentFactory(cohort=cohort)
        factories.CohortFactory(provider=provider)
    for url, total in ((ENROLMENTS, 4), (COHORTS, 5)):
        with django_assert_max_num_queries(4):
            response = ministry_client.get(url, {"page_size": page_size})
        assert len(response.json()["results"]) == min(page_size, total)
