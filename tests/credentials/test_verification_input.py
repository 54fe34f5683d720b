"""Every bad input gets a clear, machine-readable answer and a 4xx, never a 500 (issue 5, item 5)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache

from credentials.models import VerificationEvent
from credentials.signing import b64url_encode, canonical_json, load_keyring
from credentials.tokens import TOKEN_TYPE, certificate_claims, verification_url
from credentials.tokens import jws_token as certificate_token  # the format printed before ADR 0017: still verifies
from tests import factories

pytestmark = pytest.mark.django_db

CYRILLIC_O = "\u041e"  # looks like the Latin O, which Crockford reads as 0


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _post(client, payload):
    return client.post("/api/v1/verifications", payload, format="json")


def _error(response, status=400) -> str:
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def _token(claims: dict, *, header: dict | None = None, private=None) -> str:
    keyring = load_keyring()
    private = private or keyring.active_private
    header = header or {"alg": "EdDSA", "kid": keyring.active_kid, "typ": TOKEN_TYPE}
    signing_input = f"{b64url_encode(canonical_json(header))}.{b64url_encode(canonical_json(claims))}"
    return f"{signing_input}.{b64url_encode(private.sign(signing_input.encode()))}"


BAD_IDS = [
    ("", "empty"),
    ("   ", "empty"),
    ("A" * 200, "too_long"),
    ("0BV7Q3M9XKZ1\x00P4R8T2W6Y5C0D", "nul_byte"),
    ("0BV7Q3M9XKZ1%00P4R8T2W6Y5C0D", "nul_byte"),
    ("%FF%FE", "invalid_characters"),
    (f"{CYRILLIC_O}BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "non_ascii"),
    ("０BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "non_ascii"),  # a fullwidth digit
    ("UBV7Q3M9XKZ1P4R8T2W6Y5C0DE", "invalid_characters"),  # U is not in Crockford's alphabet
    ("0BV7Q3M9XKZ1P4R8T2W6Y5C0D*", "invalid_characters"),
    ("0BV7Q3M9XKZ1P4R8T2W6Y5C0D", "wrong_length"),
    ("0BV7Q3M9XKZ1P4R8T2W6Y5C0DEF", "wrong_length"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_IDS)
def test_bad_typed_ids_get_a_code_and_a_400(anon_client, raw, code):
    assert _error(_post(anon_client, {"verification_id": raw})) == code
    event = VerificationEvent.objects.get()
    assert (event.outcome, event.certificate_id, event.verification_id_tried) == ("malformed", None, "")


@pytest.mark.parametrize(("raw", "code"), [(raw, code) for raw, code in BAD_IDS if raw.strip() and "\x00" not in raw])
def test_bad_ids_in_the_url_get_the_same_answers(anon_client, raw, code):
    response = anon_client.get(f"/api/v1/verifications/{quote(raw, safe='%')}")
    assert _error(response) == code
    page = anon_client.get(f"/v/{quote(raw, safe='%')}")
    assert page.status_code == 400 and b'data-state="malformed"' in page.content


def test_a_nul_byte_in_the_url_path_is_a_400_not_a_500(anon_client):
    assert _error(anon_client.get("/api/v1/verifications/0BV7Q3M9XKZ1%00P4R8T2W6Y5C0D")) == "nul_byte"
    assert anon_client.get("/v/0BV7Q3M9XKZ1%00P4R8T2W6Y5C0D").status_code == 400


def test_a_percent_encoded_id_is_decoded_once(anon_client, certificate):
    encoded = "".join(f"%{ord(c):02X}" for c in certificate.verification_id)
    assert _post(anon_client, {"verification_id": encoded}).status_code == 200
    assert anon_client.get(f"/api/v1/verifications/{encoded}").status_code == 200  # the server decodes the path
    twice = "%25" + f"{ord(certificate.verification_id[0]):02X}" + certificate.verification_id[1:]
    assert _error(_post(anon_client, {"verification_id": twice})) == "invalid_characters"  # decoded once only


def test_a_valid_looking_unknown_id_is_a_404(anon_client):
    assert _error(anon_client.get("/api/v1/verifications/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE"), 404) == "not_found"
    page = anon_client.get("/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE?lang=en")
    assert page.status_code == 404 and b"NOT FOUND" in page.content


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("x" * 5000, "too_long"),
        ("https://registry.example.org/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "foreign_host"),
        ("http://127.0.0.1:8000@evil.example/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "foreign_host"),
        ("http://127.0.0.1:9999/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "foreign_host"),
        ("http://127.0.0.1:8000/api/v1/organisations", "foreign_qr"),
        ("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA", "foreign_qr"),
        ("WIFI:S:Komuna;T:WPA;P:secret;;", "foreign_qr"),
        ("mailto:someone@example.org", "foreign_qr"),
        ("http://127.0.0.1:8000/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0D", "wrong_length"),
    ],
)
def test_bad_scanned_texts_get_a_code(anon_client, text, code):
    assert _error(_post(anon_client, {"qr": text})) == code


def test_an_id_scanned_with_a_lowercase_host_and_https_is_ours(anon_client, certificate, settings):
    settings.PUBLIC_BASE_URL = "http://Registry.Example.org"
    text = f"https://registry.example.org/v/{certificate.verification_id}/"
    assert _post(anon_client, {"qr": text}).status_code == 200


def _with_token(certificate, token: str) -> str:
    return f"{verification_url(certificate, with_token=False)}#{token}"


def test_a_truncated_token_is_refused(anon_client, certificate):
    compact = certificate.qr_token
    truncated = _error(_post(anon_client, {"qr": _with_token(certificate, compact[:-16])}))
    assert truncated in {"token_malformed", "token_bad_signature"}
    assert _error(_post(anon_client, {"qr": _with_token(certificate, compact[:90])})) == "token_malformed"
    token = certificate_token(certificate)
    assert _error(_post(anon_client, {"qr": _with_token(certificate, token[:-12])})) == "token_malformed"
    assert _error(_post(anon_client, {"qr": _with_token(certificate, token.rsplit(".", 1)[0])})) == "token_malformed"


def test_an_altered_token_is_refused(anon_client, certificate):
    claims = {**certificate_claims(certificate), "iat": 1_900_000_000, "name": "Someone Else"}
    header, _payload, signature = certificate_token(certificate).split(".")
    forged = f"{header}.{b64url_encode(canonical_json(claims))}.{signature}"
    assert _error(_post(anon_client, {"qr": _with_token(certificate, forged)})) == "token_bad_signature"
    event = VerificationEvent.objects.get()
    assert (event.outcome, event.certificate_id) == ("token_mismatch", certificate.pk)


def test_alg_none_is_refused(anon_client, certificate):
    claims = {**certificate_claims(certificate), "iat": 1_900_000_000}
    header = b64url_encode(canonical_json({"alg": "none", "kid": load_keyring().active_kid, "typ": TOKEN_TYPE}))
    unsigned = f"{header}.{b64url_encode(canonical_json(claims))}"
    assert _error(_post(anon_client, {"qr": _with_token(certificate, unsigned + ".")})) == "token_alg_not_allowed"
    assert _error(_post(anon_client, {"qr": _with_token(certificate, unsigned + ".AAAA")})) == "token_alg_not_allowed"


def test_an_unknown_key_id_is_refused(anon_client, certificate):
    claims = {**certificate_claims(certificate), "iat": 1_900_000_000}
    token = _token(
        claims, header={"alg": "EdDSA", "kid": "2601-unknown", "typ": TOKEN_TYPE}, private=Ed25519PrivateKey.generate()
    )
    assert _error(_post(anon_client, {"qr": _with_token(certificate, token)})) == "token_unknown_kid"


def test_a_key_used_outside_its_period_is_refused(anon_client, certificate):
    claims = {**certificate_claims(certificate), "iat": 946_684_800}  # 2000-01-01, long before the key existed
    assert _error(_post(anon_client, {"qr": _with_token(certificate, _token(claims))})) == "token_key_not_valid_at_iat"


@pytest.mark.parametrize(
    "dob", ["12/04/1995", "1995-13-01", "1995-02-30", "", "yesterday", "1995-4-12", "2999-01-01", "1995-04-12\x00"]
)
def test_a_date_of_birth_in_a_wrong_format_is_refused(anon_client, certificate, dob):
    response = _post(anon_client, {"serial_number": certificate.serial_number, "date_of_birth": dob})
    assert _error(response) == "invalid_date_of_birth"
    assert response.json()["error"]["fields"] == {"date_of_birth": [response.json()["error"]["message"]]}


@pytest.mark.parametrize("serial", ["", "x", "L5 SEN 2026", "Л5-SEN-2026-000001", "A" * 80])
def test_a_bad_serial_number_is_refused(anon_client, serial):
    code = _error(_post(anon_client, {"serial_number": serial, "date_of_birth": "1995-04-12"}))
    assert code in {"empty", "invalid_serial_number", "too_long"}


@pytest.mark.parametrize(
    "payload",
    [{"qr": 42}, {"qr": None}, {"verification_id": ["a"]}, {"items": "all"}, {"items": [1, 2]}, [], "text"],
)
def test_bad_request_shapes_are_400(anon_client, client_for, verifier_user, payload):
    response = _post(anon_client if "items" not in str(payload) else client_for(verifier_user), payload)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"]
    assert VerificationEvent.objects.count() == 0


def test_a_body_that_is_not_json_is_400(anon_client):
    response = anon_client.post("/api/v1/verifications", data="{not json", content_type="application/json")
    assert _error(response) == "malformed_request"
