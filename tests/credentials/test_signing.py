"""Signing keys and snapshot signatures (credentials/signing.py), the JWKS endpoint and the key commands."""

from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from credentials.signing import (
    KEYRING_FILE,
    SigningError,
    canonical_json,
    generate_signing_key,
    load_keyring,
    public_jwks,
    sign_snapshot,
    verify_snapshot,
)
from tests.factories import CertificateFactory

SNAPSHOT = {
    "schema": "kqr-certificate/1",
    "serial_number": "L5-SEN-OCN-2026-000001",
    "holder": {"given_name": "Ardita", "family_name": "Krasniqi", "full_name": "Ardita Krasniqi"},
    "qualification": {"code": "OCN-L5-SEN", "title": {"sq": "Asistent për fëmijë", "en": "Assistant"}},
    "modules": [{"code": "M1", "outcome": "pass"}],
    "awarded_on": "2026-06-01",
}


def _keys_dir(settings) -> Path:
    return Path(settings.SIGNING_KEYS_DIR)


def _pem(private: Ed25519PrivateKey) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


# --- canonical JSON and signatures ------------------------------------------------------------------------------


def test_canonical_json_is_sorted_compact_utf8_and_independent_of_key_order():
    reordered = dict(reversed(list(SNAPSHOT.items())))
    assert canonical_json(reordered) == canonical_json(SNAPSHOT)
    encoded = canonical_json({"b": 1, "a": "ë"})
    assert encoded == '{"a":"ë","b":1}'.encode()


def test_sign_and_verify_round_trip_with_the_active_key():
    signature, kid = sign_snapshot(SNAPSHOT)
    assert kid == load_keyring().active_kid
    assert len(signature) == 86  # 64 bytes, base64url without padding
    assert "=" not in signature
    assert verify_snapshot(SNAPSHOT, signature, kid)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["holder"].update(full_name="Ardita Krasniqj"),  # one character
        lambda s: s.update(awarded_on="2026-06-02"),
        lambda s: s["modules"][0].update(outcome="fail"),
        lambda s: s.update(extra=None),
    ],
)
def test_any_change_to_the_snapshot_breaks_the_signature(change):
    signature, kid = sign_snapshot(SNAPSHOT)
    altered = json.loads(json.dumps(SNAPSHOT))
    change(altered)
    assert not verify_snapshot(altered, signature, kid)


@pytest.mark.parametrize(
    "value",
    [
        1e16,  # json writes 1e+16, orjson 1e16
        2**70,  # beyond orjson's 64 bits
        'line\u2028separator \x7f \x01 "quoted" \\',
        {"ë": 1, "e": 2, "Z": 3, "\U0001f600": 4},  # keys sorted by code point
    ],
)
def test_a_snapshot_whose_fast_encoding_differs_still_verifies_by_the_canonical_bytes(value):
    """verify_snapshot tries orjson's encoding first; a value it writes otherwise (or refuses) than canonical_json
    is still checked over canonical_json's bytes, and an altered one still fails."""
    snapshot = {**SNAPSHOT, "extra": value}
    signature, kid = sign_snapshot(snapshot)
    assert verify_snapshot(snapshot, signature, kid)
    assert not verify_snapshot({**snapshot, "extra": [value]}, signature, kid)


@pytest.mark.parametrize("signature", ["", "not base64!", "AAAA", "A" * 85, "A" * 87])
def test_malformed_signatures_do_not_verify(signature):
    _, kid = sign_snapshot(SNAPSHOT)
    assert not verify_snapshot(SNAPSHOT, signature, kid)


def test_unknown_key_id_does_not_verify():
    signature, _ = sign_snapshot(SNAPSHOT)
    assert not verify_snapshot(SNAPSHOT, signature, "no-such-key")


@pytest.mark.django_db
def test_factory_certificates_carry_a_real_signature_that_survives_the_database():
    certificate = CertificateFactory()
    certificate.refresh_from_db()
    assert certificate.key_id == load_keyring().active_kid
    assert verify_snapshot(certificate.snapshot, certificate.signature, certificate.key_id)
    certificate.snapshot["holder"]["full_name"] += "x"
    assert not verify_snapshot(certificate.snapshot, certificate.signature, certificate.key_id)


