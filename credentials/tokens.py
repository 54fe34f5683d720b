"""The compact signed token carried in the QR URL's fragment: `{PUBLIC_BASE_URL}/v/{verification_id}#{token}`.

A JWS in compact serialisation (RFC 7515), written by hand with `cryptography`:

    base64url(header) "." base64url(claims) "." base64url(Ed25519 signature)     (no padding)
    header = {"alg": "EdDSA", "kid": <key id>, "typ": "kqr-cert+jwt"}

The claims are only what the certificate prints publicly, in short names because every byte grows the QR:

    vid    verification id             sn     serial number            name   holder's full name
    q      qualification code          eqf    EQF level                prov   provider short name
    ab     awarding body short name    awd    award date (ISO)         iat    when the token was signed

The token is made once, when the certificate is issued (`new_certificate_token`), and kept on the certificate
(`qr_token`): every later print carries the same token, so the same certificate always gives the same PDF.
The QR symbol of the whole URL is encoded then too and kept beside it (`stamp_qr_symbol`, `qr_symbol`): a print
draws the stored modules and never encodes the QR again.

Never the personal number, date of birth or results. The fragment is not sent to the server by browsers,
so the registry's own tools can check a certificate offline against `/.well-known/jwks.json`.
"""

from __future__ import annotations

import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from core import json_depth
from credentials.pdf.qr import encode_symbol, text_digest
from credentials.signing import (
    PublicKeyEntry,
    TokenError,
    b64url_decode,
    b64url_encode,
    canonical_json,
    load_keyring,
    sign_bytes,
)

TOKEN_TYPE = "kqr-cert+jwt"  # noqa: S105 (a JOSE "typ", not a secret)
ALGORITHM = "EdDSA"
MAX_TOKEN_LENGTH = 2048  # a real token is ~450 characters; refuse anything absurd before decoding it

__all__ = [
    "TokenError",
    "certificate_claims",
    "certificate_token",
    "check_claims_match",
    "stamp_qr_symbol",
    "verification_url",
    "verify_certificate_token",
]


def certificate_claims(certificate) -> dict:
    """The public printed facts, taken from the signed snapshot (what was printed, not today's catalogue)."""
    snap = certificate.snapshot or {}
    qualification = snap.get("qualification") or {}
    return {
        "vid": certificate.verification_id,
        "sn": certificate.serial_number,
        "name": (snap.get("holder") or {}).get("full_name") or certificate.holder_name,
        "q": qualification.get("code"),
        "eqf": qualification.get("eqf_level"),
        "prov": (snap.get("provider") or {}).get("short_name"),
        "ab": (snap.get("awarding_body") or {}).get("short_name"),
        "awd": snap.get("awarded_on") or certificate.awarded_on.isoformat(),
    }


def certificate_token(certificate) -> str:
    """The certificate's token: the one made at issuance, or (for a record that has none) a new one."""
    return certificate.qr_token or new_certificate_token(certificate)


def new_certificate_token(certificate) -> str:
    """A compact JWS over `certificate_claims` plus `iat` (now), signed with the active key."""
    claims = certificate_claims(certificate)
    claims["iat"] = int(timezone.now().timestamp())
    return _encode(claims)


def _encode(claims: dict) -> str:
    keyring = load_keyring()  # one read, so the header's kid is the key that signs
    header = {"alg": ALGORITHM, "kid": keyring.active_kid or "", "typ": TOKEN_TYPE}
    signing_input = f"{b64url_encode(canonical_json(header))}.{b64url_encode(canonical_json(claims))}"
    signature, _kid = sign_bytes(signing_input.encode("ascii"), keyring=keyring)
    return f"{signing_input}.{b64url_encode(signature)}"


def verification_url(certificate, *, with_token: bool = True) -> str:
    url = f"{settings.PUBLIC_BASE_URL}/v/{certificate.verification_id}"
    return f"{url}#{certificate_token(certificate)}" if with_token else url


