"""Data Integrity proofs with the cryptosuite `eddsa-rdfc-2022` (W3C VC Data Integrity EdDSA Cryptosuites v1.0).

    proof config   = the proof's options (type, cryptosuite, created, verificationMethod, proofPurpose)
                     with the document's `@context`
    hash data      = sha256(RDFC-1.0 of the proof config) || sha256(RDFC-1.0 of the document without `proof`)
    proofValue     = multibase base58btc of the Ed25519 signature over the 64 bytes of hash data

What is hashed is the canonical RDF, not the JSON bytes: any JSON serialisation of the same statements verifies,
and a statement the contexts do not define is not in it at all (hence `loader.undefined_terms` and its guard test).

`proof` is always written as a list (a proof set): a second proof signs the document without the first.

Interface (the status-list helper signs its BitstringStatusListCredentials with it; keep it stable):
    add_proof(document, *, created) -> dict           signed copy, with the registry's active key
    verify_proof(document, resolve_method) -> bool    resolve_method(verification method id) -> public key | None
"""

from __future__ import annotations

import copy
import datetime
import hashlib
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld.jsonld import JsonLdError

from credentials.signing import SigningError, load_keyring

from .loader import DocumentLoader, canonize
from .multikey import base58btc_decode, base58btc_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

ResolveMethod = Callable[[str], Ed25519PublicKey | None]


def format_datetime(value: datetime.datetime | str) -> str:
    """An XML Schema dateTime in UTC, whole seconds, `Z`: `2026-06-30T09:15:00Z`."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _hash_data(document: dict, proof_options: dict, loader: DocumentLoader | None) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key not in ("proofValue", "@context")}
    config["@context"] = unsecured["@context"]
    config_hash = hashlib.sha256(canonize(config, loader=loader).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(unsecured, loader=loader).encode("utf-8")).digest()
    return config_hash + document_hash


def create_proof(
    document: dict,
    *,
    created: datetime.datetime | str,
    verification_method: str,
    private_key: Ed25519PrivateKey,
    loader: DocumentLoader | None = None,
) -> dict:
    """The proof object (without adding it): for any key, which is what the test vectors need."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(_hash_data(document, options, loader))
    return {**options, "proofValue": base58btc_encode(signature)}


def add_proof(document: dict, *, created: datetime.datetime | str) -> dict:
    """A copy of `document` with a proof by the registry's active signing key appended to `proof` (a list).

    Ed25519 is deterministic: the same document, `created` and key give the same bytes. The signature is checked
    before it is returned, so a broken key fails here and not at a verifier. Raises SigningError without a key.
    """
    from .did import verification_method_id  # did imports the keyring too; keep the import graph one-way

    keyring = load_keyring()
    if keyring.active_kid is None or keyring.active_private is None:
        raise SigningError("no active signing key; run `manage.py ensure_signing_key`")
    signed = copy.deepcopy(document)
    existing = signed.pop("proof", [])
    existing = existing if isinstance(existing, list) else [existing]
    proof = create_proof(
        signed,
        created=created,
        verification_method=verification_method_id(keyring.active_kid),
        private_key=keyring.active_private,
    )
    active_public = keyring.keys[keyring.active_kid].public_key
    if not _verify_one(signed, proof, lambda method: active_public, None):
        raise SigningError(f"the proof made with key {keyring.active_kid} does not verify")
    signed["proof"] = [*existing, proof]
    return signed


def _verify_one(unsecured: dict, proof, resolve_method: ResolveMethod, loader: DocumentLoader | None) -> bool:
    if not isinstance(proof, dict):
        return False
    if (
        proof.get("type") != PROOF_TYPE
        or proof.get("cryptosuite") != CRYPTOSUITE
        or proof.get("proofPurpose") != PROOF_PURPOSE
        or not isinstance(proof.get("verificationMethod"), str)
        or not isinstance(proof.get("created"), str)
    ):
        return False
    try:
        datetime.datetime.fromisoformat(proof["created"].replace("Z", "+00:00"))
        signature = base58btc_decode(proof.get("proofValue"))
    except (ValueError, TypeError):
        return False
    if len(signature) != 64:
        return False
    # A proof that carries its own @context must carry the document's first entries (the spec's check).
    if "@context" in proof:
        theirs = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        ours = unsecured["@context"] if isinstance(unsecured["@context"], list) else [unsecured["@context"]]
        if ours[: len(theirs)] != theirs:
            return False
    public_key = resolve_method(proof["verificationMethod"])
    if public_key is None:
        return False
    try:
        public_key.verify(signature, _hash_data(unsecured, proof, loader))
    except (InvalidSignature, JsonLdError):
        return False
    return True


def verify_proof(document: dict, resolve_method: ResolveMethod, *, loader: DocumentLoader | None = None) -> bool:
    """True only when `document` has at least one proof and every proof is an `eddsa-rdfc-2022` assertion
    proof that verifies with the key `resolve_method` returns for its verification method (None: unknown,
    withdrawn or not an assertion method of its controller, so False). A context that is not bundled is False."""
    if not isinstance(document, dict) or "@context" not in document:
        return False
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if not proofs or proofs == [None]:
        return False
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    try:
        return all(_verify_one(unsecured, proof, resolve_method, loader) for proof in proofs)
    except JsonLdError:
        return False
