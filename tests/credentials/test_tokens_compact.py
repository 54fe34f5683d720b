"""The compact token new certificates carry in their QR (credentials/tokens.py, ADR 0017): base32 of the printed
claims and an Ed25519 signature that also covers the verification id of the URL. It verifies online and offline
(JWKS), refuses every alteration with a TokenError code, and old JWS tokens on paper keep verifying beside it."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.models import Certificate
from credentials.pdf.documents import certificate_pdf
from credentials.signing import TokenError, b64url_encode, generate_signing_key, load_keyring, public_jwks
from credentials.tokens import (
    COMPACT_DOMAIN,
    certificate_claims,
    certificate_token,
    check_claims_match,
    compact_body,
    is_compact,
    jws_token,
    new_certificate_token,
    verification_url,
    verify_certificate_token,
)
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    return CertificateFactory()


def _verify(token: str, vid: str, **kwargs) -> dict:
    return verify_certificate_token(token, verification_id=vid, **kwargs)


def _code(token, vid, **kwargs) -> str:
    with pytest.raises(TokenError) as excinfo:
        _verify(token, vid, **kwargs)
    return excinfo.value.code


def _forge(claims: dict, kid: str, private: Ed25519PrivateKey, vid: str) -> str:
    body = compact_body(claims, kid)
    signature = private.sign(COMPACT_DOMAIN + vid.encode() + b"\n" + body)
    return base64.b32encode(body + signature).decode().rstrip("=")


def _private_key(settings, kid: str) -> Ed25519PrivateKey:
    pem = (Path(settings.SIGNING_KEYS_DIR) / f"{kid}.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


def _raw(token: str) -> bytearray:
    return bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))


def _b32(raw: bytes) -> str:
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


# --- the token ----------------------------------------------------------------------------------------------------


def test_a_new_certificate_gets_a_compact_token_with_the_printed_claims(certificate):
    token = certificate.qr_token
    assert is_compact(token) and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    claims = _verify(token, certificate.verification_id)
    assert {k: v for k, v in claims.items() if k != "iat"} == certificate_claims(certificate)
    assert abs(claims["iat"] - datetime.datetime.now(tz=datetime.UTC).timestamp()) < 3600
    check_claims_match(claims, certificate)
    # Less than half the JWS it replaces, which repeated the verification id and spelled out JSON.
    assert len(token) < 0.6 * len(jws_token(certificate))


def test_the_token_is_made_once_and_kept(certificate):
    assert certificate_token(certificate) == certificate.qr_token
    generate_signing_key()
    assert certificate_token(Certificate.objects.get(pk=certificate.pk)) == certificate.qr_token


def test_the_token_carries_no_personal_data_beyond_the_printed_name(certificate):
    learner = certificate.learner
    raw = bytes(_raw(certificate.qr_token))
    assert learner.personal_number.encode() not in raw
    assert learner.date_of_birth.isoformat().encode() not in raw
    assert learner.date_of_birth.strftime("%d.%m.%Y").encode() not in raw


def test_cyrillic_and_missing_short_names_round_trip(certificate):
    now = int(datetime.datetime.now(tz=datetime.UTC).timestamp())
    claims = {**certificate_claims(certificate), "name": "Ђорђе Јовановић", "prov": None, "ab": "", "iat": now}
    keyring = load_keyring()
    token = _forge(claims, keyring.active_kid, keyring.active_private, certificate.verification_id)
    assert _verify(token, certificate.verification_id) == claims


def test_another_certificates_token_does_not_match(certificate):
    other = CertificateFactory()
    with pytest.raises(TokenError) as excinfo:
        check_claims_match(_verify(other.qr_token, other.verification_id), certificate)
    assert excinfo.value.code == "claims_mismatch"


def test_a_token_moved_under_another_verification_id_is_a_bad_signature(certificate):
    """The id is not in the token but in the signature: the claims cannot be borrowed for another URL."""
    other = CertificateFactory()
    assert _code(certificate.qr_token, other.verification_id) == "bad_signature"


# --- refusals -----------------------------------------------------------------------------------------------------


def test_a_compact_token_needs_the_id_of_its_url(certificate):
    assert _code(certificate.qr_token, None) == "malformed"
    assert _code(certificate.qr_token, "ÄÖ") == "malformed"


def test_every_altered_byte_is_refused(certificate):
    raw = _raw(certificate.qr_token)
    for index in range(len(raw)):
        altered = bytearray(raw)
        altered[index] ^= 0x01
        assert _code(_b32(altered), certificate.verification_id) in {"malformed", "bad_signature", "unknown_kid"}, index


@pytest.mark.parametrize("cut", [1, 2, 8, 64, 100, 200])
def test_a_truncated_token_is_refused(certificate, cut):
    assert _code(certificate.qr_token[:-cut], certificate.verification_id) in {"malformed", "bad_signature"}


@pytest.mark.parametrize("token", ["A", "AB", "ABC", "AAAAAAAA" * 10, "7" * 200, "A" * 3000])
def test_garbage_is_malformed(token):
    assert _code(token, "7M3QK2XW9TDR4HB6NPZ8YC1VJ0") == "malformed"


def test_another_format_version_or_extra_bytes_are_malformed(certificate):
    raw = _raw(certificate.qr_token)
    body, signature = raw[:-64], raw[-64:]
    assert _code(_b32(bytes([3]) + body[1:] + signature), certificate.verification_id) == "malformed"
    assert _code(_b32(body + b"\x00" + signature), certificate.verification_id) == "malformed"


def test_a_stranger_signing_under_our_kid_is_a_bad_signature(certificate):
    claims = {**certificate_claims(certificate), "iat": int(datetime.datetime.now(tz=datetime.UTC).timestamp())}
    forged = _forge(claims, load_keyring().active_kid, Ed25519PrivateKey.generate(), certificate.verification_id)
    assert _code(forged, certificate.verification_id) == "bad_signature"


def test_an_unknown_kid_is_refused(certificate):
    claims = {**certificate_claims(certificate), "iat": 1_800_000_000}
    forged = _forge(claims, "not-ours", Ed25519PrivateKey.generate(), certificate.verification_id)
    assert _code(forged, certificate.verification_id) == "unknown_kid"


def test_a_retired_key_cannot_sign_new_tokens(settings, certificate):
    old_kid = load_keyring().active_kid
    old_private = _private_key(settings, old_kid)
    generate_signing_key()
    later = int((datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)).timestamp())
    forged = _forge(
        {**certificate_claims(certificate), "iat": later}, old_kid, old_private, certificate.verification_id
    )
    assert _code(forged, certificate.verification_id) == "key_not_valid_at_iat"


# --- offline ------------------------------------------------------------------------------------------------------


def test_offline_checking_with_a_published_jwks(settings, tmp_path, anon_client, certificate):
    token = certificate.qr_token
    jwks = anon_client.get("/.well-known/jwks.json").json()
    settings.SIGNING_KEYS_DIR = tmp_path / "elsewhere"  # this registry's keys are out of reach
    assert _code(token, certificate.verification_id) == "unknown_kid"
    assert _verify(token, certificate.verification_id, jwks=jwks)["sn"] == certificate.serial_number
    stranger = {**jwks["keys"][0], "x": b64url_encode(Ed25519PrivateKey.generate().public_key().public_bytes_raw())}
    assert _code(token, certificate.verification_id, jwks={"keys": [stranger]}) == "bad_signature"


def test_offline_checking_respects_the_published_validity_period(certificate):
    kid = load_keyring().active_kid
    published = [jwk for jwk in public_jwks()["keys"] if jwk["kid"] == kid]
    assert _verify(certificate.qr_token, certificate.verification_id, jwks={"keys": published})
    expired = [{**jwk, "exp": jwk["nbf"] - 1} for jwk in published]
    assert _code(certificate.qr_token, certificate.verification_id, jwks={"keys": expired}) == "key_not_valid_at_iat"


# --- the migration path: JWS tokens already printed ---------------------------------------------------------------


def test_a_jws_token_already_printed_still_verifies_online(anon_client, certificate):
    old = jws_token(certificate)
    qr = f"{verification_url(certificate, with_token=False)}#{old}"
    response = anon_client.post("/api/v1/verifications", {"qr": qr}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "valid"
    assert {"check": "token", "result": "ok", "code": "token_matches"}.items() <= body["checks"][-1].items()


def test_a_compact_token_verifies_online_and_a_swapped_one_is_token_mismatch(anon_client, certificate):
    response = anon_client.post("/api/v1/verifications", {"qr": verification_url(certificate)}, format="json")
    assert response.status_code == 200 and response.json()["outcome"] == "valid"
    assert response.json()["checks"][-1]["code"] == "token_matches"
    other = CertificateFactory()
    swapped = f"{verification_url(certificate, with_token=False)}#{other.qr_token}"
    response = anon_client.post("/api/v1/verifications", {"qr": swapped}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_bad_signature"


def test_a_certificate_holding_a_jws_gets_a_compact_token_at_its_next_print(certificate):
    """A certificate issued before ADR 0017 keeps its JWS until it is printed again; the reprint carries a compact
    token (a QR a poor copy still scans), kept from then on. The JWS on the old paper still verifies."""
    old = jws_token(certificate)
    Certificate.objects.filter(pk=certificate.pk).update(qr_token=old)
    first = certificate_pdf(Certificate.objects.get(pk=certificate.pk))
    stored = Certificate.objects.get(pk=certificate.pk)
    assert is_compact(stored.qr_token) and stored.qr_token != old
    assert certificate_pdf(Certificate.objects.get(pk=certificate.pk)) == first
    assert _verify(stored.qr_token, certificate.verification_id)["sn"] == certificate.serial_number
    assert verify_certificate_token(old)["sn"] == certificate.serial_number


def test_new_certificate_token_is_compact(certificate):
    assert is_compact(new_certificate_token(certificate))
    assert not is_compact(jws_token(certificate))
