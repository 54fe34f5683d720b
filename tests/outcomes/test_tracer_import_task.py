"""A large tracer import runs as a background task (ADR 0009): 202, then the task with the answer or the rows."""

import pytest

from outcomes.models import TracerResponse
from registry.models import TaskRecord

from .conftest import make_cohort, make_graduate
from .test_tracer_import import HEADER, row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.BACKGROUND_THRESHOLD = 2


def test_a_large_tracer_import_answers_202_and_its_task_imports_every_row(client_for, provider_user, cohort):
    graduates = [make_graduate(cohort) for _ in range(3)]
    client = client_for(provider_user)

    response = upload(client, "\n".join([HEADER, *(row(c) for c in graduates)]))

    assert response.status_code == 202
    task = client.get(response["Location"]).json()
    assert task["kind"] == "tracer_import" and task["state"] == "succeeded"
    assert task["result"] == {
        "imported": 3,
        "ids": sorted(TracerResponse.objects.values_list("pk", flat=True)),
        "dry_run": False,
    }
    assert task["progress"] == {"done": 3, "total": 3}
    assert TracerResponse.objects.count() == 3


def test_a_failing_tracer_import_task_names_line_field_and_code_and_imports_nothing(client_for, provider_user, cohort):
    graduates = [make_graduate(cohort) for _ in range(2)]
    stranger = make_graduate(make_cohort())
    client = client_for(provider_user)
    text = "\n".join([HEADER, row(graduates[0]), row(graduates[1], employment_status="retired"), row(stranger)])

    task = client.get(upload(client, text)["Location"]).json()

    assert task["state"] == "failed" and task["error"]["code"] == "import_invalid"
    assert {(r["line"], r["field"], r["code"]) for r in task["error"]["rows"]} == {
        (3, "employment_status", "invalid_choice"),
        (4, "serial_number", "unknown_certificate"),
    }
    assert stranger.serial_number not in str(task)
    assert TracerResponse.objects.count() == 0


def test_a_tracer_file_with_a_bad_header_is_a_400_and_starts_no_task(client_for, provider_user):
    response = upload(client_for(provider_user), "serial_number,shoe_size\n" + "X,42\n" * 5)
    assert response.status_code == 400 and response.json()["error"]["code"] == "import_invalid"
    assert not TaskRecord.objects.exists()
