"""Audit helpers every app uses: what an object looks like in an audit entry, and what changed.

Personal data never reaches an audit value: fields a model lists in `audit_redact` appear by name only."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

REDACTED = "[redacted]"


def audit_snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete fields as JSON-safe values; fields listed in the model's
    `audit_redact` (personal data) are recorded as changed but never with their value."""
    redact = set(getattr(instance, "audit_redact", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue  # timestamps are the entry's own created_at
        value = getattr(instance, field.attname)
        if field.name in redact:
            data[field.name] = REDACTED if value not in (None, "") else value
            continue
        data[field.attname] = _json_safe(value)
    return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
