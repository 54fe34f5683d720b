"""Ed25519 public keys as Multikey (W3C Controlled Identifiers v1.0): `publicKeyMultibase` is `z` (base58btc)
over the multicodec prefix 0xed 0x01 and the 32 raw bytes, hence always `z6Mk...`. base58 comes from the `base58`
package (ADR 0015)."""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


def base58btc_encode(raw: bytes) -> str:
    """Multibase base58btc: `z` + Bitcoin-alphabet base58."""
    return "z" + base58.b58encode(raw).decode("ascii")


def base58btc_decode(text: str) -> bytes:
    """Raises ValueError on anything but a `z`-prefixed base58btc string."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise ValueError("not multibase base58btc")
    return base58.b58decode(text[1:])  # ValueError on a character outside the alphabet


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base58btc_encode(ED25519_PUB_PREFIX + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    """Raises ValueError unless `text` is an Ed25519 Multikey public key."""
    raw = base58btc_decode(text)
    if len(raw) != 34 or raw[:2] != ED25519_PUB_PREFIX:
        raise ValueError("not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def private_key_from_multibase(text: str) -> Ed25519PrivateKey:
    """Only the test vectors hand private keys around this way; the registry's own keys stay PEM files."""
    raw = base58btc_decode(text)
    if len(raw) != 34 or raw[:2] != ED25519_PRIV_PREFIX:
        raise ValueError("not an Ed25519 Multikey secret key")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])
