"""The signed token in the QR URL's fragment (credentials/tokens.py), in the JWS format of the certificates printed
before ADR 0017: they stay on paper, so they must keep verifying. The compact format new certificates get:
test_tokens_compact.py."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.signing import (
    TokenError,
    b64url_decode,
    b64url_encode,
    generate_signing_key,
    load_keyring,
    public_jwks,
)
from credentials.tokens import (
    certificate_claims,
    check_claims_match,
    is_compact,
    jws_token,
    new_certificate_token,
    verification_url,
    verify_certificate_token,
)
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

CLAIM_NAMES = {"vid", "sn", "name", "q", "eqf", "prov", "ab", "awd"}


@pytest.fixture
def certificate():
    return CertificateFactory()


def certificate_token(certificate) -> str:
    """A JWS token of `certificate`, as certificates were printed with before ADR 0017."""
    return jws_token(certificate)


def _private_key(settings, kid: str) -> Ed25519PrivateKey:
    pem = (Path(settings.SIGNING_KEYS_DIR) / f"{kid}.pem").read_bytes()
    return serialization.load_pem_private_key(pem, password=None)


def _jws(header: dict, claims: dict, private: Ed25519PrivateKey | None) -> str:
    signing_input = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(json.dumps(claims).encode())}"
    signature = b64url_encode(private.sign(signing_input.encode())) if private else ""
    return f"{signing_input}.{signature}"


def _header(kid: str, **extra) -> dict:
    return {"alg": "EdDSA", "kid": kid, "typ": "kqr-cert+jwt", **extra}


def _decode(part: str) -> dict:
    return json.loads(b64url_decode(part))


# --- the token ----------------------------------------------------------------------------------------------------


def test_token_round_trip_returns_the_printed_claims(certificate):
    token = certificate_token(certificate)
    header_part, payload_part, signature_part = token.split(".")
    assert _decode(header_part) == {"alg": "EdDSA", "kid": load_keyring().active_kid, "typ": "kqr-cert+jwt"}
    assert "=" not in token and len(b64url_decode(signature_part)) == 64

    claims = verify_certificate_token(token)
    assert set(claims) == CLAIM_NAMES | {"iat"}
    assert {k: v for k, v in claims.items() if k != "iat"} == certificate_claims(certificate)
    assert abs(claims["iat"] - datetime.datetime.now(tz=datetime.UTC).timestamp()) < 3600
    check_claims_match(claims, certificate)


def test_claims_are_the_public_printed_facts_from_the_snapshot(certificate):
    claims = certificate_claims(certificate)
    snap = certificate.snapshot
    assert claims == {
        "vid": certificate.verification_id,
        "sn": certificate.serial_number,
        "name": snap["holder"]["full_name"],
        "q": snap["qualification"]["code"],
        "eqf": snap["qualification"]["eqf_level"],
        "prov": snap["provider"]["short_name"],
        "ab": snap["awarding_body"]["short_name"],
        "awd": "2026-06-01",
    }


def test_token_carries_no_personal_data_beyond_the_printed_name(certificate):
    learner = certificate.learner
    payload = b64url_decode(certificate_token(certificate).split(".")[1]).decode()
    assert learner.personal_number not in payload
    assert learner.date_of_birth.isoformat() not in payload
    assert "outcome" not in payload and "module" not in payload


def test_verification_url_puts_the_token_in_the_fragment(settings, certificate):
    settings.PUBLIC_BASE_URL = "https://regjistri.rks-gov.net"
    bare = verification_url(certificate, with_token=False)
    assert bare == f"https://regjistri.rks-gov.net/v/{certificate.verification_id}"
    url = verification_url(certificate)
    path, fragment = url.split("#")
    assert path == bare
    assert is_compact(fragment)  # a new certificate's token is compact (ADR 0017)
    assert verify_certificate_token(fragment, verification_id=certificate.verification_id)["sn"] == (
        certificate.serial_number
    )


def test_claims_of_another_certificate_do_not_match(certificate):
    claims = verify_certificate_token(certificate_token(certificate))
    other = CertificateFactory()
    with pytest.raises(TokenError) as excinfo:
        check_claims_match(claims, other)
    assert excinfo.value.code == "claims_mismatch"


# --- refusals -----------------------------------------------------------------------------------------------------


def _code(token, **kwargs) -> str:
    with pytest.raises(TokenError) as excinfo:
        verify_certificate_token(token, **kwargs)
    return excinfo.value.code


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "RS256", "ES256", None])
def test_only_eddsa_is_accepted(settings, certificate, alg):
    kid = load_keyring().active_kid
    claims = {**certificate_claims(certificate), "iat": 1_800_000_000}
    header = _header(kid, alg=alg)
    assert _code(_jws(header, claims, None)) == "alg_not_allowed"  # unsigned, as an "alg: none" attacker sends
    assert _code(_jws(header, claims, _private_key(settings, kid))) == "alg_not_allowed"


def test_unknown_kid_is_refused(certificate):
    claims = {**certificate_claims(certificate), "iat": 1_800_000_000}
    stranger = Ed25519PrivateKey.generate()
    assert _code(_jws(_header("not-ours"), claims, stranger)) == "unknown_kid"


def test_a_token_signed_by_a_stranger_under_our_kid_is_a_bad_signature(certificate):
    claims = {**certificate_claims(certificate), "iat": int(datetime.datetime.now(tz=datetime.UTC).timestamp())}
    forged = _jws(_header(load_keyring().active_kid), claims, Ed25519PrivateKey.generate())
    assert _code(forged) == "bad_signature"


def test_an_altered_payload_is_a_bad_signature(certificate):
    header_part, payload_part, signature_part = certificate_token(certificate).split(".")
    claims = _decode(payload_part)
    claims["name"] = "Somebody Else"
    altered = f"{header_part}.{b64url_encode(json.dumps(claims).encode())}.{signature_part}"
    assert _code(altered) == "bad_signature"


def test_an_altered_header_is_a_bad_signature(certificate):
    header_part, payload_part, signature_part = certificate_token(certificate).split(".")
    header = {**_decode(header_part), "x": 1}
    assert _code(f"{b64url_encode(json.dumps(header).encode())}.{payload_part}.{signature_part}") == "bad_signature"


@pytest.mark.parametrize("cut", [1, 2, 3, 10, 43, 86, 87, 200])
def test_a_truncated_token_is_malformed(certificate, cut):
    token = certificate_token(certificate)
    assert _code(token[:-cut]) == "malformed"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        ".payload.signature",
        "eyJhbGciOiJFZERTQSJ9..sig",
        "!!!.???.***",
        b64url_encode(b"[1,2]") + ".e30.AAAA",
        "x" * 3000,
    ],
)
def test_garbage_is_malformed(token):
    assert _code(token) == "malformed"


def test_a_non_string_is_malformed():
    assert _code(None) == "malformed"


def test_a_deeply_nested_token_part_is_malformed_not_a_server_error(anon_client, certificate):
    """A forged header of 1,500 `[` (2,000 characters, under the length cap) made Python's JSON parser recurse
    past its limit: scanning a QR code that names a real certificate answered 500."""
    deep = f"{b64url_encode(b'[' * 1500)}.e30.AAAA"
    assert _code(deep) == "malformed"
    qr = f"{verification_url(certificate, with_token=False)}#{deep}"
    response = anon_client.post("/api/v1/verifications", {"qr": qr}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "token_malformed"


def test_padding_and_wrong_type_are_malformed(certificate):
    token = certificate_token(certificate)
    header_part, payload_part, signature_part = token.split(".")
    assert _code(f"{header_part}.{payload_part}.{signature_part}==") == "malformed"
    wrong_typ = _header(load_keyring().active_kid, typ="JWT")
    assert _code(f"{b64url_encode(json.dumps(wrong_typ).encode())}.{payload_part}.{signature_part}") == "malformed"


def test_a_token_without_iat_is_malformed(settings, certificate):
    kid = load_keyring().active_kid
    assert _code(_jws(_header(kid), certificate_claims(certificate), _private_key(settings, kid))) == "malformed"


# --- key validity periods and rotation ----------------------------------------------------------------------------


def test_a_token_dated_before_its_key_existed_is_refused(settings, certificate):
    kid = load_keyring().active_kid
    long_ago = int(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC).timestamp())
    token = _jws(_header(kid), {**certificate_claims(certificate), "iat": long_ago}, _private_key(settings, kid))
    assert _code(token) == "key_not_valid_at_iat"


def test_a_retired_key_cannot_sign_new_tokens(settings, certificate):
    old_kid = load_keyring().active_kid
    old_private = _private_key(settings, old_kid)  # e.g. leaked from an old backup
    generate_signing_key()
    later = int((datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)).timestamp())
    token = _jws(_header(old_kid), {**certificate_claims(certificate), "iat": later}, old_private)
    assert _code(token) == "key_not_valid_at_iat"


def test_tokens_signed_before_a_rotation_still_verify(certificate):
    old_token = certificate_token(certificate)
    old_kid = load_keyring().active_kid
    new_kid = generate_signing_key()
    new_token = certificate_token(certificate)

    assert _decode(new_token.split(".")[0])["kid"] == new_kid
    assert _decode(old_token.split(".")[0])["kid"] == old_kid
    assert verify_certificate_token(old_token)["vid"] == certificate.verification_id
    assert verify_certificate_token(new_token)["vid"] == certificate.verification_id
    # New certificates get compact tokens; those verify after a rotation as well.
    assert verify_certificate_token(new_certificate_token(certificate), verification_id=certificate.verification_id)


def test_offline_checking_with_a_published_jwks(settings, tmp_path, anon_client, certificate):
    token = certificate_token(certificate)
    jwks = anon_client.get("/.well-known/jwks.json").json()
    settings.SIGNING_KEYS_DIR = tmp_path / "elsewhere"  # this registry's keys are out of reach
    assert _code(token) == "unknown_kid"
    assert verify_certificate_token(token, jwks=jwks)["sn"] == certificate.serial_number
    assert _code(token, jwks={"keys": []}) == "unknown_kid"
    stranger_public = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    stranger = {**jwks["keys"][0], "x": b64url_encode(stranger_public)}
    assert _code(token, jwks={"keys": [stranger]}) == "bad_signature"


def test_offline_checking_respects_the_published_validity_period(settings, certificate):
    kid = load_keyring().active_kid
    token = certificate_token(certificate)
    published = [jwk for jwk in public_jwks()["keys"] if jwk["kid"] == kid]
    assert verify_certificate_token(token, jwks={"keys": published})
    expired = [{**jwk, "exp": jwk["nbf"] - 1} for jwk in published]
    assert _code(token, jwks={"keys": expired}) == "key_not_valid_at_iat"
