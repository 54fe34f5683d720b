"""The verification API: facts and checks for every status, no caching of status, the query budget,
scanned QR texts with their signed token, serial number + date of birth, batches."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from credentials.choices import CertificateStatus
from credentials.models import VerificationEvent
from credentials.services.lifecycle import certificate_revoke
from credentials.tokens import jws_token, verification_url
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _get(client, vid):
    return client.get(f"/api/v1/verifications/{vid}")


def test_a_valid_certificate_shows_its_printed_facts_and_every_check(anon_client, certificate):
    response = _get(anon_client, certificate.verification_id)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "valid" and body["valid"] is True
    facts = body["certificate"]
    assert facts["serial_number"] == certificate.serial_number
    assert facts["holder_name"] == "Ardita Krasniqi"
    assert facts["qualification"]["eqf_level"] == 5
    assert facts["provider"]["name"] == certificate.provider.name
    assert facts["awarding_body"]["name"] == certificate.awarding_body.name
    assert facts["awarded_on"] == "2026-06-01"
    checks = {c["check"]: (c["result"], c["code"]) for c in body["checks"]}
    assert checks == {
        "signature": ("ok", "signature_valid"),
        "status": ("ok", "status_valid"),
        "accreditation": ("ok", "accreditation_in_force_on_award_date"),
        "equivalency": ("skipped", "equivalency_not_needed"),
    }
    assert body["compare_with_id_card"]
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_revoking_makes_the_very_next_verification_say_revoked(anon_client, certificate):
    assert _get(anon_client, certificate.verification_id).json()["outcome"] == "valid"
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="MESTI-2026-7")
    body = _get(anon_client, certificate.verification_id).json()
    assert body["outcome"] == "revoked" and body["valid"] is False
    assert body["certificate"]["status"] == "revoked"
    assert body["certificate"]["status_changed_on"] == timezone.localdate().isoformat()
    status = next(c for c in body["checks"] if c["check"] == "status")
    assert status["result"] == "failed" and status["code"] == "status_revoked"
    page = anon_client.get(f"/v/{certificate.verification_id}?lang=en")
    assert b"REVOKED" in page.content


@pytest.mark.parametrize(
    ("status", "code"),
    [("suspended", "status_suspended"), ("superseded", "status_superseded")],
)
def test_suspended_and_superseded_certificates_say_so(anon_client, status, code):
    certificate = factories.CertificateFactory(status=status, status_changed_at=timezone.now())
    body = _get(anon_client, certificate.verification_id).json()
    assert body["outcome"] == status and body["valid"] is False
    assert next(c for c in body["checks"] if c["check"] == "status")["code"] == code


def test_a_tampered_record_fails_the_signature_check(anon_client):
    certificate = factories.CertificateFactory(signature="A" * 86)
    body = _get(anon_client, certificate.verification_id).json()
    assert {c["check"]: c["result"] for c in body["checks"]}["signature"] == "failed"
    assert body["valid"] is False


def test_an_accreditation_not_in_force_on_the_award_date_fails_its_check(anon_client):
    certificate = factories.CertificateFactory(
        awarded_on=datetime.date(2023, 6, 1), issued_on=datetime.date(2023, 6, 2)
    )
    body = _get(anon_client, certificate.verification_id).json()
    check = next(c for c in body["checks"] if c["check"] == "accreditation")
    assert (check["result"], check["code"]) == ("failed", "accreditation_not_in_force_on_award_date")


def test_a_later_suspension_of_the_accreditation_does_not_invalidate_the_certificate(anon_client, certificate):
    certificate.accreditation.status = "suspended"
    certificate.accreditation.save()
    body = _get(anon_client, certificate.verification_id).json()
    assert next(c for c in body["checks"] if c["check"] == "accreditation")["result"] == "ok"


def test_a_foreign_qualification_needs_its_equivalency(anon_client):
    equivalency = factories.EquivalencyFactory()
    qualification = equivalency.qualification
    enrolment = factories.issuable_enrolment(curriculum=factories.CurriculumFactory(qualification=qualification))
    with_eq = factories.CertificateFactory(enrolment=enrolment, equivalency=equivalency)
    check = next(c for c in _get(anon_client, with_eq.verification_id).json()["checks"] if c["check"] == "equivalency")
    assert (check["result"], check["code"]) == ("ok", "equivalency_in_force_on_award_date")

    enrolment2 = factories.issuable_enrolment(curriculum=factories.CurriculumFactory(qualification=qualification))
    without = factories.CertificateFactory(enrolment=enrolment2)
    check = next(c for c in _get(anon_client, without.verification_id).json()["checks"] if c["check"] == "equivalency")
    assert (check["result"], check["code"]) == ("failed", "equivalency_missing")


def test_ids_are_read_per_crockford(anon_client, certificate):
    vid = certificate.verification_id
    messy = "-".join(vid[i : i + 4] for i in range(0, 26, 4)).lower().replace("0", "o").replace("1", "l")
    assert _get(anon_client, messy).json()["certificate"]["verification_id"] == vid
    spaced = " ".join(vid[i : i + 5] for i in range(0, 26, 5))
    response = anon_client.post("/api/v1/verifications", {"verification_id": spaced}, format="json")
    assert response.json()["certificate"]["verification_id"] == vid


def test_unknown_id_is_404_with_a_code_and_is_logged(anon_client):
    response = _get(anon_client, "0" * 26)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    event = VerificationEvent.objects.get()
    assert (event.outcome, event.certificate_id, event.verification_id_tried) == ("not_found", None, "0" * 26)


@pytest.mark.parametrize("with_token", [False, True])
def test_verification_costs_at_most_three_queries_with_a_verifier_token(
    client_for, verifier_user, certificate, django_assert_max_num_queries, with_token
):
    client = client_for(verifier_user)
    with django_assert_max_num_queries(3):
        if with_token:
            response = client.post("/api/v1/verifications", {"qr": verification_url(certificate)}, format="json")
        else:
            response = _get(client, certificate.verification_id)
    assert response.status_code == 200
    event = VerificationEvent.objects.get()
    assert event.verifier_organisation_id == verifier_user.organisation_id
    assert event.channel == ("qr" if with_token else "api")


@pytest.mark.parametrize("vid", ["valid", "0" * 26, "not-an-id!", "revoked"])
def test_unknown_malformed_and_revoked_ids_cost_the_same_queries(anon_client, django_assert_num_queries, vid):
    certificate = factories.CertificateFactory()
    if vid == "revoked":
        certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="X")
    if vid in ("valid", "revoked"):
        vid = certificate.verification_id
    # PostgreSQL: the lookup and the event in one statement, whatever the id (SQLite, for local work: two).
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        _get(anon_client, vid)
    assert VerificationEvent.objects.count() == 1


def test_a_scanned_qr_with_its_signed_token_adds_a_token_check(anon_client, certificate):
    response = anon_client.post("/api/v1/verifications", {"qr": verification_url(certificate)}, format="json")
    assert response.status_code == 200
    assert {"check": "token", "result": "ok"}.items() <= response.json()["checks"][-1].items()


def test_a_token_of_another_certificate_is_refused_and_logged_as_token_mismatch(anon_client, certificate):
    other = factories.CertificateFactory()
    # A compact token signs the verification id of its URL: another certificate's does not verify under this one.
    # A JWS (printed before ADR 0017) verifies, but describes another certificate.
    for token, code in ((other.qr_token, "token_bad_signature"), (jws_token(other), "token_claims_mismatch")):
        text = f"{verification_url(certificate, with_token=False)}#{token}"
        response = anon_client.post("/api/v1/verifications", {"qr": text}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == code
    # Its own outcome, logged against the certificate the URL names: its provider sees an altered QR code.
    assert {(e.outcome, e.certificate_id) for e in VerificationEvent.objects.all()} == {
        ("token_mismatch", certificate.pk)
    }


def test_a_date_of_birth_answers_only_whether_it_matches(anon_client, certificate):
    ok = anon_client.post(
        "/api/v1/verifications",
        {"serial_number": certificate.serial_number.lower(), "date_of_birth": "1995-04-12"},
        format="json",
    ).json()
    assert ok["date_of_birth_matches"] is True and ok["certificate"]["serial_number"] == certificate.serial_number
    also_ok = anon_client.post(
        "/api/v1/verifications",
        {"serial_number": certificate.serial_number, "date_of_birth": "12.04.1995"},
        format="json",
    ).json()
    assert also_ok["date_of_birth_matches"] is True
    wrong = anon_client.post(
        "/api/v1/verifications",
        {"serial_number": certificate.serial_number, "date_of_birth": "1995-04-13"},
        format="json",
    )
    assert wrong.status_code == 200
    body = wrong.json()
    assert body["date_of_birth_matches"] is False and body["outcome"] == "date_of_birth_mismatch"
    assert body["certificate"] is None and body["checks"] == [] and body["valid"] is False
    assert body["verification_id"] is None


def test_date_of_birth_guesses_are_capped_per_serial(anon_client, client_for, verifier_user, certificate):
    for day in range(1, 11):
        body = anon_client.post(
            "/api/v1/verifications",
            {"serial_number": certificate.serial_number, "date_of_birth": f"1990-01-{day:02d}"},
            format="json",
        ).json()
        assert body["date_of_birth_matches"] is False
        cache.delete_many([k for k in ("throttle_verify_anon_127.0.0.1",)])
    # Even the right date, from another caller, is refused now: the cap is per serial number.
    response = client_for(verifier_user).post(
        "/api/v1/verifications",
        {"serial_number": certificate.serial_number, "date_of_birth": "1995-04-12"},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"


def test_exactly_one_form_per_request(anon_client, certificate):
    response = anon_client.post(
        "/api/v1/verifications", {"qr": certificate.verification_id, "verification_id": "x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    assert anon_client.post("/api/v1/verifications", {}, format="json").status_code == 400
    assert VerificationEvent.objects.count() == 0


# --- batches ------------------------------------------------------------------------------------------------


def test_a_batch_answers_each_item_with_constant_queries(client_for, verifier_user, django_assert_max_num_queries):
    certificates = factories.CertificateFactory.create_batch(3)
    certificate_revoke(actor=None, certificate=certificates[1], reason_code="fraud", reference="X")
    items = [{"verification_id": c.verification_id} for c in certificates]
    items += [
        {"qr": verification_url(certificates[0])},
        {"verification_id": "0" * 26},
        {"verification_id": "HC1:NCFOXN"},
        {"serial_number": certificates[2].serial_number, "date_of_birth": "1995-04-12"},
        {"serial_number": certificates[2].serial_number, "date_of_birth": "12/04/1995"},
    ]
    client = client_for(verifier_user)
    with django_assert_max_num_queries(4):  # token, ids, serials, one INSERT for every event
        response = client.post("/api/v1/verifications", {"items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 8 and body["valid_count"] == 4
    outcomes = [r["result"]["outcome"] if r["result"] else r["error"]["code"] for r in body["results"]]
    assert outcomes == [
        "valid",
        "revoked",
        "valid",
        "valid",
        "not_found",
        "invalid_characters",
        "valid",
        "invalid_date_of_birth",
    ]
    assert VerificationEvent.objects.filter(channel="batch").count() == 8


def test_a_batch_of_500_is_fine_and_501_is_refused(
    client_for, verifier_user, certificate, django_assert_max_num_queries
):
    client = client_for(verifier_user)
    items = [{"verification_id": certificate.verification_id}] * 500
    # SQLite caps the parameters of one statement, so Django splits the 500-row event insert there.
    budget = 4 if connection.vendor == "postgresql" else 8
    with django_assert_max_num_queries(budget):
        assert client.post("/api/v1/verifications", {"items": items}, format="json").status_code == 200
    assert VerificationEvent.objects.count() == 500
    response = client.post("/api/v1/verifications", {"items": items + items[:1]}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "batch_too_large"
    assert client.post("/api/v1/verifications", {"items": []}, format="json").json()["error"]["code"] == "empty"
    assert VerificationEvent.objects.count() == 500


def test_batches_are_for_verifiers_and_the_ministry_only(anon_client, ministry_client, provider_client, certificate):
    payload = {"items": [{"verification_id": certificate.verification_id}]}
    assert anon_client.post("/api/v1/verifications", payload, format="json").status_code == 401
    refused = provider_client.post("/api/v1/verifications", payload, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert VerificationEvent.objects.count() == 0
    assert ministry_client.post("/api/v1/verifications", payload, format="json").status_code == 200


def test_the_status_is_never_cached_even_within_one_batch_run(client_for, verifier_user, certificate):
    client = client_for(verifier_user)
    payload = {"items": [{"verification_id": certificate.verification_id}]}
    assert client.post("/api/v1/verifications", payload, format="json").json()["valid_count"] == 1
    certificate.status = CertificateStatus.SUSPENDED
    certificate.save()
    assert client.post("/api/v1/verifications", payload, format="json").json()["valid_count"] == 0
