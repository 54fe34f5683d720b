"""Writes to the training records a provider keeps: learners, cohorts, enrolments and module results.

Each service is keyword-only, atomic, validates with `full_clean()` and writes an audit entry (personal
data is redacted in the audit log by `Learner.audit_redact`).
"""

from __future__ import annotations

import datetime
import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import policy
from core.errors import Conflict, DomainError
from credentials.choices import (
    COHORT_TRANSITIONS,
    LIVE_CERTIFICATE_STATUSES,
    CohortStatus,
    EnrolmentStatus,
    ResultOutcome,
)
from credentials.models import Cohort, Enrolment, Learner, ModuleResult
from registry.choices import AuditAction, CurriculumStatus, OrganisationKind
from registry.models import CurriculumModule, Organisation
from registry.services.base import check_transition, create_audited, update_audited

NAME_FIELDS = ("given_name", "family_name")


def normalise_name(value: str) -> str:
    """Names as on the ID card, in any script: NFC (so `Č` typed two ways is one name), single spaces."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def check_provider(provider: Organisation) -> None:
    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError(
            "invalid_party", "Training records belong to a provider.", fields={"provider": ["Not a provider."]}
        )


# --- learners ------------------------------------------------------------------------------------


def _clean_learner_data(data: dict) -> dict:
    data = dict(data)
    for name in NAME_FIELDS:
        if name in data:
            data[name] = normalise_name(data[name])
    if "personal_number" in data and data["personal_number"] is not None:
        data["personal_number"] = str(data["personal_number"]).strip()
    return data


EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def check_birth_date(day: datetime.date | None, *, today: datetime.date | None = None) -> None:
    if day and not (EARLIEST_BIRTH <= day <= (today or timezone.localdate())):
        raise DomainError(
            "invalid", "The date of birth is not plausible.", fields={"date_of_birth": ["Not a plausible date."]}
        )


def _check_learner(learner: Learner) -> None:
    check_birth_date(learner.date_of_birth)
    taken = Learner.objects.filter(provider_id=learner.provider_id, personal_number=learner.personal_number)
    if learner.pk:
        taken = taken.exclude(pk=learner.pk)
    if taken.exists():
        raise Conflict(
            "personal_number_taken",
            "This provider already has a learner with this personal number.",
            fields={"personal_number": ["Already recorded for this provider."]},
        )


@transaction.atomic
def learner_create(*, actor, provider: Organisation, data: dict) -> Learner:
    policy.require_for(actor, "training.write", provider.pk)
    check_provider(provider)
    learner = Learner(provider=provider, **_clean_learner_data(data))
    _check_learner(learner)
    return create_audited(actor=actor, instance=learner)


@transaction.atomic
def learner_update(*, actor, learner: Learner, data: dict, reason: str = "") -> Learner:
    """Correct a learner's record. Certificates already issued keep what they printed (rule 6)."""
    policy.require(actor, "training.write")
    policy.require_act(actor, learner)
    data = _clean_learner_data(data)
    data.pop("provider", None)
    probe = Learner(**{f.attname: getattr(learner, f.attname) for f in Learner._meta.concrete_fields})
    for name, value in data.items():
        setattr(probe, name, value)
    _check_learner(probe)
    return update_audited(actor=actor, instance=learner, data=data, reason=reason)


# --- cohorts -------------------------------------------------------------------------------------


def _check_cohort(cohort: Cohort) -> None:
    curriculum = cohort.curriculum
    if curriculum.status == CurriculumStatus.WITHDRAWN:
        raise DomainError("curriculum_withdrawn", "The curriculum is withdrawn.", fields={"curriculum": ["Withdrawn."]})
    if curriculum.status != CurriculumStatus.APPROVED:
        raise DomainError(
            "curriculum_not_approved", "The curriculum is not approved yet.", fields={"curriculum": ["Not approved."]}
        )
    if cohort.delivery_mode not in (curriculum.delivery_modes or []):
        offered = ", ".join(curriculum.delivery_modes or []) or "—"
        raise DomainError(
            "delivery_mode_not_offered",
            format_lazy(_("The curriculum is delivered only this way: {modes}."), modes=offered),
            fields={"delivery_mode": [format_lazy(_("Choose one of: {choices}."), choices=offered)]},
        )
    if not isinstance(cohort.mentors, list) or not all(isinstance(m, str) and m.strip() for m in cohort.mentors):
        raise DomainError("invalid", "Mentors are a list of names.", fields={"mentors": ["A list of names."]})
    cohort.mentors = [normalise_name(m) for m in cohort.mentors]


