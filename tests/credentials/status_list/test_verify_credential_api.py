"""POST /api/v1/verifications with a verifiable credential document as the body."""

import pytest

from credentials.models import VerificationEvent
from credentials.services import certificate_reinstate, certificate_reissue, certificate_revoke, certificate_suspend
from credentials.signing import generate_signing_key
from credentials.vc.did import issuer_did
from credentials.vc.proof import add_proof, create_proof
from tests.credentials.status_list.credential_fixtures import (
    minimal_credential,
    tampered,
    unsigned_minimal_credential,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/verifications"


def _post(client, body):
    return client.post(URL, body, format="json")


def _checks(body):
    return {c["check"]: (c["result"], c["code"]) for c in body["checks"]}


def test_a_valid_credential_verifies(anon_client, certificate):
    response = _post(anon_client, minimal_credential(certificate))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["outcome"] == "valid" and body["valid"] is True
    assert body["verification_id"] == certificate.verification_id
    assert body["certificate"]["serial_number"] == certificate.serial_number
    assert _checks(body) == {
        "issuer": ("ok", "issuer_key_known"),
        "proof": ("ok", "proof_valid"),
        "status": ("ok", "status_valid"),
        "accreditation": ("ok", "accreditation_in_force_on_award_date"),
        "equivalency": ("skipped", "equivalency_not_needed"),
    }
    event = VerificationEvent.objects.get()
    assert (event.certificate_id, event.outcome, event.channel) == (certificate.pk, "valid", "api")
    assert response["Cache-Control"] == "no-store"


def test_the_registrys_own_credential_verifies(anon_client, certificate):
    pytest.importorskip("credentials.vc.credential")
    from tests.credentials.status_list.credential_fixtures import registry_credential

    body = _post(anon_client, registry_credential(certificate)).json()
    assert body["outcome"] == "valid" and body["valid"] is True, body


def test_a_revoked_credential_is_revoked(anon_client, certificate):
    document = minimal_credential(certificate)  # signed while valid: the status lists answer now
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    body = _post(anon_client, document).json()
    assert body["outcome"] == "revoked" and body["valid"] is False
    assert _checks(body)["status"] == ("failed", "status_revoked")
    assert _checks(body)["proof"] == ("ok", "proof_valid")


def test_a_suspended_then_reinstated_credential(anon_client, certificate):
    document = minimal_credential(certificate)
    certificate_suspend(actor=None, certificate=certificate, reason_code="other", reference="Inquiry")
    body = _post(anon_client, document).json()
    assert body["outcome"] == "suspended" and _checks(body)["status"] == ("failed", "status_suspended")
    certificate_reinstate(actor=None, certificate=certificate, reference="closed")
    body = _post(anon_client, document).json()
    assert body["outcome"] == "valid" and _checks(body)["status"] == ("ok", "status_valid")


def test_a_superseded_credential(anon_client, certificate):
    document = minimal_credential(certificate)
    certificate_reissue(actor=None, certificate=certificate, given_name="Ardita", family_name="Krasniqi-Berisha")
    body = _post(anon_client, document).json()
    assert body["outcome"] == "superseded" and _checks(body)["status"] == ("failed", "status_superseded")


def test_a_tampered_credential_fails_its_proof(anon_client, certificate):
    body = _post(anon_client, tampered(minimal_credential(certificate))).json()
    assert body["outcome"] == "credential_mismatch" and body["valid"] is False
    assert _checks(body)["proof"] == ("failed", "proof_invalid")
    assert _checks(body)["issuer"] == ("ok", "issuer_key_known")
    assert VerificationEvent.objects.get().outcome == "credential_mismatch"


def test_a_credential_pointing_at_another_index_fails_its_proof(anon_client, certificate, issue):
    other = issue()
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    document = minimal_credential(certificate)
    document["credentialStatus"] = minimal_credential(other)["credentialStatus"]  # a clean index, swapped in
    body = _post(anon_client, document).json()
    assert body["outcome"] == "credential_mismatch" and body["valid"] is False


def test_a_credential_signed_by_an_unknown_key(anon_client, certificate, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    document = unsigned_minimal_credential(certificate)
    document["proof"] = [
        create_proof(
            document,
            created="2026-06-02T10:00:00Z",
            verification_method=f"{issuer_did()}#not-ours",
            private_key=Ed25519PrivateKey.generate(),
        )
    ]
    body = _post(anon_client, document).json()
    assert body["outcome"] == "credential_mismatch" and body["valid"] is False
    assert _checks(body)["issuer"] == ("failed", "issuer_key_unknown")
    assert _checks(body)["proof"] == ("failed", "proof_invalid")


def test_a_credential_of_a_retired_key_still_verifies(anon_client, certificate):
    document = minimal_credential(certificate)
    generate_signing_key()  # rotation: the old key is retired, still published
    body = _post(anon_client, document).json()
    assert body["outcome"] == "valid", body


def test_a_credential_naming_another_issuer(anon_client, certificate):
    document = unsigned_minimal_credential(certificate)
    document["issuer"] = "did:web:elsewhere.example"
    body = _post(anon_client, add_proof(document, created="2026-06-02T10:00:00Z")).json()
    assert body["outcome"] == "credential_mismatch"
    assert _checks(body)["issuer"] == ("failed", "issuer_unknown")


def test_a_credential_this_registry_did_not_issue_is_404(anon_client, certificate):
    document = minimal_credential(certificate)
    document["id"] = "https://elsewhere.example/credentials/1"
    response = _post(anon_client, document)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_an_unknown_verification_id_is_404_and_logged(anon_client, certificate, settings):
    document = minimal_credential(certificate)
    document["id"] = f"{settings.PUBLIC_BASE_URL}/credentials/{'0' * 26}"
    response = _post(anon_client, document)
    assert response.status_code == 404
    assert VerificationEvent.objects.get().outcome == "not_found"


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d.update({"@context": ["https://www.w3.org/2018/credentials/v1"]}), "@context"),
        (lambda d: d.update({"type": ["SomethingElse"]}), "type"),
        (lambda d: d.pop("id"), "id"),
        (lambda d: d.pop("issuer"), "issuer"),
        (lambda d: d.pop("credentialSubject"), "credentialSubject"),
        (lambda d: d.pop("proof"), "proof"),
        (lambda d: d.update({"proof": "signed, trust me"}), "proof"),
        (lambda d: d["credentialStatus"][0].update({"statusListIndex": 5}), "credentialStatus"),
        (lambda d: d["credentialStatus"][0].update({"statusListIndex": "-1"}), "credentialStatus"),
        (lambda d: d.update({"credentialStatus": ["x"]}), "credentialStatus"),
    ],
)
def test_a_body_that_is_not_a_credential_is_a_clear_400_and_nothing_is_written(anon_client, certificate, change, field):
    document = minimal_credential(certificate)
    change(document)
    response = _post(anon_client, document)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "credential_invalid" and field in error["fields"]
    assert not VerificationEvent.objects.exists()


