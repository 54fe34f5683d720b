"""`Idempotency-Key`: the first successful answer to a request is stored and replayed for the same key and
body; the same key with a different body is refused (`idempotency_key_reused`).

Keys are per user and per scope (method and path), so two clients never see each other's answers.
Only successful answers are stored: a refused request writes nothing, so retrying it re-checks the rules.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from credentials.models import IdempotencyRecord

MAX_KEY_LENGTH = 128


def request_fingerprint(data) -> str:
    """SHA-256 of the body's canonical JSON (sorted keys), so key order and spacing do not matter."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError(
            "invalid_idempotency_key",
            format_lazy(_("An Idempotency-Key is 1 to {max} printable characters."), max=MAX_KEY_LENGTH),
            fields={"Idempotency-Key": ["Malformed."]},
        )
    return key


def idempotency_lookup(*, user, scope: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The stored answer for this key, or None. Raises when the key was used with another body."""
    record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
    if record is not None and record.request_hash != fingerprint:
        raise DomainError(
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body.",
            status_code=422,
        )
    return record


def idempotency_store(*, user, scope: str, key: str, fingerprint: str, status: int, body) -> IdempotencyRecord:
    """Store the answer. Raises IntegrityError if a concurrent request stored one first (the caller's
    transaction then rolls back and replays that one)."""
    record = IdempotencyRecord(
        user=user,
        scope=scope[:128],
        key=key,
        request_hash=fingerprint,
        response_status=status,
        response_body=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
    )
    record.full_clean(validate_unique=False, validate_constraints=False)
    record.save()
    return record