@transaction.atomic
def cohort_create(*, actor, provider: Organisation, data: dict) -> Cohort:
    policy.require_for(actor, "training.write", provider.pk)
    check_provider(provider)
    cohort = Cohort(provider=provider, **data)
    _check_cohort(cohort)
    if Cohort.objects.filter(provider=provider, code=cohort.code).exists():
        raise Conflict("cohort_code_taken", "This provider already has a cohort with this code.", fields={"code": []})
    return create_audited(actor=actor, instance=cohort)


@transaction.atomic
def cohort_update(*, actor, cohort: Cohort, data: dict) -> Cohort:
    policy.require(actor, "training.write")
    policy.require_act(actor, cohort)
    data = dict(data)
    data.pop("provider", None)
    if "status" in data and data["status"] != cohort.status:
        check_transition(what="cohort", current=cohort.status, target=data["status"], transitions=COHORT_TRANSITIONS)
    if "curriculum" in data and data["curriculum"].pk != cohort.curriculum_id and cohort.enrolments.exists():
        raise Conflict("cohort_has_enrolments", "A cohort with enrolments keeps its curriculum.")
    probe = Cohort(**{f.attname: getattr(cohort, f.attname) for f in Cohort._meta.concrete_fields})
    for name, value in data.items():
        setattr(probe, name, value)
    _check_cohort(probe)
    data["mentors"] = probe.mentors
    action = AuditAction.STATUS_CHANGE if data.get("status", cohort.status) != cohort.status else AuditAction.UPDATE
    return update_audited(actor=actor, instance=cohort, data=data, action=action)


# --- enrolments ----------------------------------------------------------------------------------


@transaction.atomic
def enrolment_create(*, actor, cohort: Cohort, learner: Learner, enrolled_on: datetime.date | None = None) -> Enrolment:
    """Enrol a learner of the provider into one of its cohorts (rule 5: not into a withdrawn curriculum,
    not after the qualification's operational end)."""
    policy.require(actor, "training.write")
    policy.require_act(actor, cohort)
    if learner.provider_id != cohort.provider_id:
        raise DomainError(
            "learner_of_other_provider",
            "The learner is recorded by another provider.",
            fields={"learner": ["Not one of this provider's learners."]},
        )
    enrolled_on = enrolled_on or timezone.localdate()
    check_enrolment_open(cohort=cohort, enrolled_on=enrolled_on)
    if Enrolment.objects.filter(cohort=cohort, learner=learner).exists():
        raise Conflict("already_enrolled", "The learner is already enrolled in this cohort.")
    enrolment = Enrolment(cohort=cohort, learner=learner, enrolled_on=enrolled_on)
    return create_audited(actor=actor, instance=enrolment)


def check_enrolment_open(*, cohort: Cohort, enrolled_on: datetime.date) -> None:
    """Rule 5: nobody enrols into a withdrawn curriculum, after the qualification's operational end, or into a
    finished cohort. Reads the cohort's curriculum and qualification (select them with the cohort)."""
    curriculum = cohort.curriculum
    if curriculum.status == CurriculumStatus.WITHDRAWN:
        message = "The cohort's curriculum is withdrawn: no new enrolments."
        raise DomainError("curriculum_withdrawn", message, fields={"cohort": [message]})
    if not curriculum.qualification.open_for_enrolment_on(enrolled_on):
        raise DomainError(
            "qualification_closed_for_enrolment",
            "The qualification takes no new enrolments on this date.",
            fields={"enrolled_on": ["After the qualification's operational end, or it is not available."]},
        )
    if cohort.status == CohortStatus.FINISHED:
        message = "The cohort has finished: no new enrolments."
        raise DomainError("cohort_finished", message, fields={"cohort": [message]})


ENROLMENT_TRANSITIONS = {
    EnrolmentStatus.ACTIVE: {EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN},
    EnrolmentStatus.WITHDRAWN: {EnrolmentStatus.ACTIVE},
    EnrolmentStatus.COMPLETED: set(),
}


