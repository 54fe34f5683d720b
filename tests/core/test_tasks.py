"""The background-task framework itself (ADR 0009): the database queue and its worker, progress a poller can
see while the work's own transaction is still open, a crash that leaks nothing, a task that runs once."""

import logging
import uuid

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_tasks_db.models import DBTaskResult

from credentials.models import Learner
from registry.choices import TaskKind, TaskState
from registry.models import TaskRecord
from registry.services.tasks import TaskCrashed, TaskProgress, task_run
from tests import factories

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CSV = (
    "personal_number,given_name,family_name,date_of_birth,cohort\n"
    "1100000001,Ardita,Krasniqi,1996-04-12,SEN-8\n"
    "1100000002,Besa,Gashi,1997-01-02,SEN-8\n"
    "1100000003,Arbër,Çeku,1998-03-04,\n"
)


@pytest.mark.django_db(transaction=True)
def test_a_task_waits_in_the_database_queue_until_a_worker_runs_it(settings, client_for, task_worker_logging):
    settings.TASKS = DATABASE_BACKEND
    provider = factories.OrganisationFactory()
    factories.CohortFactory(provider=provider, code="SEN-8", status="running")
    client = client_for(factories.UserFactory(organisation=provider))
    file = SimpleUploadedFile("learners.csv", CSV.encode(), content_type="text/csv")

    response = client.post(
        "/api/v1/learners/import", {"file": file}, format="multipart", headers={"Prefer": "respond-async"}
    )

    assert response.status_code == 202
    queued = client.get(response["Location"]).json()
    assert queued["state"] == "queued" and queued["progress"] == {"done": 0, "total": 3}
    assert not Learner.objects.exists()
    # The queue row carries the record's id only: the file (personal data) stays in the record until it has run.
    (queue_row,) = DBTaskResult.objects.all()
    assert queue_row.args_kwargs == {"args": [queued["id"]], "kwargs": {}}

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    done = client.get(response["Location"]).json()
    assert done["state"] == "succeeded", done
    assert done["progress"] == {"done": 3, "total": 3}
    assert done["result"]["created"] == 3 and done["result"]["enrolled"] == 2
    assert Learner.objects.count() == 3
    assert bytes(TaskRecord.objects.get().payload) == b""
    queue_row.refresh_from_db()
    assert queue_row.status == "SUCCESSFUL" and queue_row.return_value is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_works_transaction_is_seen_at_once_by_another_connection():
    """Imports and issuance write in one transaction (all or nothing), yet whoever polls the task sees how far
    they got: on PostgreSQL the progress goes through a connection of its own."""
    record = TaskRecord.objects.create(kind=TaskKind.LEARNERS_IMPORT, total=10)
    params = connection.get_connection_params()
    poller = psycopg2.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}
    )
    poller.autocommit = True
    progress = TaskProgress(record)
    try:
        with transaction.atomic():
            progress("write", 5, 10)
            with poller.cursor() as cursor:
                cursor.execute("SELECT stage, done, total FROM registry_taskrecord WHERE id = %s", [str(record.pk)])
                assert cursor.fetchone() == ("write", 5, 10)
    finally:
        progress.close()
        poller.close()


QUOTED = "1100000042"


def _crash(record, actor, progress):
    # What a database error looks like: its DETAIL quotes the row, personal number included.
    raise IntegrityError(f"duplicate key value violates unique constraint\nDETAIL: Key (personal_number)=({QUOTED})")


@pytest.mark.django_db
def test_a_crashed_task_fails_without_repeating_what_the_error_quoted(caplog):
    record = TaskRecord.objects.create(kind=TaskKind.LEARNERS_IMPORT, total=1, payload=f"{QUOTED},Ardita".encode())

    with caplog.at_level(logging.INFO), pytest.raises(TaskCrashed) as info:
        task_run(str(record.pk), _crash)

    record.refresh_from_db()
    assert record.state == TaskState.FAILED and record.result is None
    assert record.error["code"] == "task_crashed"
    assert bytes(record.payload) == b""
    # Neither the task framework (which stores and logs the exception) nor our log gets the quoted values.
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert QUOTED not in str(info.value) and QUOTED not in str(record.error)
    assert QUOTED not in caplog.text
    assert "IntegrityError" in caplog.text and "_crash" in caplog.text  # what the operators need


