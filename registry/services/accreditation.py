"""Services for accreditations (recorded by the accrediting agent) and equivalencies (ministry)."""

from __future__ import annotations

from django.db import transaction

from core import policy
from core.errors import DomainError
from registry.choices import (
    ACCREDITATION_TRANSITIONS,
    AccreditationStatus,
    AuditAction,
    EquivalencyStatus,
)
from registry.models import Accreditation, AccreditationCondition, Equivalency

from .base import audit_children_change, check_transition, child_rows, create_audited, update_audited


def _write_conditions(acc: Accreditation, conditions: list[dict], *, actor) -> None:
    def state():
        return child_rows(acc.conditions.all(), exclude=("id", "accreditation_id"))

    before = state()
    acc.conditions.all().delete()
    for data in conditions:
        cond = AccreditationCondition(accreditation=acc, **data)
        cond.full_clean(exclude=["accreditation"])
        cond.save()
    audit_children_change(actor=actor, instance=acc, name="conditions", before=before, after=state())


def _check_conditions_status(acc: Accreditation) -> None:
    has_open = acc.conditions.filter(met=False).exists()
    if acc.status == AccreditationStatus.GRANTED and has_open:
        raise DomainError(
            "conditions_unmet",
            "Conditions are still unmet: grant it with conditions.",
            fields={"status": ["Use granted_with_conditions while any condition is unmet."]},
        )
    if acc.status == AccreditationStatus.GRANTED_WITH_CONDITIONS and not acc.conditions.exists():
        raise DomainError(
            "conditions_missing",
            "Granted with conditions needs at least one condition.",
            fields={"conditions": ["List the conditions."]},
        )


@transaction.atomic
def accreditation_create(
    *, actor, data: dict, conditions: list[dict] | None = None, municipalities: list | None = None
) -> Accreditation:
    """Record an accreditation. The agent is the actor's own organisation unless the ministry records it."""
    policy.require(actor, "accreditation.record")
    acc = Accreditation(**data)
    policy.require_act(actor, acc)
    if acc.status not in (
        AccreditationStatus.APPLIED,
        AccreditationStatus.GRANTED,
        AccreditationStatus.GRANTED_WITH_CONDITIONS,
    ):
        raise DomainError(
            "invalid_status",
            "A new accreditation is applied for or granted.",
            fields={"status": ["Choose applied, granted or granted_with_conditions."]},
        )
    acc = create_audited(actor=actor, instance=acc, m2m={"municipalities": municipalities or []})
    _write_conditions(acc, conditions or [], actor=actor)
    _check_conditions_status(acc)
    return acc


@transaction.atomic
def accreditation_update(
    *,
    actor,
    accreditation: Accreditation,
    data: dict,
    conditions: list[dict] | None = None,
    municipalities: list | None = None,
) -> Accreditation:
    policy.require(actor, "accreditation.record")
    policy.require_act(actor, accreditation)
    data = dict(data)
    if "status" in data and data["status"] != accreditation.status:
        raise DomainError(
            "use_transition",
            "Change the status with the transition action.",
            fields={"status": ["Use POST .../transition to change the status."]},
        )
    if "agent" in data and data["agent"].pk != accreditation.agent_id:
        policy.require_for(actor, "accreditation.record", data["agent"].pk)
    acc = update_audited(actor=actor, instance=accreditation, data=data, m2m={"municipalities": municipalities})
    if conditions is not None:
        _write_conditions(acc, conditions, actor=actor)
    _check_conditions_status(acc)
    return acc


@transaction.atomic
def accreditation_transition(*, actor, accreditation: Accreditation, status: str, reason: str = "") -> Accreditation:
    """Grant, suspend, withdraw or expire. Never touches certificates already issued (rule 5)."""
    policy.require(actor, "accreditation.record")
    policy.require_act(actor, accreditation)
    check_transition(
        what="accreditation", current=accreditation.status, target=status, transitions=ACCREDITATION_TRANSITIONS
    )
    if status in (AccreditationStatus.SUSPENDED, AccreditationStatus.WITHDRAWN) and not reason.strip():
        raise DomainError(
            "reason_required",
            "Give the reason for the decision.",
            fields={"reason": ["Required to suspend or withdraw."]},
        )
    acc = update_audited(
        actor=actor,
        instance=accreditation,
        data={"status": status, "status_reason": reason},
        reason=reason,
        action=AuditAction.STATUS_CHANGE,
    )
    _check_conditions_status(acc)
    return acc


@transaction.atomic
def equivalency_create(*, actor, data: dict) -> Equivalency:
    policy.require(actor, "equivalency.decide")
    eq = Equivalency(**data)
    return create_audited(actor=actor, instance=eq)


@transaction.atomic
def equivalency_update(*, actor, equivalency: Equivalency, data: dict) -> Equivalency:
    policy.require(actor, "equivalency.decide")
    if "status" in data and data["status"] != equivalency.status:
        raise DomainError(
            "use_transition",
            "Change the status with the transition action.",
            fields={"status": ["Use POST .../transition to change the status."]},
        )
    return update_audited(actor=actor, instance=equivalency, data=data)


EQUIVALENCY_TRANSITIONS = {
    EquivalencyStatus.GRANTED: {EquivalencyStatus.SUSPENDED, EquivalencyStatus.WITHDRAWN},
    EquivalencyStatus.SUSPENDED: {EquivalencyStatus.GRANTED, EquivalencyStatus.WITHDRAWN},
    EquivalencyStatus.WITHDRAWN: set(),
}


@transaction.atomic
def equivalency_transition(*, actor, equivalency: Equivalency, status: str, reason: str = "") -> Equivalency:
    policy.require(actor, "equivalency.decide")
    check_transition(what="equivalency", current=equivalency.status, target=status, transitions=EQUIVALENCY_TRANSITIONS)
    if status != EquivalencyStatus.GRANTED and not reason.strip():
        raise DomainError(
            "reason_required",
            "Give the reason for the decision.",
            fields={"reason": ["Required to suspend or withdraw."]},
        )
    return update_audited(
        actor=actor,
        instance=equivalency,
        data={"status": status, "status_reason": reason},
        reason=reason,
        action=AuditAction.STATUS_CHANGE,
    )