@transaction.atomic
def enrolment_transition(
    *, actor, enrolment: Enrolment, status: str, on: datetime.date | None = None, reason: str = ""
) -> Enrolment:
    """Complete or withdraw an enrolment. Completing needs every mandatory module passed and the hours
    reached (the training part of the issuance rules); issuing a certificate completes it too."""
    from .eligibility import training_reasons

    policy.require(actor, "training.write")
    policy.require_act(actor, enrolment)
    check_transition(what="enrolment", current=enrolment.status, target=status, transitions=ENROLMENT_TRANSITIONS)
    data: dict = {"status": status}
    if status == EnrolmentStatus.COMPLETED:
        on = on or timezone.localdate()
        curriculum = enrolment.cohort.curriculum
        reasons, _missing, _hours = training_reasons(
            enrolment=enrolment,
            modules=list(curriculum.modules.all()),
            results=list(enrolment.results.all()),
            qualification=curriculum.qualification,
        )
        if reasons:
            first = reasons[0]
            raise DomainError(first.code, first.message, extra={"reasons": [r.as_dict() for r in reasons]})
        data["completed_on"] = on
    else:
        data["completed_on"] = None
    return update_audited(actor=actor, instance=enrolment, data=data, reason=reason, action=AuditAction.STATUS_CHANGE)


# --- module results ------------------------------------------------------------------------------

RESULT_FIELDS = ("hours_theory", "hours_practice", "outcome", "assessed_on", "assessor")


def check_result_open(*, enrolment: Enrolment, certified: bool) -> None:
    """A withdrawn learner's results, and those of an enrolment with a live certificate, no longer change."""
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        raise DomainError("enrolment_withdrawn", "The learner withdrew from this cohort.")
    if certified:
        raise Conflict(
            "enrolment_certified",
            "A certificate was issued for this enrolment; results can no longer change (revoke it first).",
        )


def check_result(result: ModuleResult, module: CurriculumModule) -> None:
    fields = {}
    if result.hours_theory is not None and result.hours_theory > module.hours_theory:
        fields["hours_theory"] = [f"At most the module's {module.hours_theory} h."]
    if result.hours_practice is not None and result.hours_practice > module.hours_practice:
        fields["hours_practice"] = [f"At most the module's {module.hours_practice} h."]
    if fields:
        raise DomainError("hours_exceed_module", "More hours recorded than the module has.", fields=fields)
    if result.assessed_on and result.assessed_on > timezone.localdate():
        raise DomainError(
            "invalid", "The assessment date is in the future.", fields={"assessed_on": ["In the future."]}
        )
    enrolled_on = result.enrolment.enrolled_on
    if result.assessed_on and result.assessed_on < enrolled_on:
        raise DomainError(
            "assessed_before_enrolment",
            format_lazy(
                _("The assessment date is before the learner enrolled ({enrolled_on})."),
                enrolled_on=enrolled_on.isoformat(),
            ),
            fields={
                "assessed_on": [
                    format_lazy(
                        _("On or after the enrolment date, {enrolled_on}."), enrolled_on=enrolled_on.isoformat()
                    )
                ]
            },
        )
    if result.outcome != ResultOutcome.PENDING and not result.assessed_on:
        raise DomainError(
            "invalid", "An assessed result needs its date.", fields={"assessed_on": ["Required when assessed."]}
        )


@transaction.atomic
def module_result_record(
    *, actor, enrolment: Enrolment, module: CurriculumModule, data: dict
) -> tuple[ModuleResult, bool]:
    """Record (or correct) a learner's result in one module. Returns (result, created)."""
    cohort = enrolment.cohort
    policy.require(actor, "training.write")
    policy.require_act(actor, cohort)
    if module.curriculum_id != cohort.curriculum_id:
        raise DomainError(
            "module_not_in_curriculum",
            "The module is not part of the cohort's curriculum.",
            fields={"module": ["Choose a module of the cohort's curriculum."]},
        )
    check_result_open(
        enrolment=enrolment, certified=enrolment.certificates.filter(status__in=LIVE_CERTIFICATE_STATUSES).exists()
    )
    data = {k: v for k, v in data.items() if k in RESULT_FIELDS}
    if "assessor" in data:
        data["assessor"] = normalise_name(data["assessor"])
    existing = ModuleResult.objects.filter(enrolment=enrolment, module=module).first()
    if existing is None:
        result = ModuleResult(enrolment=enrolment, module=module, recorded_by=_user_or_none(actor), **data)
        check_result(result, module)
        return create_audited(actor=actor, instance=result), True
    probe = ModuleResult(enrolment=enrolment, module=module, **{f: getattr(existing, f) for f in RESULT_FIELDS})
    for name, value in data.items():
        setattr(probe, name, value)
    check_result(probe, module)
    data["recorded_by"] = _user_or_none(actor)
    return update_audited(actor=actor, instance=existing, data=data), False


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None