@pytest.mark.django_db
def test_a_task_runs_its_work_once():
    record = TaskRecord.objects.create(kind=TaskKind.LEARNERS_IMPORT, total=1)
    runs = []

    def work(record, actor, progress):
        runs.append(record.pk)
        return {"ran": len(runs)}

    task_run(str(record.pk), work)
    task_run(str(record.pk), work)  # the same task delivered again (a worker restarted after finishing it)

    record.refresh_from_db()
    assert runs == [record.pk] and record.result == {"ran": 1} and record.state == TaskState.SUCCEEDED


@pytest.mark.django_db
def test_task_ids_are_random_uuids():
    ids = {TaskRecord.objects.create(kind=TaskKind.LEARNERS_IMPORT).pk for _ in range(3)}
    assert len(ids) == 3 and all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)


def _running_record(*, silent_for_seconds: int, **values) -> TaskRecord:
    from datetime import timedelta

    from django.utils import timezone

    beat = timezone.now() - timedelta(seconds=silent_for_seconds)
    return TaskRecord.objects.create(
        kind=TaskKind.LEARNERS_IMPORT,
        state=TaskState.RUNNING,
        started_at=beat,
        heartbeat_at=beat,
        payload=b"personal_number,...\n1100000001,...",
        total=10,
        **values,
    )


@pytest.mark.django_db
def test_a_task_whose_worker_went_silent_reads_failed_and_its_file_is_gone(settings, client_for):
    settings.TASK_STALE_SECONDS = 600
    provider = factories.OrganisationFactory()
    client = client_for(factories.UserFactory(organisation=provider))
    lost = _running_record(silent_for_seconds=601, organisation=provider)
    alive = _running_record(silent_for_seconds=30, organisation=provider)

    answer = client.get(f"/api/v1/tasks/{lost.pk}").json()

    assert answer["state"] == "failed" and answer["error"]["code"] == "worker_lost"
    lost.refresh_from_db()
    assert bytes(lost.payload) == b"" and lost.finished_at is not None
    assert client.get(f"/api/v1/tasks/{alive.pk}").json()["state"] == "running"
    alive.refresh_from_db()
    assert bytes(alive.payload) != b""


@pytest.mark.django_db
def test_sweep_tasks_fails_every_silent_task_and_leaves_the_rest(settings):
    settings.TASK_STALE_SECONDS = 600
    lost = [_running_record(silent_for_seconds=3600) for _ in range(2)]
    alive = _running_record(silent_for_seconds=10)
    queued = TaskRecord.objects.create(kind=TaskKind.LEARNERS_IMPORT)  # waiting for a worker is not being lost
    finished = TaskRecord.objects.create(kind=TaskKind.LEARNERS_IMPORT, state=TaskState.SUCCEEDED)

    call_command("sweep_tasks", verbosity=0)

    states = dict(TaskRecord.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in lost] == [TaskState.FAILED, TaskState.FAILED]
    assert states[alive.pk] == TaskState.RUNNING
    assert states[queued.pk] == TaskState.QUEUED and states[finished.pk] == TaskState.SUCCEEDED


@pytest.mark.django_db(transaction=True)  # progress goes through a second connection: it must see the record
def test_progress_is_a_heartbeat_that_keeps_a_long_task_alive(settings):
    settings.TASK_STALE_SECONDS = 600
    record = _running_record(silent_for_seconds=3600)

    TaskProgress(record)("rows", 5, 10)  # the worker is alive after all: it just wrote progress

    call_command("sweep_tasks", verbosity=0)
    record.refresh_from_db()
    assert record.state == TaskState.RUNNING and record.done == 5
