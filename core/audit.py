"""Audit helpers every app uses: what an object looks like in an audit entry, and what changed.

Personal data never reaches an audit value. A model lists its personal-data fields in `audit_redact`: an
entry names such a field when it is set or changes, with the value "[redacted]". Changes are found on the
real values (`audit_values`, kept in memory only), so a corrected date of birth is still an entry even
though both sides read "[redacted]". A model whose `str()` holds personal data (a learner's name) gives an
`audit_label` for `object_repr` instead.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

REDACTED = "[redacted]"


def audit_values(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete fields as JSON-safe values, personal data included: for comparing only,
    never for storing (`redact` first)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue  # timestamps are the entry's own created_at
        data[field.attname] = _json_safe(getattr(instance, field.attname))
    return data


def redacted_names(model: type[models.Model] | models.Model) -> set[str]:
    """The keys `audit_values` uses for the model's personal-data fields (`audit_redact`)."""
    names = set(getattr(model, "audit_redact", ()))
    return {f.attname for f in model._meta.concrete_fields if f.name in names or f.attname in names} | names


def redact(model: type[models.Model] | models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with each personal-data field's value replaced by "[redacted]" (empty ones stay empty)."""
    hidden = redacted_names(model)
    return {k: (REDACTED if k in hidden and v not in (None, "") else v) for k, v in values.items()}


def audit_snapshot(instance: models.Model) -> dict[str, Any]:
    """What a create entry records: every field, personal data by name only."""
    return redact(instance, audit_values(instance))


def audit_changes(
    model: type[models.Model] | models.Model, before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the fields whose real values differ, personal data redacted. `before` and `after`
    are `audit_values` (or any dicts of real values), never already-redacted snapshots."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    keys += [k for k in before if k not in after]
    hidden = redacted_names(model)

    def shown(key: str, value: Any) -> Any:
        return REDACTED if key in hidden and value not in (None, "") else value

    return {k: shown(k, before.get(k)) for k in keys}, {k: shown(k, after.get(k)) for k in keys}


def changed_only(before: dict, after: dict) -> tuple[dict, dict]:
    """Changed keys of two snapshots. Blind to personal data (both sides read "[redacted]"): prefer
    `audit_changes` on `audit_values`."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def m2m_values(instance: models.Model, names) -> dict[str, list]:
    """Sorted primary keys of the instance's many-to-many relations `names` (for diffs)."""
    return {name: sorted(getattr(instance, name).values_list("pk", flat=True)) for name in names}


def audit_repr(instance: models.Model) -> str:
    """The entry's `object_repr`: the model's `audit_label` when its `str()` holds personal data."""
    label = getattr(instance, "audit_label", None)
    return str(label if label is not None else instance)[:255]


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value
