from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from registry.middleware import current_request_id
from registry.models import AuditEntry

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


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry. `actor` may be None for system jobs (seeding, migrations)."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        organisation_id=getattr(actor_obj, "organisation_id", None),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        before=before,
        after=after,
        reason=reason[:2000],
        request_id=current_request_id(),
    )


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
