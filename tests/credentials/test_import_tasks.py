"""Large imports and cohort issuances run as background tasks (ADR 0009): 202 with the task's address, the task
finishes with its progress complete and the same answer (or the same row errors) the synchronous call gives.

Tasks run inside the request here (the immediate backend, tests/conftest.py); tests/core/test_tasks.py runs the
database queue and the worker."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from credentials.models import Certificate, Enrolment, Learner, ModuleResult
from registry.choices import AuditAction
from registry.models import AuditEntry, TaskRecord
from tests import factories
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db

LEARNERS_URL = "/api/v1/learners/import"
RESULTS_URL = "/api/v1/module-results/import"
HEADER = "personal_number,given_name,family_name,date_of_birth,gender,municipality,email,cohort"


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.BACKGROUND_THRESHOLD = 3  # a file of 4 rows or more runs as a task


@pytest.fixture
def cohort(provider):
    return factories.CohortFactory(provider=provider, code="SEN-8", status="running")


def learners_csv(count: int, *, cohort: str = "SEN-8", first: int = 1100000001) -> str:
    rows = [f"{first + n},Ardita,Krasniqi-{n},1996-04-12,f,prishtine,,{cohort}" for n in range(count)]
    return "\n".join([HEADER, *rows]) + "\n"


def upload(client, url, text, **headers):
    file = SimpleUploadedFile("file.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(url, {"file": file}, format="multipart", headers=headers)


def test_a_large_learner_import_answers_202_and_its_task_finishes_with_every_row(provider_client, cohort):
    response = upload(provider_client, LEARNERS_URL, learners_csv(5))

    assert response.status_code == 202, response.json()
    body = response.json()
    assert response["Location"] == body["url"] == f"http://testserver/api/v1/tasks/{body['id']}"
    task = provider_client.get(response["Location"])
    assert task.status_code == 200
    task = task.json()
    assert task["kind"] == "learners_import" and task["state"] == "succeeded" and task["error"] is None
    assert task["progress"] == {"done": 5, "total": 5}
    assert task["result"] == {
        "kind": "learners",
        "rows": 5,
        "created": 5,
        "updated": 0,
        "enrolled": 5,
        "dry_run": False,
        "created_ids": sorted(Learner.objects.values_list("pk", flat=True)),
        "updated_ids": [],
        "enrolment_ids": sorted(Enrolment.objects.values_list("pk", flat=True)),
    }
    assert Learner.objects.count() == 5 and Enrolment.objects.filter(cohort=cohort).count() == 5
    # Audited as the synchronous import is: one entry per record written, one for the import.
    assert AuditEntry.objects.filter(object_type="credentials.learner", action=AuditAction.CREATE).count() == 5
    assert AuditEntry.objects.filter(object_type="credentials.enrolment", action=AuditAction.CREATE).count() == 5
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_a_small_file_answers_at_once_unless_the_client_prefers_a_task(provider_client, cohort):
    at_once = upload(provider_client, LEARNERS_URL, learners_csv(3))
    assert at_once.status_code == 200 and at_once.json()["created"] == 3
    assert not TaskRecord.objects.exists()

    asked = upload(provider_client, LEARNERS_URL, learners_csv(2, first=1100000101), Prefer="respond-async")
    assert asked.status_code == 202 and asked["Preference-Applied"] == "respond-async"
    assert provider_client.get(asked["Location"]).json()["result"]["created"] == 2


def test_a_failing_import_task_reports_every_bad_row_and_writes_nothing(provider_client, cohort):
    text = learners_csv(4) + "12345,Besa,Gashi,1996-04-12,f,prishtine,,SEN-8\n1100000009,,Hoxha,1996-13-40,x,,,NOPE\n"
    before = AuditEntry.objects.count()

    response = upload(provider_client, LEARNERS_URL, text)

    assert response.status_code == 202
    task = provider_client.get(response["Location"]).json()
    assert task["state"] == "failed" and task["result"] is None
    error = task["error"]
    assert error["code"] == "csv_invalid"
    assert {(e["line"], e["field"], e["code"]) for e in error["row_errors"]} == {
        (6, "personal_number", "invalid_personal_number"),
        (7, "given_name", "required"),
        (7, "date_of_birth", "invalid_date"),
        (7, "gender", "invalid_choice"),
        (7, "cohort", "unknown_cohort"),
    }
    assert not Learner.objects.exists() and not Enrolment.objects.exists()
    assert AuditEntry.objects.count() == before
    # Row errors name line, field and code; never a row's values (personal numbers, names, dates).
    for value in ("12345", "1100000009", "Hoxha", "1996-13-40"):
        assert value not in str(task)


def test_rules_that_depend_on_the_records_fail_the_task_and_roll_everything_back(provider, provider_client):
    factories.CohortFactory(provider=provider, code="OLD", status="finished")
    text = learners_csv(3, cohort="") + "1100000099,Besa,Gashi,1996-04-12,f,,,OLD\n"

    task = provider_client.get(upload(provider_client, LEARNERS_URL, text)["Location"]).json()

    assert task["state"] == "failed"
    assert task["error"]["row_errors"] == [
        {
            "line": 5,
            "field": "cohort",
            "code": "cohort_finished",
            "message": "The cohort has finished: no new enrolments.",
        }
    ]
    assert not Learner.objects.exists()


def test_an_unreadable_file_is_a_400_at_once_and_starts_no_task(provider_client, cohort):
    missing_column = upload(provider_client, LEARNERS_URL, "personal_number,given_name\n" + "1,A\n" * 10)
    assert missing_column.status_code == 400
    assert missing_column.json()["error"]["row_errors"][0]["code"] == "missing_column"
    not_utf8 = provider_client.post(
        LEARNERS_URL,
        {"file": SimpleUploadedFile("x.csv", (HEADER + "\n" + "ë,ë,ë,ë,,,,\n" * 10).encode("cp1250"))},
        format="multipart",
    )
    assert not_utf8.status_code == 400 and not_utf8.json()["error"]["row_errors"][0]["code"] == "not_utf8"
    no_file = provider_client.post(LEARNERS_URL, {}, format="multipart", headers={"Prefer": "respond-async"})
    assert no_file.status_code == 400
    assert not TaskRecord.objects.exists()


def test_callers_who_may_not_import_start_no_task(ministry_client, verifier_client, anon_client, cohort):
    assert upload(ministry_client, LEARNERS_URL, learners_csv(5)).status_code == 403
    assert upload(verifier_client, LEARNERS_URL, learners_csv(5)).status_code == 403
    assert upload(anon_client, LEARNERS_URL, learners_csv(5)).status_code == 401
    assert not TaskRecord.objects.exists() and not Learner.objects.exists()


def test_a_task_is_read_by_its_organisation_and_the_ministry_only(
    client_for, provider_client, provider, other_provider_client, verifier_client, ministry_client, anon_client, cohort
):
    url = upload(provider_client, LEARNERS_URL, learners_csv(5))["Location"]
    colleague = client_for(factories.UserFactory(organisation=provider))

    assert colleague.get(url).status_code == 200
    assert ministry_client.get(url).status_code == 200
    # Anyone else: exactly the answer a task that does not exist gets.
    missing = url.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    for client in (other_provider_client, verifier_client):
        refused, absent = client.get(url), client.get(missing)
        assert refused.status_code == absent.status_code == 404
        assert refused.json()["error"]["code"] == absent.json()["error"]["code"] == "not_found"
    assert anon_client.get(url).status_code == 401
    assert provider_client.get("/api/v1/tasks/not-a-uuid").status_code == 404


def test_the_uploaded_file_is_gone_from_the_task_once_it_has_run(provider_client, cohort):
    upload(provider_client, LEARNERS_URL, learners_csv(5))
    record = TaskRecord.objects.get()
    assert bytes(record.payload) == b""
    assert record.params == {"dry_run": False} and record.organisation_id == cohort.provider_id


def test_the_task_audits_under_the_request_that_started_it(provider_client, cohort):
    upload(provider_client, LEARNERS_URL, learners_csv(5), **{"X-Request-ID": "import-request-0001"})
    entries = AuditEntry.objects.filter(object_type="credentials.learner")
    assert set(entries.values_list("request_id", flat=True)) == {"import-request-0001"}


def test_a_large_dry_run_runs_as_a_task_and_writes_nothing(provider_client, cohort):
    file = SimpleUploadedFile("file.csv", learners_csv(5).encode(), content_type="text/csv")
    response = provider_client.post(LEARNERS_URL, {"file": file, "dry_run": "true"}, format="multipart")
    assert response.status_code == 202
    task = provider_client.get(response["Location"]).json()
    assert task["result"]["dry_run"] is True and task["result"]["created"] == 5
    assert not Learner.objects.exists()


# --- results ---------------------------------------------------------------------------------------------------


def test_a_large_results_import_runs_as_a_task(provider, provider_client):
    enrolments = [factories.issuable_enrolment(provider=provider) for _ in range(2)]
    for e in enrolments:
        e.results.all().delete()
    lines = ["personal_number,cohort,module,hours_theory,hours_practice,outcome,assessed_on,assessor"]
    for e in enrolments:
        pn, code = e.learner.personal_number, e.cohort.code
        lines += [f"{pn},{code},M1,600,0,pass,2026-05-20,Drita Berisha", f"{pn},{code},M2,0,600,pass,2026-05-21,"]

    response = upload(provider_client, RESULTS_URL, "\n".join(lines) + "\n")

    assert response.status_code == 202
    task = provider_client.get(response["Location"]).json()
    assert task["state"] == "succeeded" and task["progress"] == {"done": 4, "total": 4}
    assert task["result"]["created"] == 4
    assert ModuleResult.objects.count() == 4


# --- cohort issuance -------------------------------------------------------------------------------------------


@pytest.fixture
def large_cohort(provider):
    first = factories.issuable_enrolment(provider=provider)
    for _ in range(3):
        factories.issuable_enrolment(provider=provider, cohort=first.cohort, curriculum=first.cohort.curriculum)
    return first.cohort


def test_a_large_cohort_is_issued_by_a_task(provider_client, large_cohort):
    url = f"/api/v1/cohorts/{large_cohort.pk}/issue-certificates"

    response = provider_client.post(url, {"awarded_on": AWARD.isoformat()}, format="json")

    assert response.status_code == 202, response.json()
    task = provider_client.get(response["Location"]).json()
    assert task["kind"] == "cohort_issuance" and task["state"] == "succeeded"
    assert task["progress"]["done"] == task["progress"]["total"]
    assert len(task["result"]["issued"]) == 4 and task["result"]["awarded_on"] == AWARD.isoformat()
    assert Certificate.objects.filter(enrolment__cohort=large_cohort, status="valid").count() == 4


def test_a_cohort_issuance_replayed_with_its_idempotency_key_is_the_same_task(provider_client, large_cohort):
    url = f"/api/v1/cohorts/{large_cohort.pk}/issue-certificates"
    headers = {"Idempotency-Key": "issue-cohort-once-0001"}

    first = provider_client.post(url, {"awarded_on": AWARD.isoformat()}, format="json", headers=headers)
    again = provider_client.post(url, {"awarded_on": AWARD.isoformat()}, format="json", headers=headers)

    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert TaskRecord.objects.count() == 1


def test_a_cohort_issuance_with_a_bad_award_date_is_a_400_and_starts_no_task(provider_client, large_cohort):
    url = f"/api/v1/cohorts/{large_cohort.pk}/issue-certificates"
    response = provider_client.post(url, {"awarded_on": "2999-01-01"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "award_date_in_future"
    assert not TaskRecord.objects.exists()


def test_another_provider_cannot_start_a_cohort_issuance(other_provider_client, large_cohort):
    url = f"/api/v1/cohorts/{large_cohort.pk}/issue-certificates"
    assert other_provider_client.post(url, {}, format="json").status_code == 404
    assert not TaskRecord.objects.exists() and not Certificate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_thousand_rows_answer_202_at_once_and_a_worker_imports_them(settings, client_for, task_worker_logging):
    """DESIGN.md: a 10,000-row import is never bound by the web request. The request only reads the file's shape
    and queues it (database backend); the worker does the rest, with progress to the last row."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    provider = factories.OrganisationFactory()
    client = client_for(factories.UserFactory(organisation=provider))

    response = upload(client, LEARNERS_URL, learners_csv(10_000, cohort=""))

    assert response.status_code == 202
    assert response.json()["state"] == "queued" and not Learner.objects.exists()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    task = client.get(response["Location"]).json()
    assert task["state"] == "succeeded", task
    assert task["progress"] == {"done": 10_000, "total": 10_000} and task["result"]["created"] == 10_000
    assert Learner.objects.filter(provider=provider).count() == 10_000
