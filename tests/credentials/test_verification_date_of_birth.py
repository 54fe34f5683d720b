"""Serial number + date of birth: the answer is "matches" or "does not match" and nothing else (DESIGN.md,
"Verification must never mislead"). Serials are sequential, so anything more on a mismatch (the verification id,
which opens the holder's name) would let anyone list every holder."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.models import VerificationEvent
from tests import factories

pytestmark = pytest.mark.django_db

RIGHT_DOB = "1995-04-12"  # the factory learner's
UNKNOWN_SERIAL = "TEST-2026-999999"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _ask(client, serial, dob):
    return client.post("/api/v1/verifications", {"serial_number": serial, "date_of_birth": dob}, format="json")


def _without_time(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "verified_at"}


MISMATCH = {
    "verification_id": None,
    "outcome": "date_of_birth_mismatch",
    "valid": False,
    "certificate": None,
    "checks": [],
    "date_of_birth_matches": False,
    "compare_with_id_card": None,
}


def test_a_date_of_birth_that_does_not_match_reveals_only_its_outcome(anon_client, certificate):
    response = _ask(anon_client, certificate.serial_number, "1995-04-13")
    assert response.status_code == 200
    assert _without_time(response.json()) == MISMATCH
    text = response.content.decode()
    for secret in (certificate.verification_id, "Ardita", "Krasniqi", '"outcome":"valid"', certificate.provider.name):
        assert secret not in text, secret


def test_a_date_of_birth_that_does_not_match_is_its_own_outcome_in_a_batch(client_for, verifier_user, certificate):
    items = [
        {"serial_number": certificate.serial_number, "date_of_birth": "1995-04-13"},
        {"serial_number": UNKNOWN_SERIAL, "date_of_birth": "1995-04-13"},
        {"serial_number": certificate.serial_number, "date_of_birth": RIGHT_DOB},
    ]
    response = client_for(verifier_user).post("/api/v1/verifications", {"items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    wrong, unknown, right = (item["result"] for item in body["results"])
    assert _without_time(wrong) == MISMATCH and _without_time(unknown) == MISMATCH
    assert right["outcome"] == "valid" and right["verification_id"] == certificate.verification_id
    assert body["valid_count"] == 1
    assert response.content.decode().count(certificate.verification_id) == 2  # the match only (id and facts)


def test_an_unknown_serial_answers_exactly_as_a_date_of_birth_that_does_not_match(anon_client, certificate):
    with CaptureQueriesContext(connection) as known:
        wrong = _ask(anon_client, certificate.serial_number, "1995-04-13")
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown = _ask(anon_client, UNKNOWN_SERIAL, "1995-04-13")
    assert unknown.status_code == wrong.status_code == 200
    assert _without_time(unknown.json()) == _without_time(wrong.json()) == MISMATCH
    assert len(unknown_queries) == len(known)  # the same statements: lookup by serial, then the event
    events = list(VerificationEvent.objects.order_by("id").values("outcome", "certificate_id", "verification_id_tried"))
    assert events == [{"outcome": "date_of_birth_mismatch", "certificate_id": None, "verification_id_tried": ""}] * 2


def test_unknown_serials_count_towards_the_guess_cap_as_known_ones_do(
    anon_client, client_for, verifier_user, certificate
):
    verifier = client_for(verifier_user)  # its own, higher quota: the cap is per serial, not per caller
    for day in range(1, 11):
        assert _ask(verifier, certificate.serial_number, f"1990-01-{day:02d}").status_code == 200
        assert _ask(verifier, UNKNOWN_SERIAL, f"1990-01-{day:02d}").status_code == 200
    known, unknown = (
        _ask(anon_client, certificate.serial_number, RIGHT_DOB),
        _ask(anon_client, UNKNOWN_SERIAL, RIGHT_DOB),
    )
    assert known.status_code == unknown.status_code == 429
    assert known.json()["error"]["code"] == unknown.json()["error"]["code"] == "too_many_attempts"
    # A refused guess is not a verification: nothing logged for it (as for a throttled request).
    assert VerificationEvent.objects.count() == 20


def test_a_batch_cannot_guess_past_the_cap(client_for, verifier_user, certificate):
    items = [{"serial_number": certificate.serial_number, "date_of_birth": f"1990-01-{d:02d}"} for d in range(1, 15)]
    items.append({"serial_number": certificate.serial_number, "date_of_birth": RIGHT_DOB})
    body = client_for(verifier_user).post("/api/v1/verifications", {"items": items}, format="json").json()
    codes = [r["result"]["outcome"] if r["result"] else r["error"]["code"] for r in body["results"]]
    assert codes == ["date_of_birth_mismatch"] * 10 + ["too_many_attempts"] * 5
    assert certificate.verification_id not in str(body)


def test_a_match_returns_the_normal_verification_answer(anon_client, certificate):
    body = _ask(anon_client, certificate.serial_number, RIGHT_DOB).json()
    assert body["outcome"] == "valid" and body["valid"] is True and body["date_of_birth_matches"] is True
    assert body["verification_id"] == certificate.verification_id
    assert body["certificate"]["holder_name"] == "Ardita Krasniqi"
    assert [c["check"] for c in body["checks"]] == ["signature", "status", "accreditation", "equivalency"]
    event = VerificationEvent.objects.get()
    assert (event.outcome, event.certificate_id) == ("valid", certificate.pk)


def test_the_verifiers_event_log_shows_no_verification_id_for_a_failed_match(client_for, verifier_user, certificate):
    verifier = client_for(verifier_user)
    _ask(verifier, certificate.serial_number, "1995-04-13")
    _ask(verifier, UNKNOWN_SERIAL, "1995-04-13")
    response = verifier.get("/api/v1/verification-events")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [e["outcome"] for e in results] == ["date_of_birth_mismatch"] * 2
    for event in results:
        assert (event["certificate"], event["serial_number"], event["verification_id_tried"]) == (None, None, "")
    assert certificate.verification_id not in response.content.decode()
    # Nor can its filters tell a wrong date from an unknown serial.
    for query in ({"serial_number": certificate.serial_number}, {"certificate": certificate.pk}):
        assert verifier.get("/api/v1/verification-events", query).json()["results"] == []
