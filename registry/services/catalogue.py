"""Services for the catalogue the ministry keeps: organisations, standards, qualifications, curricula."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import policy
from core.errors import DomainError, choose_one_of
from registry.choices import (
    QUALIFICATION_TRANSITIONS,
    AuditAction,
    CurriculumStatus,
    DeliveryMode,
    OrganisationKind,
    QualificationStatus,
)
from registry.models import (
    Competence,
    Curriculum,
    CurriculumModule,
    Duty,
    LearningOutcome,
    OccupationalStandard,
    Organisation,
    Qualification,
)

from .audit import audit_record
from .base import audit_children_change, check_transition, child_rows, create_audited, update_audited

# --- organisations -------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, actor, data: dict) -> Organisation:
    policy.require(actor, "catalogue.write")
    return create_audited(actor=actor, instance=Organisation(**data))


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, data: dict) -> Organisation:
    policy.require(actor, "catalogue.write")
    return update_audited(actor=actor, instance=organisation, data=data)


# --- occupational standards ----------------------------------------------------------------------


def _duties_state(standard: OccupationalStandard) -> list[dict]:
    return [
        {
            **child_rows([duty], exclude=("id", "standard_id"))[0],
            "competences": child_rows(duty.competences.all(), exclude=("id", "duty_id")),
        }
        for duty in standard.duties.prefetch_related("competences")
    ]


def _write_duties(standard: OccupationalStandard, duties: list[dict], *, actor) -> None:
    before = _duties_state(standard)
    standard.duties.all().delete()
    for d_order, duty_data in enumerate(duties):
        competences = duty_data.get("competences", [])
        duty = Duty(
            standard=standard, code=duty_data["code"], title=duty_data["title"], order=duty_data.get("order", d_order)
        )
        duty.full_clean()
        duty.save()
        for c_order, comp in enumerate(competences):
            competence = Competence(
                duty=duty,
                code=comp["code"],
                kind=comp["kind"],
                description=comp["description"],
                order=comp.get("order", c_order),
            )
            competence.full_clean()
            competence.save()
    audit_children_change(actor=actor, instance=standard, name="duties", before=before, after=_duties_state(standard))


@transaction.atomic
def occupational_standard_create(*, actor, data: dict, duties: list[dict] | None = None) -> OccupationalStandard:
    policy.require(actor, "catalogue.write")
    standard = create_audited(actor=actor, instance=OccupationalStandard(**data))
    _write_duties(standard, duties or [], actor=actor)
    return standard


@transaction.atomic
def occupational_standard_update(
    *, actor, standard: OccupationalStandard, data: dict, duties: list[dict] | None = None
) -> OccupationalStandard:
    policy.require(actor, "catalogue.write")
    standard = update_audited(actor=actor, instance=standard, data=data)
    if duties is not None:
        if standard.duties.filter(competences__modules__isnull=False).exists():
            raise DomainError(
                "standard_in_use",
                "Competences are mapped to curriculum modules; publish a new version of the standard instead.",
                status_code=409,
            )
        _write_duties(standard, duties, actor=actor)
    return standard


# --- qualifications ------------------------------------------------------------------------------


def _check_qualification_parties(q: Qualification) -> None:
    fields = {}
    if q.owner.kind not in (OrganisationKind.MINISTRY, OrganisationKind.QUALIFICATION_AUTHORITY):
        fields["owner"] = ["The owner must be the ministry or the qualification authority."]
    if q.awarding_body.kind not in (
        OrganisationKind.AWARDING_BODY,
        OrganisationKind.QUALIFICATION_AUTHORITY,
        OrganisationKind.MINISTRY,
    ):
        fields["awarding_body"] = ["The awarding body must be an awarding body or the authority."]
    if fields:
        raise DomainError("invalid_party", "An organisation of the wrong kind was named.", fields=fields)


@transaction.atomic
def qualification_create(*, actor, data: dict, standards: list | None = None) -> Qualification:
    policy.require(actor, "catalogue.write")
    q = Qualification(**data)
    if q.status != QualificationStatus.DRAFT:
        raise DomainError(
            "invalid_status",
            "A new qualification starts as a draft.",
            fields={"status": ["A new qualification starts as a draft; approve it afterwards."]},
        )
    _check_qualification_parties(q)
    return create_audited(actor=actor, instance=q, m2m={"standards": standards or []})


@transaction.atomic
def qualification_update(
    *, actor, qualification: Qualification, data: dict, standards: list | None = None
) -> Qualification:
    policy.require(actor, "catalogue.write")
    data = dict(data)
    if "status" in data and data["status"] != qualification.status:
        raise DomainError(
            "use_transition",
            "Change the status with the transition action.",
            fields={"status": ["Use POST .../transition to change the status."]},
        )
    q = update_audited(actor=actor, instance=qualification, data=data, m2m={"standards": standards})
    _check_qualification_parties(q)
    return q


@transaction.atomic
def qualification_transition(*, actor, qualification: Qualification, status: str, reason: str = "") -> Qualification:
    policy.require(actor, "catalogue.write")
    check_transition(
        what="qualification", current=qualification.status, target=status, transitions=QUALIFICATION_TRANSITIONS
    )
    if (
        status == QualificationStatus.AVAILABLE
        and not qualification.curricula.filter(status=CurriculumStatus.APPROVED).exists()
    ):
        raise DomainError(
            "no_approved_curriculum", "A qualification becomes available only with an approved curriculum."
        )
    if status == QualificationStatus.NO_LONGER_AWARDED and qualification.certification_end is None:
        raise DomainError(
            "certification_end_required",
            "Set the certification end date first.",
            fields={"certification_end": ["Required before the qualification is withdrawn."]},
        )
    return update_audited(
        actor=actor, instance=qualification, data={"status": status}, reason=reason, action=AuditAction.STATUS_CHANGE
    )


# --- curricula -----------------------------------------------------------------------------------


def _check_delivery_modes(modes) -> None:
    if (
        not isinstance(modes, list)
        or not modes
        or any(m not in DeliveryMode.values for m in modes)
        or len(set(modes)) != len(modes)
    ):
        raise DomainError(
            "invalid",
            "Delivery modes must be a non-empty list without repeats.",
            fields={"delivery_modes": [choose_one_of(DeliveryMode.values)]},
        )


def check_curriculum_hours(qualification: Qualification, modules: list[dict]) -> None:
    """The mandatory modules' hours must add up to the qualification's hours of theory and practice."""
    theory = sum(m.get("hours_theory", 0) for m in modules if m.get("mandatory", True))
    practice = sum(m.get("hours_practice", 0) for m in modules if m.get("mandatory", True))
    problems = []
    if theory != qualification.hours_theory:
        problems.append(f"theory: modules give {theory} h, the qualification has {qualification.hours_theory} h")
    if practice != qualification.hours_practice:
        problems.append(f"practice: modules give {practice} h, the qualification has {qualification.hours_practice} h")
    if problems:
        raise DomainError(
            "hours_mismatch",
            "The mandatory modules' hours do not add up to the qualification's.",
            fields={"modules": ["; ".join(problems)]},
        )


def _write_modules(curriculum: Curriculum, modules: list[dict]) -> None:
    codes = [m["code"] for m in modules]
    if len(set(codes)) != len(codes):
        raise DomainError("invalid", "Module codes repeat.", fields={"modules": ["Each module code once."]})
    curriculum.modules.all().delete()
    allowed_competences = set(
        Competence.objects.filter(duty__standard__qualifications=curriculum.qualification_id).values_list(
            "pk", flat=True
        )
    )
    for order, data in enumerate(modules):
        data = dict(data)
        outcomes = data.pop("learning_outcomes", [])
        competences = data.pop("competences", [])
        data.setdefault("order", order)
        module = CurriculumModule(curriculum=curriculum, **data)
        module.full_clean(exclude=["curriculum"])
        module.save()
        comp_ids = [getattr(c, "pk", c) for c in competences]
        if not set(comp_ids) <= allowed_competences:
            raise DomainError(
                "invalid",
                "A module maps a competence of another standard.",
                fields={
                    "modules": [
                        format_lazy(
                            _("{module}: competences must come from the qualification's occupational standards."),
                            module=module.code,
                        )
                    ]
                },
            )
        module.competences.set(comp_ids)
        for o_order, outcome in enumerate(outcomes):
            lo = LearningOutcome(
                module=module,
                code=outcome["code"],
                description=outcome["description"],
                assessment_criteria=outcome.get("assessment_criteria", []),
                order=outcome.get("order", o_order),
            )
            lo.full_clean(exclude=["module"])
            lo.save()


@transaction.atomic
def curriculum_create(*, actor, data: dict, modules: list[dict]) -> Curriculum:
    policy.require(actor, "catalogue.write")
    curriculum = Curriculum(**data)
    _check_delivery_modes(curriculum.delivery_modes)
    if curriculum.status == CurriculumStatus.WITHDRAWN:
        raise DomainError(
            "invalid_status",
            "A new curriculum cannot start withdrawn.",
            fields={"status": ["Choose draft or approved."]},
        )
    check_curriculum_hours(curriculum.qualification, modules)
    curriculum = create_audited(actor=actor, instance=curriculum)
    _write_modules(curriculum, modules)
    return curriculum


@transaction.atomic
def curriculum_update(*, actor, curriculum: Curriculum, data: dict, modules: list[dict] | None = None) -> Curriculum:
    policy.require(actor, "catalogue.write")
    if "delivery_modes" in data:
        _check_delivery_modes(data["delivery_modes"])
    if modules is not None:
        if curriculum.status != CurriculumStatus.DRAFT:
            raise DomainError(
                "curriculum_not_draft",
                "Only a draft curriculum's modules can change; publish a new version instead.",
                status_code=409,
            )
        check_curriculum_hours(data.get("qualification", curriculum.qualification), modules)
    action = (
        AuditAction.STATUS_CHANGE if data.get("status", curriculum.status) != curriculum.status else AuditAction.UPDATE
    )
    curriculum = update_audited(actor=actor, instance=curriculum, data=data, action=action)
    if modules is not None:
        before = [m.code for m in curriculum.modules.all()]
        _write_modules(curriculum, modules)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=curriculum,
            before={"modules": before},
            after={"modules": [m["code"] for m in modules]},
        )
    return curriculum
