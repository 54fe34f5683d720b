"""Shared create/update steps the entity services build on."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from core.audit import audit_snapshot, changed_only
from core.errors import DomainError
from registry.choices import AuditAction

from .audit import audit_record

M = TypeVar("M", bound=models.Model)


def validate(instance: models.Model) -> None:
    """`full_clean()`, with the model's party rules (`party_errors()`, where it has them) answered first as
    `invalid_party`: the admin meets the same rules through `clean()`."""
    party_errors = getattr(instance, "party_errors", None)
    if party_errors is not None and (errors := party_errors()):
        raise DomainError(
            "invalid_party", "An organisation or qualification of the wrong kind was named.", fields=errors
        )
    instance.full_clean()


def create_audited(*, actor, instance: M, m2m: dict | None = None) -> M:
    validate(instance)
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    audit_record(actor=actor, action=AuditAction.CREATE, instance=instance, after=audit_snapshot(instance))
    return instance


def update_audited(
    *, actor, instance: M, data: dict, m2m: dict | None = None, reason: str = "", action: str = AuditAction.UPDATE
) -> M:
    before = audit_snapshot(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    validate(instance)
    instance.save()
    for name, values in (m2m or {}).items():
        if values is not None:
            getattr(instance, name).set(values)
    b, a = changed_only(before, audit_snapshot(instance))
    if b or a or m2m:
        audit_record(actor=actor, action=action, instance=instance, before=b, after=a, reason=reason)
    return instance


def check_transition(*, what: str, current: str, target: str, transitions: dict) -> None:
    """Refuse a status change the lifecycle `transitions` ({status: {next statuses}}) does not allow."""
    allowed_next = transitions[current]
    if target not in allowed_next:
        allowed = ", ".join(sorted(allowed_next)) or "none"
        raise DomainError(
            "invalid_transition",
            f"A {current} {what} cannot become {target} (allowed: {allowed}).",
            fields={"status": [f"Allowed next: {allowed}."]},
        )