def test_a_credential_without_status_entries_fails_its_status_check(anon_client, certificate):
    document = unsigned_minimal_credential(certificate)
    del document["credentialStatus"]
    body = _post(anon_client, add_proof(document, created="2026-06-02T10:00:00Z")).json()
    assert body["valid"] is False and _checks(body)["status"] == ("failed", "status_entry_missing")


def test_the_other_bodies_still_work(anon_client, certificate):
    response = _post(anon_client, {"verification_id": certificate.verification_id})
    assert response.status_code == 200 and response.json()["outcome"] == "valid"
    response = _post(anon_client, {"qr": certificate.verification_id, "@graph": []})  # no @context: not a credential
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_field"
    assert VerificationEvent.objects.count() == 1


def test_a_deeply_nested_credential_is_refused_by_the_parser(anon_client, certificate):
    import json

    nested = "[" * 200 + "]" * 200
    response = anon_client.post(URL, '{"@context": ' + nested + "}", content_type="application/json")
    assert response.status_code == 400
    assert not VerificationEvent.objects.exists()
    json.loads(response.content)


def test_a_credential_verification_costs_three_queries(anon_client, certificate, django_assert_max_num_queries):
    document = minimal_credential(certificate)
    with django_assert_max_num_queries(3):  # the certificate, its status-list bit (both purposes), the event
        assert _post(anon_client, document).json()["outcome"] == "valid"
