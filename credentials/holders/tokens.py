"""Capability tokens of the holder's private link (`/my/{token}`) and of share links (`/s/{token}`).

A token is `base64url(HMAC-SHA256(key, purpose + nonce))`: 256 bits, unguessable without the key. The row keeps the
nonce (128 random bits from `secrets`) and the token's SHA-256, never the token. A request's token is hashed and
looked up by that hash (an equality on a unique index of a value the caller cannot steer), then compared again in
constant time with the token the row's nonce gives, so neither a timing nor a partial match opens anything.

Why derived rather than random and forgotten: the registry must be able to print the same private link again (the
transcript, a reminder e-mail sent by a retried task) without keeping it. A copy of the database alone yields no
working link; the key (HOLDER_LINK_KEY, or one derived from SECRET_KEY) is needed too. ADR 0016.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from django.conf import settings

HOLDER = "holder"
SHARE = "share"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@lru_cache(maxsize=4)
def _derived_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"kqr.holder-links.v1", hashlib.sha256).digest()


def _key() -> bytes:
    configured = getattr(settings, "HOLDER_LINK_KEY", "")
    return configured.encode() if configured else _derived_key(settings.SECRET_KEY)


def new_nonce() -> str:
    return secrets.token_hex(16)  # 128 random bits


def token_for(purpose: str, nonce: str) -> str:
    digest = hmac.new(_key(), f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str | None) -> bool:
    return bool(token) and TOKEN_PATTERN.match(token) is not None


def lookup_hash(token: str | None) -> str:
    """The hash to look a request's token up by. A malformed token is still hashed and looked up (it matches
    nothing), so a malformed, an unknown and an expired token cost the same."""
    return hash_token(token if well_formed(token) else "-")


def matches(purpose: str, nonce: str, token: str) -> bool:
    return hmac.compare_digest(token_for(purpose, nonce), token)
