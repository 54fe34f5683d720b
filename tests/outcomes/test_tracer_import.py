"""CSV import of tracer responses: every row validated first; one bad row imports nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from outcomes.models import TracerResponse
from registry.models import AuditEntry

from .conftest import make_cohort, make_graduate

URL = "/api/v1/tracer-responses/import"
HEADER = (
    "serial_number,wave,employment_status,employer,employer_name,work_municipality,months_to_first_job,"
    "job_uses_qualification,would_choose_again,responded_on,satisfaction_communication,satisfaction_care_and_safety"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduates(cohort):
    return [make_graduate(cohort) for _ in range(3)]


def row(certificate, **overrides):
    values = {
        "serial_number": certificate.serial_number,
        "wave": "6",
        "employment_status": "employed_municipality",
        "employer": "",
        "employer_name": "Komuna e Prizrenit",
        "work_municipality": "prizren",
        "months_to_first_job": "2",
        "job_uses_qualification": "po",
        "would_choose_again": "yes",
        "responded_on": "2026-07-01",
        "satisfaction_communication": "4",
        "satisfaction_care_and_safety": "5",
    }
    values.update(overrides)
    return ",".join(values[c] for c in HEADER.split(","))


def upload(client, text, **params):
    """Asked in English: the row messages are in the request's language."""
    file = SimpleUploadedFile("tracer.csv", text.encode(), content_type="text/csv")
    return client.post(
        URL + ("?dry_run=1" if params.get("dry_run") else ""),
        {"file": file},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_good_file_imports_every_row(client_for, provider_user, graduates):
    text = "\n".join([HEADER, *(row(c) for c in graduates), row(graduates[0], wave="12", responded_on="2026-08-01")])

    response = upload(client_for(provider_user), text)

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "imported": 4,
        "ids": sorted(TracerResponse.objects.values_list("pk", flat=True)),
        "dry_run": False,
    }
    saved = TracerResponse.objects.get(certificate=graduates[1])
    assert saved.source == "import"
    assert saved.job_uses_qualification is True
    assert saved.skills_satisfaction == {"communication": 4, "care_and_safety": 5}
    assert float(saved.skills_mean) == 4.5
    assert AuditEntry.objects.filter(object_type="outcomes.tracerresponse", action="import").count() == 4


def test_a_csv_body_imports_too(client_for, provider_user, graduates):
    text = "\n".join([HEADER, row(graduates[0])])

    response = client_for(provider_user).generic("POST", URL, text.encode(), content_type="text/csv")

    assert response.status_code == 201, response.json()
    assert TracerResponse.objects.count() == 1


def test_one_bad_row_imports_nothing_and_names_line_and_field(client_for, provider_user, graduates):
    text = "\n".join(
        [
            HEADER,
            row(graduates[0]),
            row(graduates[1], satisfaction_communication="9"),
            row(graduates[2], employment_status="retired"),
            row(graduates[0]),  # the same graduate and wave as line 2
        ]
    )

    response = upload(client_for(provider_user), text)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_invalid"
    problems = {(r["line"], r["field"]) for r in error["rows"]}
    assert problems == {(3, "skills_satisfaction"), (4, "employment_status"), (5, "wave")}
    assert "line 4: employment_status" in error["fields"]
    assert TracerResponse.objects.count() == 0


def test_a_provider_imports_only_for_its_own_certificates(client_for, provider_user, graduates):
    stranger = make_graduate(make_cohort())
    text = "\n".join([HEADER, row(graduates[0]), row(stranger)])

    response = upload(client_for(provider_user), text)

    assert response.status_code == 400
    assert response.json()["error"]["rows"] == [
        {
            "line": 3,
            "field": "serial_number",
            "code": "unknown_certificate",
            "message": "No certificate with this serial number among yours.",
        }
    ]
    assert TracerResponse.objects.count() == 0


def test_the_ministry_imports_for_any_provider(ministry_client, graduates):
    stranger = make_graduate(make_cohort())
    text = "\n".join([HEADER, row(graduates[0]), row(stranger)])

    assert upload(ministry_client, text).status_code == 201
    assert TracerResponse.objects.count() == 2


def test_unknown_and_missing_columns_are_reported_on_line_one(client_for, provider_user, graduates):
    response = upload(client_for(provider_user), "serial_number,shoe_size\nX,42\n")

    assert response.status_code == 400
    rows = response.json()["error"]["rows"]
    assert {"line": 1, "field": "shoe_size", "code": "unknown_column", "message": "Unknown column."} in rows
    assert {"line": 1, "field": "wave", "code": "missing_column", "message": "Missing column."} in rows


def test_a_dry_run_validates_and_writes_nothing(client_for, provider_user, graduates):
    text = "\n".join([HEADER, row(graduates[0])])

    response = upload(client_for(provider_user), text, dry_run=True)

    assert response.status_code == 200
    assert response.json() == {"imported": 1, "ids": [], "dry_run": True}
    assert TracerResponse.objects.count() == 0


def test_refused_callers_import_nothing(anon_client, client_for, graduates):
    from tests import factories as f

    text = "\n".join([HEADER, row(graduates[0])])

    assert upload(anon_client, text).status_code == 401
    assert upload(client_for(f.UserFactory(verifier=True)), text).status_code == 403
    assert TracerResponse.objects.count() == 0


@pytest.mark.parametrize("rows", [5, 60])
def test_the_import_costs_queries_per_file_not_per_lookup(
    client_for, provider_user, cohort, rows, django_assert_max_num_queries
):
    graduates = [make_graduate(cohort) for _ in range(rows)]
    text = "\n".join([HEADER, *(row(c) for c in graduates)])
    client = client_for(provider_user)

    # Lookups are a constant handful; each row then costs one insert-audit pair.
    with django_assert_max_num_queries(12 + rows):
        response = upload(client, text)

    assert response.status_code == 201
