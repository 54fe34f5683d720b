"""An upload larger than UPLOAD_MAX_BYTES is refused before Django writes it to a temporary file (core/uploads.py):
a 400, nothing written, in the back office and in the API alike; an upload under it goes on to the view's own
limits and checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import UploadCeiling
from tests.credentials.backoffice.conftest import snapshot, text

CEILING = 4096
IMPORT = "/admin/credentials/learner/import/"
API_IMPORT = "/api/v1/learners/import"
HEADER = "personal_number,given_name,family_name,date_of_birth,gender,municipality,email\n"


@pytest.fixture(autouse=True)
def _small_ceiling(settings):
    settings.UPLOAD_MAX_BYTES = CEILING


def csv_file(size: int) -> SimpleUploadedFile:
    """A learners CSV of whole rows, about `size` bytes."""
    rows = [f"11{n:08d},Ardit,Krasniqi,1990-01-01,m,,\n" for n in range(max(1, (size - len(HEADER)) // 37))]
    return SimpleUploadedFile("learners.csv", (HEADER + "".join(rows)).encode(), content_type="text/csv")


def test_the_back_office_refuses_an_upload_over_the_ceiling_and_writes_nothing(world, provider_client):
    before = snapshot()
    response = provider_client.post(IMPORT, {"kind": "learners_import", "file": csv_file(CEILING * 2)})
    assert response.status_code == 400
    assert snapshot() == before


def test_an_upload_under_the_ceiling_reaches_the_view(world, provider_client):
    response = provider_client.post(
        IMPORT, {"kind": "learners_import", "file": csv_file(CEILING // 4), "dry_run": "on"}
    )
    assert response.status_code == 200 and "backoffice" in text(response)


def test_the_api_answers_too_large_in_its_error_shape(world, client_for):
    client = client_for(world["provider_user"])
    before = snapshot()
    response = client.post(API_IMPORT, {"file": csv_file(CEILING * 2)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert snapshot() == before


def test_a_body_that_announces_no_length_is_counted_as_it_arrives():
    handler = UploadCeiling()
    handler.handle_raw_input(None, {}, 0, b"boundary")
    assert handler.receive_data_chunk(b"x" * CEILING, 0) == b"x" * CEILING
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"x", CEILING)


def test_a_verifier_refused_by_its_role_is_still_refused_first_or_by_size(world, verifier_client):
    """Nothing about a provider's import page reaches a verifier, whatever the size of what it sends."""
    response = verifier_client.post(IMPORT, {"kind": "learners_import", "file": csv_file(CEILING // 4)})
    assert response.status_code == 403
