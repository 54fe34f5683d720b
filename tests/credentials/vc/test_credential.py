"""GET /credentials/{verification_id}: the certificate as a VC 2.0 / Open Badges 3.0 credential with an
eddsa-rdfc-2022 proof, public to whoever holds the id."""

from __future__ import annotations

import copy
import datetime
import hashlib
import json

import pytest
from django.core.cache import cache

from credentials.choices import CertificateStatus
from credentials.services.lifecycle import certificate_revoke
from credentials.signing import generate_signing_key, load_keyring
from credentials.vc.credential import build_credential, unsigned_credential
from credentials.vc.did import did_document, resolver_for
from credentials.vc.loader import undefined_terms
from credentials.vc.proof import verify_proof
from tests import factories

pytestmark = pytest.mark.django_db


def _get(client, certificate, **headers):
    return client.get(f"/credentials/{certificate.verification_id}", **headers)


def test_the_credential_is_served_signed_and_verifies_with_the_published_did_document(client, certificate):
    response = _get(client, certificate)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc"
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == "*"
    credential = json.loads(response.content)
    did = client.get("/.well-known/did.json").json()
    assert verify_proof(credential, resolver_for(did))

    snapshot = certificate.snapshot
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"https://registry.example.org/credentials/{certificate.verification_id}"
    assert credential["issuer"]["id"] == "did:web:registry.example.org" == did["id"]
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["validFrom"] == f"{snapshot['awarded_on']}T00:00:00Z"
    assert "issuanceDate" not in credential
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["source"]["name"] == snapshot["provider"]["name"]
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["humanCode"] == snapshot["qualification"]["code"]
    assert achievement["name"] == snapshot["qualification"]["title"]["sq"]
    assert snapshot["qualification"]["title"]["en"] in achievement["description"]
    assert "600 hours of theory and 600 hours of practice" in achievement["criteria"]["narrative"]
    assert all(module["code"] in achievement["criteria"]["narrative"] for module in snapshot["modules"])
    assert achievement["creator"]["name"] == snapshot["awarding_body"]["name"]
    targets = {alignment["targetType"]: alignment for alignment in achievement["alignment"]}
    assert targets["ext:EQFLevel"]["targetUrl"] == "http://data.europa.eu/snb/eqf/5"
    assert targets["ext:NQFLevel"]["targetCode"] == "5"
    assert targets["ext:NQFLevel"]["targetUrl"] == "http://data.europa.eu/snb/qdr/c_030f5138"  # KS NQF Level 5
    assert targets["ext:ISCO08"]["targetCode"] == "5312"
    assert targets["ext:ISCEDF"]["targetUrl"] == "http://data.europa.eu/snb/isced-f/0113"
    assert achievement["fieldOfStudy"] == "Teacher training without subject specialisation (ISCED-F 2013 0113)"
    assert targets["ext:ESCOOccupation"]["targetUrl"] == "http://data.europa.eu/esco/occupation/teaching-assistant"
    assert [entry["statusPurpose"] for entry in credential["credentialStatus"]] == ["revocation", "suspension"]
    [proof] = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == f"did:web:registry.example.org#{load_keyring().active_kid}"
    assert proof["created"] == certificate.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_holder_is_a_salted_hash_of_the_printed_name(client, certificate):
    subject = json.loads(_get(client, certificate).content)["credentialSubject"]
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "name"
    assert identity["hashed"] is True
    name = certificate.snapshot["holder"]["full_name"]
    expected = hashlib.sha256((name + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert len(identity["salt"]) == 32


def test_no_personal_data_in_the_credential(client, provider):
    from credentials.services import certificate_issue
    from tests.credentials.conftest import AWARD

    learner = factories.LearnerFactory(
        provider=provider,
        given_name="Vjollca",
        family_name="Zeqiri",
        date_of_birth=datetime.date(1993, 11, 7),
        personal_number="1234567891",
        email="vjollca.zeqiri@example.org",
    )
    enrolment = factories.issuable_enrolment(provider=provider, learner=learner)
    certificate, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    body = _get(client, certificate).content.decode()
    for value in (
        "1234567891",
        "1993-11-07",
        "07.11.1993",
        "Vjollca",
        "Zeqiri",
        "vjollca.zeqiri@example.org",
        certificate.holder_name,
    ):
        assert value not in body, value
    credential = json.loads(body)
    text = json.dumps(credential)
    for key in ("outcome", "personal_number", "date_of_birth", "birthDate", "email", "result", "hours_attended"):
        assert f'"{key}"' not in text, key


def test_every_term_is_defined_so_nothing_falls_out_of_the_signature(certificate):
    credential = build_credential(certificate)
    assert undefined_terms(credential) == []


def test_the_guard_finds_an_undefined_term(certificate):
    credential = unsigned_credential(certificate)
    credential["credentialSubject"]["achievement"]["levelOfQualification"] = "5"
    credential["credentialSubject"]["achievement"]["type"] = ["Achievement", "KosovoQualification"]
    problems = undefined_terms(credential)
    assert any("levelOfQualification" in problem for problem in problems)
    assert any("KosovoQualification" in problem for problem in problems)


def test_the_credential_is_deterministic_and_status_changes_do_not_change_it(client, certificate, ministry_user):
    first = _get(client, certificate).content
    assert _get(client, certificate).content == first
    certificate_revoke(
        actor=ministry_user, certificate=certificate, reason_code="issued_in_error", reference="MESTI 12/2026"
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    # Revocation shows in the status list, not in the credential: the holder's copy stays byte-identical.
    assert _get(client, certificate).content == first


def _other_digit(text: str, at: int) -> str:
    """`text` with the digit at `at` changed (always a change, whatever the digit was)."""
    return text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1 :]


def _other_char(text: str) -> str:
    """`text` with its first character changed (a random salt may start with any of them)."""
    return ("1" if text[0] == "0" else "0") + text[1:]


def test_a_one_character_edit_makes_it_invalid(client, certificate):
    credential = json.loads(_get(client, certificate).content)
    resolve = resolver_for(did_document())
    assert verify_proof(credential, resolve)
    for edit in (
        lambda c: c["credentialSubject"]["achievement"].__setitem__(
            "humanCode", c["credentialSubject"]["achievement"]["humanCode"] + "X"
        ),
        lambda c: c.__setitem__("validFrom", _other_digit(c["validFrom"], c["validFrom"].index(":") - 1)),
        lambda c: c["credentialSubject"]["identifier"][0].__setitem__(
            "salt", _other_char(c["credentialSubject"]["identifier"][0]["salt"])
        ),
        lambda c: c["credentialStatus"][0].__setitem__(
            "statusListIndex", c["credentialStatus"][0]["statusListIndex"] + "1"
        ),
    ):
        tampered = copy.deepcopy(credential)
        edit(tampered)
        assert tampered != credential
        assert not verify_proof(tampered, resolve)


def test_after_a_rotation_it_is_signed_by_the_new_key_never_before_that_key_existed(client, certificate):
    before = json.loads(_get(client, certificate).content)
    new_kid = generate_signing_key()
    after = json.loads(_get(client, certificate).content)
    assert after["proof"][0]["verificationMethod"].endswith("#" + new_kid)
    assert after["proof"][0]["created"] >= before["proof"][0]["created"]
    key_start = load_keyring().keys[new_kid].not_before.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert after["proof"][0]["created"] == max(key_start, before["proof"][0]["created"])
    resolve = resolver_for(did_document())
    assert verify_proof(before, resolve)  # the copy handed out before the rotation still verifies
    assert verify_proof(after, resolve)
    assert {k: v for k, v in after.items() if k != "proof"} == {k: v for k, v in before.items() if k != "proof"}


def test_json_fallback(client, certificate):
    response = _get(client, certificate, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert _get(client, certificate, HTTP_ACCEPT="application/vc")["Content-Type"] == "application/vc"
    assert _get(client, certificate, HTTP_ACCEPT="text/html,*/*;q=0.8")["Content-Type"] == "application/vc"


def test_unknown_and_malformed_ids_get_the_same_404(client, certificate):
    unknown = client.get("/credentials/0000000000000000000000000A")
    malformed = client.get("/credentials/not-an-id")
    assert unknown.status_code == malformed.status_code == 404
    body = unknown.json()
    assert body["error"]["code"] == "not_found" == malformed.json()["error"]["code"]
    assert body["error"]["message"] == malformed.json()["error"]["message"]
    assert certificate.verification_id not in unknown.content.decode()


def test_the_id_is_read_case_insensitively_and_only_get_and_head(client, certificate):
    assert client.get(f"/credentials/{certificate.verification_id.lower()}").status_code == 200
    assert client.head(f"/credentials/{certificate.verification_id}").status_code == 200
    assert client.post(f"/credentials/{certificate.verification_id}").status_code == 405


def test_anonymous_callers_are_throttled_with_the_verification_page(client, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "2/min", "verify_verifier": "100/min", "verify_user": "100/min"},
    }
    cache.clear()  # earlier tests' requests from the same address are in the throttle's log
    statuses = [_get(client, certificate).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = _get(client, certificate)
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert certificate.verification_id not in refused.content.decode()


def test_without_a_signing_key_the_answer_is_503_not_an_unsigned_credential(client, certificate, settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "empty"
    response = _get(client, certificate)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert b"credentialSubject" not in response.content
