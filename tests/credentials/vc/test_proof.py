"""Data Integrity proofs (eddsa-rdfc-2022): the W3C test vectors, and add_proof/verify_proof with our keyring."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

import pytest

from credentials.signing import generate_signing_key, load_keyring, withdraw_signing_key
from credentials.vc.did import did_document, issuer_did, resolve_own_method, resolver_for
from credentials.vc.loader import ContextNotBundled, canonize, make_document_loader
from credentials.vc.multikey import private_key_from_multibase, public_key_from_multibase, public_key_multibase
from credentials.vc.proof import add_proof, create_proof, verify_proof

VECTORS = Path(__file__).parent / "w3c_vectors"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _vector(name: str):
    text = (VECTORS / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


@pytest.fixture
def vector_loader():
    return make_document_loader({EXAMPLES_V2: json.loads((VECTORS / "credentials-examples-v2.jsonld").read_text())})


# --- the W3C vectors ------------------------------------------------------------------------------------------


def test_vector_canonical_document_and_proof_config(vector_loader):
    assert canonize(_vector("unsigned.json"), loader=vector_loader) == _vector("canonDocDataInt.txt")
    assert canonize(_vector("proofConfigDataInt.json"), loader=vector_loader) == _vector("proofCanonDataInt.txt")


def test_vector_signature_is_reproduced(vector_loader):
    config = _vector("proofConfigDataInt.json")
    key = private_key_from_multibase(_vector("keyPair.json")["privateKeyMultibase"])
    proof = create_proof(
        _vector("unsigned.json"),
        created=config["created"],
        verification_method=config["verificationMethod"],
        private_key=key,
        loader=vector_loader,
    )
    signed = _vector("signedDataInt.json")
    assert proof == signed["proof"]
    assert (
        bytes(key.sign(bytes.fromhex(_vector("combinedHashDataInt.txt").strip()))).hex()
        == _vector("sigHexDataInt.txt").strip()
    )


def test_vector_public_key_is_the_multikey_of_the_private_one():
    pair = _vector("keyPair.json")
    private = private_key_from_multibase(pair["privateKeyMultibase"])
    assert public_key_multibase(private.public_key()) == pair["publicKeyMultibase"]
    assert pair["publicKeyMultibase"].startswith("z6Mk")


def test_vector_signed_credential_verifies_and_a_one_character_edit_does_not(vector_loader):
    public = public_key_from_multibase(_vector("keyPair.json")["publicKeyMultibase"])
    signed = _vector("signedDataInt.json")
    assert verify_proof(signed, lambda method: public, loader=vector_loader)
    for path, edit in (
        (("credentialSubject", "alumniOf"), "The School of Examplez"),
        (("validFrom",), "2023-01-01T00:00:01Z"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
    ):
        tampered = copy.deepcopy(signed)
        target = tampered
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = edit
        assert not verify_proof(tampered, lambda method: public, loader=vector_loader), path


def test_a_context_that_is_not_bundled_is_an_error_never_a_fetch(vector_loader):
    with pytest.raises(ContextNotBundled):
        canonize(_vector("unsigned.json"))  # the production loader does not bundle the examples context
    public = public_key_from_multibase(_vector("keyPair.json")["publicKeyMultibase"])
    assert verify_proof(_vector("signedDataInt.json"), lambda method: public, loader=vector_loader)
    assert not verify_proof(_vector("signedDataInt.json"), lambda method: public)


# --- our keyring ------------------------------------------------------------------------------------------------

CREATED = datetime.datetime(2026, 6, 30, 9, 15, 7, 123456, tzinfo=datetime.UTC)


def _document() -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:9c1f7a52-6d0e-4b9e-8d4c-9f5f0f4c2b11",
        "type": ["VerifiableCredential"],
        "issuer": issuer_did(),
        "validFrom": "2026-06-30T00:00:00Z",
        "name": "Test",
        "credentialSubject": {"id": "urn:example:subject", "name": "Zana Krasniqi"},
    }


def test_add_proof_signs_with_the_active_key_as_a_list_and_verifies():
    signed = add_proof(_document(), created=CREATED)
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    proof = signed["proof"][0]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2026-06-30T09:15:07Z"
    assert proof["verificationMethod"] == f"{issuer_did()}#{load_keyring().active_kid}"
    assert verify_proof(signed, resolve_own_method)
    assert verify_proof(signed, resolver_for(did_document()))
    assert add_proof(_document(), created=CREATED) == signed  # deterministic


def test_add_proof_leaves_the_input_alone_and_appends_to_a_proof_set():
    document = _document()
    first = add_proof(document, created=CREATED)
    assert "proof" not in document
    second = add_proof(first, created=CREATED)
    assert len(second["proof"]) == 2 and second["proof"][0] == first["proof"][0]
    assert verify_proof(second, resolve_own_method)


def test_verify_proof_refuses_edits_missing_proofs_and_other_suites():
    signed = add_proof(_document(), created=CREATED)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["name"] = "Zana Krasniqj"
    assert not verify_proof(tampered, resolve_own_method)
    unsigned = copy.deepcopy(signed)
    del unsigned["proof"]
    assert not verify_proof(unsigned, resolve_own_method)
    for field, value in (
        ("cryptosuite", "eddsa-jcs-2022"),
        ("proofPurpose", "authentication"),
        ("type", "Ed25519Signature2020"),
        ("proofValue", "not-base58"),
        ("verificationMethod", "did:web:elsewhere.example#" + load_keyring().active_kid),
    ):
        other = copy.deepcopy(signed)
        other["proof"][0][field] = value
        assert not verify_proof(other, resolve_own_method), field


def test_a_rotated_key_keeps_verifying_a_withdrawn_one_does_not():
    signed = add_proof(_document(), created=CREATED)
    old_kid = load_keyring().active_kid
    generate_signing_key()
    assert verify_proof(signed, resolve_own_method)
    assert any(m["id"].endswith("#" + old_kid) for m in did_document()["verificationMethod"])
    withdraw_signing_key(old_kid)
    assert not verify_proof(signed, resolve_own_method)
    assert not verify_proof(signed, resolver_for(did_document()))
    assert all(not m["id"].endswith("#" + old_kid) for m in did_document()["verificationMethod"])