def stamp_qr_symbol(certificate) -> bool:
    """Give `certificate` the QR symbol of its verification URL as it is today, encoded once and kept with the
    digest of the URL it encodes (so a changed PUBLIC_BASE_URL gets a new symbol, never a stale one). A record
    without a token gets its token here too, as issuance would have given it. True when a field changed: the
    caller saves `QR_FIELDS`."""
    if not certificate.qr_token:
        certificate.qr_token = new_certificate_token(certificate)
    url = verification_url(certificate)
    digest = text_digest(url)
    if certificate.qr_symbol and certificate.qr_symbol_digest == digest:
        return False
    certificate.qr_symbol = encode_symbol(url)
    certificate.qr_symbol_digest = digest
    return True


QR_FIELDS = ("qr_token", "qr_symbol", "qr_symbol_digest")


# --- verification ---------------------------------------------------------------------------------------------


def _json_object(part: str, what: str) -> dict:
    try:
        value = json_depth.loads(b64url_decode(part))  # a forged header of 1,500 "[" must not recurse
    except ValueError as exc:  # not base64url, not UTF-8, not JSON or nested too deeply
        raise TokenError("malformed", f"the {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise TokenError("malformed", f"the {what} is not a JSON object")
    return value


def _keys_from_jwks(jwks: dict) -> dict[str, PublicKeyEntry]:
    """Public keys from a JWKS document (e.g. one fetched earlier for offline checking)."""
    keys: dict[str, PublicKeyEntry] = {}
    for jwk in (jwks or {}).get("keys") or []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        if jwk.get("alg", ALGORITHM) != ALGORITHM or jwk.get("use", "sig") != "sig" or not jwk.get("kid"):
            continue
        try:
            public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
            nbf, exp = jwk.get("nbf"), jwk.get("exp")
            keys[jwk["kid"]] = PublicKeyEntry(
                kid=jwk["kid"],
                public_key=public_key,
                not_before=datetime.datetime.fromtimestamp(nbf, tz=datetime.UTC) if nbf is not None else None,
                not_after=datetime.datetime.fromtimestamp(exp, tz=datetime.UTC) if exp is not None else None,
                active=False,
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            continue
    return keys


def verify_certificate_token(token: str, *, jwks: dict | None = None) -> dict:
    """The token's claims when it is a well-formed EdDSA JWS by a known key, signed inside that key's
    validity period; otherwise TokenError with a machine-readable `code`.

    Keys come from `jwks` when given (offline checking), else from this registry's keyring.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("malformed", "not a token")
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise TokenError("malformed", "a token has three parts")
    header_part, payload_part, signature_part = parts

    header = _json_object(header_part, "header")
    if header.get("alg") != ALGORITHM:
        raise TokenError("alg_not_allowed", "only EdDSA tokens are accepted")
    if header.get("typ") != TOKEN_TYPE or "crit" in header:
        raise TokenError("malformed", f"the token type must be {TOKEN_TYPE}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("malformed", "the header names no key id")

    try:
        signature = b64url_decode(signature_part)
    except ValueError as exc:
        raise TokenError("malformed", "the signature is not base64url") from exc
    if len(signature) != 64:
        raise TokenError("malformed", "an Ed25519 signature is 64 bytes")

    keys = _keys_from_jwks(jwks) if jwks is not None else load_keyring().keys
    entry = keys.get(kid)
    if entry is None:
        raise TokenError("unknown_kid", "the token was signed with a key this registry does not know")
    try:
        entry.public_key.verify(signature, f"{header_part}.{payload_part}".encode("ascii"))
    except InvalidSignature as exc:
        raise TokenError("bad_signature", "the signature does not match the token") from exc

    claims = _json_object(payload_part, "payload")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise TokenError("malformed", "the token has no issued-at time")
    try:
        issued_at = datetime.datetime.fromtimestamp(iat, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TokenError("malformed", "the issued-at time is out of range") from exc
    if not entry.valid_at(issued_at):
        raise TokenError("key_not_valid_at_iat", "the key was not in use when the token says it was signed")
    return claims


def check_claims_match(claims: dict, certificate) -> None:
    """Raise TokenError("claims_mismatch") unless the token's claims are this certificate's printed facts."""
    expected = certificate_claims(certificate)
    if any(claims.get(name) != value for name, value in expected.items()):
        raise TokenError("claims_mismatch", "the token does not describe this certificate")
