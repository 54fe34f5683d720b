"""Shared create/update steps the entity services build on."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.audit import audit_changes, audit_snapshot, audit_values, m2m_values
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
    after = {**audit_snapshot(instance), **m2m_values(instance, m2m or {})}
    audit_record(actor=actor, action=AuditAction.CREATE, instance=instance, after=after)
    return instance


def update_audited(
    *, actor, instance: M, data: dict, m2m: dict | None = None, reason: str = "", action: str = AuditAction.UPDATE
) -> M:
    """Apply `data` (and the `m2m` relations that are not None), validate, save, and audit what changed: by
    real value (a changed date of birth is an entry), shown without personal data. Nothing changed, no entry."""
    relations = [name for name, values in (m2m or {}).items() if values is not None]
    before = {**audit_values(instance), **m2m_values(instance, relations)}
    for name, value in data.items():
        setattr(instance, name, value)
    validate(instance)
    instance.save()
    for name in relations:
        getattr(instance, name).set(m2m[name])
    b, a = audit_changes(instance, before, {**audit_values(instance), **m2m_values(instance, relations)})
    if b or a:
        audit_record(actor=actor, action=action, instance=instance, before=b, after=a, reason=reason)
    return instance


def child_rows(queryset, *, exclude: tuple[str, ...] = ("id",)) -> list[dict]:
    """Dependent rows (an accreditation's conditions, a standard's duties) as audit values, keys in `exclude`
    left out (their ids change when the rows are rewritten)."""
    return [{k: v for k, v in audit_snapshot(row).items() if k not in exclude} for row in queryset]


def audit_children_change(*, actor, instance: models.Model, name: str, before: list, after: list) -> None:
    """One entry on `instance` when its dependent rows `name` changed (they are rewritten, not updated)."""
    if before != after:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, instance=instance, before={name: before}, after={name: after}
        )


def check_transition(*, what: str, current: str, target: str, transitions: dict) -> None:
    """Refuse a status change the lifecycle `transitions` ({status: {next statuses}}) does not allow."""
    allowed_next = transitions[current]
    if target not in allowed_next:
        allowed = ", ".join(sorted(allowed_next)) or "—"
        raise DomainError(
            "invalid_transition",
            format_lazy(
                _("The status cannot change from {current} to {target} (allowed: {allowed})."),
                current=current,
                target=target,
                allowed=allowed,
            ),
            fields={"status": [format_lazy(_("Allowed next: {allowed}."), allowed=allowed)]},
        )