def test_signing_without_an_active_key_is_refused(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "empty"
    with pytest.raises(SigningError, match="no active signing key"):
        sign_snapshot(SNAPSHOT)
    assert public_jwks() == {"keys": []}


def test_a_private_key_that_does_not_match_the_keyring_is_refused(settings):
    directory = _keys_dir(settings)
    kid = load_keyring().active_kid
    (directory / f"{kid}.pem").chmod(0o600)
    (directory / f"{kid}.pem").write_text(_pem(Ed25519PrivateKey.generate()))
    # Force a re-read: a new keyring file version (same content) invalidates the cache.
    keyring_path = directory / KEYRING_FILE
    keyring_path.write_text(keyring_path.read_text() + " ")
    with pytest.raises(SigningError, match="does not match"):
        sign_snapshot(SNAPSHOT)


def test_an_unreadable_keyring_raises_signing_error_without_key_material(settings):
    (_keys_dir(settings) / KEYRING_FILE).write_text("{not json")
    with pytest.raises(SigningError) as excinfo:
        sign_snapshot(SNAPSHOT)
    assert "PRIVATE" not in str(excinfo.value)


# --- rotation ----------------------------------------------------------------------------------------------------


def test_rotation_keeps_old_signatures_verifiable_and_the_old_key_published():
    old_signature, old_kid = sign_snapshot(SNAPSHOT)
    new_kid = generate_signing_key(kid="rotated-2")
    new_signature, signing_kid = sign_snapshot(SNAPSHOT)

    assert signing_kid == new_kid != old_kid
    assert verify_snapshot(SNAPSHOT, old_signature, old_kid)
    assert verify_snapshot(SNAPSHOT, new_signature, new_kid)
    assert not verify_snapshot(SNAPSHOT, old_signature, new_kid)

    keys = {jwk["kid"]: jwk for jwk in public_jwks()["keys"]}
    assert set(keys) == {old_kid, new_kid}
    assert public_jwks()["keys"][0]["kid"] == new_kid  # the active key first
    assert "exp" not in keys[new_kid]
    assert keys[old_kid]["exp"] == keys[new_kid]["nbf"]  # retired when the new one took over
    assert keys[old_kid]["nbf"] <= keys[old_kid]["exp"]


def test_an_inactive_key_is_published_but_does_not_sign():
    active = load_keyring().active_kid
    staged = generate_signing_key(kid="staged", activate=False)
    assert sign_snapshot(SNAPSHOT)[1] == active
    assert staged in {jwk["kid"] for jwk in public_jwks()["keys"]}


def test_key_ids_must_be_safe_file_names_and_unique():
    with pytest.raises(SigningError):
        generate_signing_key(kid="../escape")
    generate_signing_key(kid="dup")
    with pytest.raises(SigningError, match="already exists"):
        generate_signing_key(kid="dup")


def test_the_keys_directory_is_read_from_settings_on_every_call(settings, tmp_path):
    first = load_keyring().active_kid
    settings.SIGNING_KEYS_DIR = tmp_path / "other"
    second = generate_signing_key()
    assert sign_snapshot(SNAPSHOT)[1] == second != first


# --- storage -----------------------------------------------------------------------------------------------------


def test_key_files_are_private_to_the_owner(settings):
    kid = generate_signing_key(kid="mode-check")
    directory = _keys_dir(settings)
    for path in (directory / f"{kid}.pem", directory / KEYRING_FILE):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert b"PRIVATE KEY" in (directory / f"{kid}.pem").read_bytes()
    assert "PRIVATE" not in (directory / KEYRING_FILE).read_text()  # metadata holds public keys only


def test_no_model_stores_keys():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            name = field.name.lower()
            assert "private" not in name and not name.endswith("_pem"), f"{model.__name__}.{field.name}"
            if name.startswith("signing") or name in {"public_key", "secret_key"}:
                pytest.fail(f"{model.__name__}.{field.name} looks like a key stored in the database")


def test_the_jwks_never_contains_private_parts():
    generate_signing_key()
    for jwk in public_jwks()["keys"]:
        assert set(jwk) <= {"kty", "crv", "x", "kid", "use", "alg", "nbf", "exp"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
        assert len(jwk["x"]) == 43


# --- a key from the environment (containers) ---------------------------------------------------------------------


def test_an_environment_key_signs_and_directory_keys_stay_for_checking(settings):
    old_signature, old_kid = sign_snapshot(SNAPSHOT)
    settings.SIGNING_PRIVATE_KEY_PEM = _pem(Ed25519PrivateKey.generate())
    settings.SIGNING_KEY_ID = "prod-2026"

    signature, kid = sign_snapshot(SNAPSHOT)
    assert kid == "prod-2026"
    assert verify_snapshot(SNAPSHOT, signature, kid)
    assert verify_snapshot(SNAPSHOT, old_signature, old_kid)
    assert [jwk["kid"] for jwk in public_jwks()["keys"]] == ["prod-2026", old_kid]


def test_an_environment_key_file_is_read(settings, tmp_path):
    secret = tmp_path / "signing.pem"
    secret.write_text(_pem(Ed25519PrivateKey.generate()))
    settings.SIGNING_PRIVATE_KEY_FILE = str(secret)
    settings.SIGNING_KEY_ID = "from-file"
    assert sign_snapshot(SNAPSHOT)[1] == "from-file"


def test_an_environment_key_needs_its_key_id_and_a_valid_pem(settings):
    settings.SIGNING_PRIVATE_KEY_PEM = _pem(Ed25519PrivateKey.generate())
    settings.SIGNING_KEY_ID = ""
    with pytest.raises(SigningError, match="SIGNING_KEY_ID"):
        sign_snapshot(SNAPSHOT)
    settings.SIGNING_KEY_ID = "prod"
    settings.SIGNING_PRIVATE_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n"
    with pytest.raises(SigningError) as excinfo:
        sign_snapshot(SNAPSHOT)
    assert "broken" not in str(excinfo.value)


def test_an_environment_key_must_match_a_keyring_key_of_the_same_id(settings):
    settings.SIGNING_KEY_ID = load_keyring().active_kid
    settings.SIGNING_PRIVATE_KEY_PEM = _pem(Ed25519PrivateKey.generate())
    with pytest.raises(SigningError, match="does not match"):
        sign_snapshot(SNAPSHOT)


# --- /.well-known/jwks.json --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_jwks_endpoint_is_public_cacheable_json(anon_client, django_assert_num_queries):
    old_kid = load_keyring().active_kid
    new_kid = generate_signing_key()
    with django_assert_num_queries(0):
        response = anon_client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body == public_jwks()
    assert [jwk["kid"] for jwk in body["keys"]] == [new_kid, old_kid]
    assert all("d" not in jwk for jwk in body["keys"])  # no private parameter


@pytest.mark.django_db
def test_jwks_endpoint_answers_304_to_a_matching_etag(anon_client):
    first = anon_client.get(reverse("jwks"))
    again = anon_client.get(reverse("jwks"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    generate_signing_key()
    changed = anon_client.get(reverse("jwks"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_jwks_endpoint_is_read_only(anon_client, method):
    assert getattr(anon_client, method)("/.well-known/jwks.json").status_code == 405


def test_jwks_endpoint_is_not_in_the_api_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not any("well-known" in path for path in schema["paths"])


# --- management commands ------------------------------------------------------------------------------------------


def test_generate_signing_key_command_prints_the_kid_and_public_jwk_only(settings):
    old_kid = load_keyring().active_kid
    out = StringIO()
    call_command("generate_signing_key", "--kid", "cmd-key", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "cmd-key"
    jwk = json.loads(lines[1])
    assert jwk["kid"] == "cmd-key" and "d" not in jwk
    assert len(lines) == 2 and "PRIVATE" not in out.getvalue()
    assert load_keyring().active_kid == "cmd-key"
    assert old_kid in {k["kid"] for k in public_jwks()["keys"]}


def test_generate_signing_key_command_refuses_a_duplicate_kid():
    with pytest.raises(CommandError, match="already exists"):
        call_command("generate_signing_key", "--kid", load_keyring().active_kid, stdout=StringIO())


def test_generate_signing_key_command_can_stage_an_inactive_key():
    active = load_keyring().active_kid
    call_command("generate_signing_key", "--kid", "next", "--inactive", stdout=StringIO())
    assert load_keyring().active_kid == active


def test_ensure_signing_key_is_quiet_and_changes_nothing_when_a_key_exists(settings):
    before = (_keys_dir(settings) / KEYRING_FILE).read_bytes()
    out = StringIO()
    call_command("ensure_signing_key", stdout=out)
    assert out.getvalue() == ""
    assert (_keys_dir(settings) / KEYRING_FILE).read_bytes() == before


def test_ensure_signing_key_creates_one_in_an_empty_directory(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "fresh"
    out = StringIO()
    call_command("ensure_signing_key", stdout=out)
    kid = load_keyring().active_kid
    assert out.getvalue().strip() == f"Created signing key {kid}"
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o700
    call_command("ensure_signing_key", stdout=StringIO())
    assert [jwk["kid"] for jwk in public_jwks()["keys"]] == [kid]
