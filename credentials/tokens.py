"""The compact signed token carried in the QR URL's fragment: `{PUBLIC_BASE_URL}/v/{verification_id}#{token}`.

Two formats verify; new certificates get the first (ADR 0017):

**Compact (since ADR 0017)**: RFC 4648 base32, upper case, no padding, so the whole fragment is one QR
alphanumeric segment (5.5 bits a character instead of 8; the QR is a version 10-11, not 17):

    base32( 0x02 | kid | sn | name | q | eqf | prov | ab | awd | iat | Ed25519 signature )
    kid, sn, name, q, prov, ab   a string: LEB128 varint of (UTF-8 length + 1), then the bytes; 0 = null
    eqf                          one byte (0 = null)
    awd                          award date, days since 1970-01-01, 2 bytes big-endian
    iat                          when the token was signed, Unix seconds, 4 bytes big-endian
    signature                    64 bytes, over  b"kqr-cert/2\n" + verification id + b"\n" + the bytes before it

The verification id is not repeated in the token: it is signed from the URL's path, so a token moved under
another id no longer verifies. Whoever checks a compact token needs the id of the URL it came with.

**JWS (certificates printed before ADR 0017)**: compact serialisation (RFC 7515), written with `cryptography`:

    base64url(header) "." base64url(claims) "." base64url(Ed25519 signature)     (no padding)
    header = {"alg": "EdDSA", "kid": <key id>, "typ": "kqr-cert+jwt"}

Both carry the same claims, only what the certificate prints publicly:

    vid    verification id             sn     serial number            name   holder's full name
    q      qualification code          eqf    EQF level                prov   provider short name
    ab     awarding body short name    awd    award date (ISO)         iat    when the token was signed

The token is made once, when the certificate is issued (`new_certificate_token`), and kept on the certificate
(`qr_token`): every later print carries the same token, so the same certificate always gives the same PDF.
The QR symbol of the whole URL is encoded then too and kept beside it (`stamp_qr_symbol`, `qr_symbol`): a print
draws the stored modules and never encodes the QR again. A certificate that still holds a JWS gets a compact
token at its next print (and keeps it); the JWS already on paper keeps verifying.

Never the personal number, date of birth or results. The fragment is not sent to the server by browsers,
so the registry's own tools can check a certificate offline against `/.well-known/jwks.json`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re

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
MAX_TOKEN_LENGTH = 2048  # a real token is ~240 (compact) or ~450 (JWS) characters; refuse anything absurd
COMPACT_VERSION = 2
COMPACT_DOMAIN = b"kqr-cert/2\n"  # what a compact signature covers starts with this, then the verification id
_COMPACT_RE = re.compile(r"^[A-Z2-7]+$")
_EPOCH = datetime.date(1970, 1, 1)

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


def new_certificate_token(certificate, *, signer=None) -> str:
    """A compact token over `certificate_claims` plus `iat` (now), signed with the active key (by `signer`, a
    `credentials.batch_signing.BatchSigner`, when a batch is being signed)."""
    claims = certificate_claims(certificate)
    claims["iat"] = int(timezone.now().timestamp())
    return _encode_compact(claims, signer=signer)


def is_compact(token: str) -> bool:
    """True for a token of the compact format (ADR 0017), False for a JWS (or anything else)."""
    return bool(_COMPACT_RE.match(token or ""))


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _string(value: str | None) -> bytes:
    if value is None:
        return b"\x00"
    data = str(value).encode("utf-8")
    return _varint(len(data) + 1) + data


def compact_body(claims: dict, kid: str) -> bytes:
    awd = (datetime.date.fromisoformat(claims["awd"]) - _EPOCH).days
    return b"".join(
        [
            bytes([COMPACT_VERSION]),
            _string(kid),
            _string(claims["sn"]),
            _string(claims["name"]),
            _string(claims["q"]),
            bytes([claims["eqf"] or 0]),
            _string(claims["prov"]),
            _string(claims["ab"]),
            awd.to_bytes(2, "big"),
            claims["iat"].to_bytes(4, "big"),
        ]
    )


def _compact_signing_input(verification_id: str, body: bytes) -> bytes:
    try:
        return COMPACT_DOMAIN + verification_id.encode("ascii") + b"\n" + body
    except UnicodeEncodeError as exc:
        raise TokenError("malformed", "a verification id is ASCII") from exc


def _encode_compact(claims: dict, *, signer=None) -> str:
    if signer is not None:
        body = compact_body(claims, signer.kid)
        signature, _kid = signer.sign(_compact_signing_input(claims["vid"], body))
    else:
        keyring = load_keyring()  # one read, so the kid written is the key that signs
        body = compact_body(claims, keyring.active_kid or "")
        signature, _kid = sign_bytes(_compact_signing_input(claims["vid"], body), keyring=keyring)
    return base64.b32encode(body + signature).decode("ascii").rstrip("=")


def jws_token(certificate) -> str:
    """A token in the JWS format certificates were printed with before ADR 0017. New certificates never get
    one; it is here so that the verification of those already on paper stays tested."""
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
    without a token, or with a JWS token from before ADR 0017 (a larger QR that a poor copy may not scan), gets a
    compact token here, as issuance would give it now. True when a field changed: the caller saves `QR_FIELDS`."""
    new_token = not is_compact(certificate.qr_token)
    if new_token:  # none yet, or a JWS from before ADR 0017: one that scans easily
        certificate.qr_token = new_certificate_token(certificate)
    url = verification_url(certificate)
    digest = text_digest(url)
    if certificate.qr_symbol and certificate.qr_symbol_digest == digest:
        return new_token
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


