from __future__ import annotations

from django.db import models

from core.audit import audit_repr
from core.middleware import current_request_id
from registry.models import AuditEntry


def audit_entry(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """An unsaved audit entry, for services that write many rows at once (`AuditEntry.objects.bulk_create`).
    `before`/`after` hold no personal data values (`core.audit`); `object_repr` is the model's `audit_label`
    if it has one."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEntry(
        actor=actor_obj,
        organisation_id=getattr(actor_obj, "organisation_id", None),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=audit_repr(instance),
        before=before,
        after=after,
        reason=reason[:2000],
        request_id=current_request_id(),
    )


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
    entry = audit_entry(actor=actor, action=action, instance=instance, before=before, after=after, reason=reason)
    entry.save()
    return entry
