"""The issuer's did:web and its DID document at /.well-known/did.json, built from the signing keyring."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from credentials.signing import generate_signing_key, load_keyring
from credentials.vc.did import did_document, issuer_did
from credentials.vc.loader import undefined_terms
from credentials.vc.multikey import public_key_from_multibase, public_key_multibase
from registry.models import AuditEntry


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("https://registry.example.org", "did:web:registry.example.org"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://example.org:8443/kqr", "did:web:example.org%3A8443:kqr"),
        ("https://example.org/a/b/", "did:web:example.org:a:b"),
    ],
)
def test_did_web_of_the_public_base_url(base_url, did):
    assert issuer_did(base_url) == did


def test_did_document_lists_every_key_as_a_multikey_assertion_method(client):
    old_kid = load_keyring().active_kid
    new_kid = generate_signing_key()  # rotation: the old key is retired, and stays
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    did = "did:web:registry.example.org"
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["id"] == did
    ids = [method["id"] for method in document["verificationMethod"]]
    assert ids == [f"{did}#{new_kid}", f"{did}#{old_kid}"]  # the active key first
    assert document["assertionMethod"] == ids
    keyring = load_keyring()
    for method in document["verificationMethod"]:
        kid = method["id"].split("#")[1]
        assert method["type"] == "Multikey"
        assert method["controller"] == did
        assert method["publicKeyMultibase"].startswith("z6Mk")
        assert method["publicKeyMultibase"] == public_key_multibase(keyring.keys[kid].public_key)
        public_key_from_multibase(method["publicKeyMultibase"])  # decodes back
    assert undefined_terms(document) == []


def test_did_document_etag(client):
    first = client.get("/.well-known/did.json")
    again = client.get("/.well-known/did.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.post("/.well-known/did.json").status_code == 405


@pytest.mark.django_db
def test_withdrawing_a_compromised_key_removes_it_and_is_audited():
    old_kid = load_keyring().active_kid
    generate_signing_key()
    call_command("withdraw_signing_key", old_kid, reason="key file found on a stolen laptop")
    assert all(not m["id"].endswith("#" + old_kid) for m in did_document()["verificationMethod"])
    assert load_keyring().keys[old_kid].withdrawn_at is not None
    entry = AuditEntry.objects.get(object_type="credentials.signingkey", object_id=old_kid)
    assert entry.action == "status_change"
    assert entry.before == {"withdrawn_at": None} and entry.after["withdrawn_at"]
    assert entry.reason == "key file found on a stolen laptop"
    # Again: nothing changes, nothing more is written.
    call_command("withdraw_signing_key", old_kid, reason="again")
    assert AuditEntry.objects.filter(object_type="credentials.signingkey").count() == 1


@pytest.mark.django_db
def test_the_active_key_and_unknown_keys_cannot_be_withdrawn():
    active = load_keyring().active_kid
    with pytest.raises(CommandError, match="active key"):
        call_command("withdraw_signing_key", active, reason="x")
    with pytest.raises(CommandError, match="no key"):
        call_command("withdraw_signing_key", "2601-000000", reason="x")
    assert [m["id"].split("#")[1] for m in did_document()["verificationMethod"]] == [active]
    assert not AuditEntry.objects.filter(object_type="credentials.signingkey").exists()