def verify_certificate_token(token: str, *, jwks: dict | None = None, verification_id: str | None = None) -> dict:
    """The token's claims when it is a well-formed token (compact, or an EdDSA JWS) by a known key, signed
    inside that key's validity period; otherwise TokenError with a machine-readable `code`.

    Keys come from `jwks` when given (offline checking), else from this registry's keyring. A compact token is
    checked against `verification_id`, the id of the URL it came with (its signature covers it; the claims
    returned carry it as `vid`).
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("malformed", "not a token")
    token = token.strip()
    if is_compact(token):
        return _verify_compact(token, jwks=jwks, verification_id=verification_id)
    parts = token.split(".")
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

    entry = _key(kid, jwks)
    _check_signature(entry, signature, f"{header_part}.{payload_part}".encode("ascii"))
    claims = _json_object(payload_part, "payload")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise TokenError("malformed", "the token has no issued-at time")
    _check_issued_at(entry, iat)
    return claims


def _key(kid: str, jwks: dict | None) -> PublicKeyEntry:
    keys = _keys_from_jwks(jwks) if jwks is not None else load_keyring().keys
    entry = keys.get(kid)
    if entry is None:
        raise TokenError("unknown_kid", "the token was signed with a key this registry does not know")
    return entry


def _check_signature(entry: PublicKeyEntry, signature: bytes, signed: bytes) -> None:
    try:
        entry.public_key.verify(signature, signed)
    except InvalidSignature as exc:
        raise TokenError("bad_signature", "the signature does not match the token") from exc


def _check_issued_at(entry: PublicKeyEntry, iat: int) -> None:
    try:
        issued_at = datetime.datetime.fromtimestamp(iat, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TokenError("malformed", "the issued-at time is out of range") from exc
    if not entry.valid_at(issued_at):
        raise TokenError("key_not_valid_at_iat", "the key was not in use when the token says it was signed")


class _Reader:
    """Reads a compact token's fields in order; any overrun or bad value is a malformed token."""

    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def take(self, count: int) -> bytes:
        if count < 0 or self.position + count > len(self.data):
            raise TokenError("malformed", "the token ends too early")
        chunk = self.data[self.position : self.position + count]
        self.position += count
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def string(self) -> str | None:
        length, shift = 0, 0
        while True:
            byte = self.number(1)
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
            if shift > 14:
                raise TokenError("malformed", "a field of the token is too long")
        if length == 0:
            return None
        try:
            return self.take(length - 1).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TokenError("malformed", "a field of the token is not UTF-8") from exc


def _verify_compact(token: str, *, jwks: dict | None, verification_id: str | None) -> dict:
    if not verification_id:
        raise TokenError("malformed", "a compact token is checked with the verification id of its URL")
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("malformed", "the token is not base32") from exc
    if len(raw) <= 64:
        raise TokenError("malformed", "the token is too short")
    body, signature = raw[:-64], raw[-64:]
    reader = _Reader(body)
    if reader.number(1) != COMPACT_VERSION:
        raise TokenError("malformed", f"the token is not of version {COMPACT_VERSION}")
    kid = reader.string()
    claims = {"vid": verification_id, "sn": reader.string(), "name": reader.string(), "q": reader.string()}
    claims["eqf"] = reader.number(1) or None
    claims["prov"], claims["ab"] = reader.string(), reader.string()
    claims["awd"] = (_EPOCH + datetime.timedelta(days=reader.number(2))).isoformat()
    claims["iat"] = reader.number(4)
    if reader.position != len(body) or not kid:
        raise TokenError("malformed", "the token has extra bytes or names no key id")
    entry = _key(kid, jwks)
    _check_signature(entry, signature, _compact_signing_input(verification_id, body))
    _check_issued_at(entry, claims["iat"])
    return claims


def check_claims_match(claims: dict, certificate) -> None:
    """Raise TokenError("claims_mismatch") unless the token's claims are this certificate's printed facts."""
    expected = certificate_claims(certificate)
    if any(claims.get(name) != value for name, value in expected.items()):
        raise TokenError("claims_mismatch", "the token does not describe this certificate")
