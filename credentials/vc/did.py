"""The issuer's identity: `did:web` of the public host, and its DID document (`/.well-known/did.json`).

    PUBLIC_BASE_URL https://registry.example.org     ->  did:web:registry.example.org
    PUBLIC_BASE_URL http://127.0.0.1:8000            ->  did:web:127.0.0.1%3A8000
    PUBLIC_BASE_URL https://example.org/registry     ->  did:web:example.org:registry  (document at /registry/did.json)

The document is built from the same keyring as `/.well-known/jwks.json` (credentials.signing): each key is a
`Multikey` verification method `<did>#<kid>` listed by full id under `assertionMethod`. Retired keys stay (what they
signed keeps verifying); a withdrawn (compromised) key is left out, so nothing it signed verifies any more.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from credentials.signing import load_keyring

from .loader import DID_V1, MULTIKEY_V1
from .multikey import public_key_multibase


def issuer_did(base_url: str | None = None) -> str:
    parts = urlsplit(base_url or settings.PUBLIC_BASE_URL)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    segments = [quote(host, safe="")]  # the port's colon is percent-encoded: did:web:host%3A8000
    segments += [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return "did:web:" + ":".join(segments)


def verification_method_id(kid: str) -> str:
    return f"{issuer_did()}#{kid}"


def _published_entries():
    keyring = load_keyring()
    entries = [entry for entry in keyring.keys.values() if entry.withdrawn_at is None]
    # The same order as the JWKS: active first, then the newest retired.
    return sorted(entries, key=lambda e: (not e.active, -(e.not_before.timestamp() if e.not_before else 0), e.kid))


def did_document() -> dict:
    did = issuer_did()
    methods = [
        {
            "id": f"{did}#{entry.kid}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(entry.public_key),
        }
        for entry in _published_entries()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def resolve_own_method(method_id: str) -> Ed25519PublicKey | None:
    """The public key of one of our assertion methods, as a verifier reading our DID document would find it:
    None for another controller, an unknown kid or a withdrawn key."""
    did, _, kid = method_id.partition("#")
    if did != issuer_did() or not kid:
        return None
    entry = load_keyring().keys.get(kid)
    if entry is None or entry.withdrawn_at is not None:
        return None
    return entry.public_key


def resolver_for(document: dict):
    """A `resolve_method` over a DID document (as fetched by a third party): Multikey methods listed under
    `assertionMethod` whose controller is the document's subject."""
    from .multikey import public_key_from_multibase

    assertion = set(document.get("assertionMethod") or [])
    methods = {m.get("id"): m for m in document.get("verificationMethod") or [] if isinstance(m, dict)}

    def resolve(method_id: str) -> Ed25519PublicKey | None:
        method = methods.get(method_id)
        if method is None or method_id not in assertion or method.get("controller") != document.get("id"):
            return None
        if method.get("type") != "Multikey":
            return None
        try:
            return public_key_from_multibase(method.get("publicKeyMultibase"))
        except ValueError:
            return None

    return resolve
