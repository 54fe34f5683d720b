"""Rule 1 of DESIGN.md as data: may this enrolment get a certificate on this award date, and if not, why?

Reads only. The issuing services and the eligibility endpoint share these functions, so what the
eligibility read promises is exactly what issuance enforces. Each reason carries a stable `code`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from credentials.choices import LIVE_CERTIFICATE_STATUSES, CertificateStatus, EnrolmentStatus, ResultOutcome
from credentials.models import Certificate, Enrolment, ModuleResult
from registry.choices import CurriculumStatus
from registry.models import Accreditation, Curriculum, CurriculumModule, Equivalency, Organisation, Qualification


@dataclass(frozen=True)
class Reason:
    """One broken issuance rule."""

    code: str
    message: str
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **({"detail": self.detail} if self.detail else {})}


@dataclass
class IssuanceBasis:
    """What a certificate of this provider and curriculum would be issued under on `awarded_on`."""

    awarded_on: datetime.date
    accreditation: Accreditation | None
    equivalency: Equivalency | None
    reasons: list[Reason]


@dataclass
class Eligibility:
    enrolment: Enrolment
    basis: IssuanceBasis
    reasons: list[Reason]
    missing_modules: list[dict]
    hours: dict

    @property
    def eligible(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict:
        return {
            "enrolment": self.enrolment.pk,
            "awarded_on": self.basis.awarded_on.isoformat(),
            "eligible": self.eligible,
            "reasons": [r.as_dict() for r in self.reasons],
            "missing_modules": self.missing_modules,
            "hours": self.hours,
            "accreditation": self.basis.accreditation.pk if self.basis.accreditation else None,
            "equivalency": self.basis.equivalency.pk if self.basis.equivalency else None,
        }


def _accreditation_for(
    provider: Organisation, qualification: Qualification, day: datetime.date
) -> tuple[Accreditation | None, Reason | None]:
    covering = list(
        Accreditation.objects.filter(provider=provider)
        .covering(qualification)
        .select_related("agent")
        .order_by("-valid_from", "-id")
    )
    in_force = [a for a in covering if a.in_force_on(day)]
    assessing = [a for a in in_force if a.includes_assessment]
    if assessing:
        # A programme accreditation (naming the qualification) is more specific than an institutional one.
        assessing.sort(key=lambda a: (a.qualification_id is None, -a.valid_from.toordinal()))
        return assessing[0], None
    if in_force:
        return None, Reason(
            "accreditation_excludes_assessment",
            _("The provider's accreditation does not include assessment, so it cannot certify."),
            {"accreditation": in_force[0].pk},
        )
    latest = covering[0] if covering else None
    detail = (
        {"accreditation": latest.pk, "status": latest.status, "valid_until": latest.valid_until.isoformat()}
        if latest
        else {}
    )
    return None, Reason(
        "accreditation_not_in_force",
        format_lazy(
            _(
                "The provider holds no granted accreditation in force on {day} for this qualification (latest: "
                "{status}, valid until {valid_until})."
            ),
            day=day.isoformat(),
            status=latest.status,
            valid_until=latest.valid_until.isoformat(),
        )
        if latest
        else format_lazy(
            _("The provider holds no granted accreditation in force on {day} for this qualification."),
            day=day.isoformat(),
        ),
        detail,
    )


def _equivalency_for(qualification: Qualification, day: datetime.date) -> Equivalency | None:
    return (
        Equivalency.objects.filter(qualification=qualification)
        .in_force_on(day)
        .select_related("decided_by", "equivalent_to")
        .order_by("-decided_on", "-id")
        .first()
    )


def issuance_basis(*, provider: Organisation, curriculum: Curriculum, awarded_on: datetime.date) -> IssuanceBasis:
    """The rules that depend on the catalogue and accreditation, not on the learner: checked once per cohort."""
    reasons: list[Reason] = []
    qualification = curriculum.qualification
    if curriculum.status == CurriculumStatus.WITHDRAWN:
        reasons.append(
            Reason(
                "curriculum_withdrawn",
                format_lazy(_("The curriculum {version} is withdrawn."), version=curriculum.version),
            )
        )
    elif curriculum.status != CurriculumStatus.APPROVED:
        reasons.append(
            Reason(
                "curriculum_not_approved",
                format_lazy(_("The curriculum {version} is not approved."), version=curriculum.version),
            )
        )
    if not qualification.certifiable_on(awarded_on):
        reasons.append(
            Reason(
                "qualification_not_certifiable",
                format_lazy(
                    _("{qualification} cannot be awarded on {day} (status {status})."),
                    qualification=qualification.code,
                    day=awarded_on.isoformat(),
                    status=qualification.status,
                ),
                {"status": qualification.status},
            )
        )
    accreditation, problem = _accreditation_for(provider, qualification, awarded_on)
    if problem:
        reasons.append(problem)
    equivalency = None
    if qualification.awarding_body.is_foreign:
        equivalency = _equivalency_for(qualification, awarded_on)
        if equivalency is None:
            reasons.append(
                Reason(
                    "equivalency_missing",
                    format_lazy(
                        _(
                            "{qualification} is awarded by a foreign body and has no ministry equivalency in force "
                            "on {day}."
                        ),
                        qualification=qualification.code,
                        day=awarded_on.isoformat(),
                    ),
                )
            )
    return IssuanceBasis(awarded_on=awarded_on, accreditation=accreditation, equivalency=equivalency, reasons=reasons)


def training_reasons(
    *,
    enrolment: Enrolment,
    modules: list[CurriculumModule],
    results: list[ModuleResult],
    qualification: Qualification,
    awarded_on: datetime.date | None = None,
) -> tuple[list[Reason], list[dict], dict]:
    """The learner's part: enrolment not withdrawn, every mandatory module passed, hours reached.
    Returns (reasons, missing modules, hours)."""
    reasons: list[Reason] = []
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        reasons.append(Reason("enrolment_not_completed", _("The learner withdrew from the cohort.")))
    if awarded_on is not None and awarded_on < enrolment.enrolled_on:
        reasons.append(Reason("award_before_enrolment", _("The award date is before the learner enrolled.")))
    by_module = {r.module_id: r for r in results}
    missing = []
    for module in modules:
        result = by_module.get(module.pk)
        outcome = result.outcome if result else ResultOutcome.PENDING.value
        if module.mandatory and outcome != ResultOutcome.PASS:
            missing.append({"code": module.code, "title": module.title, "outcome": outcome})
    if missing:
        codes = ", ".join(m["code"] for m in missing)
        reasons.append(
            Reason(
                "mandatory_module_not_passed",
                format_lazy(_("Mandatory modules not passed: {modules}."), modules=codes),
                {"modules": missing},
            )
        )
    attended_theory = sum(r.hours_theory for r in results)
    attended_practice = sum(r.hours_practice for r in results)
    hours = {
        "theory": {
            "required": qualification.hours_theory,
            "attended": attended_theory,
            "missing": max(0, qualification.hours_theory - attended_theory),
        },
        "practice": {
            "required": qualification.hours_practice,
            "attended": attended_practice,
            "missing": max(0, qualification.hours_practice - attended_practice),
        },
    }
    if hours["theory"]["missing"] or hours["practice"]["missing"]:
        reasons.append(
            Reason(
                "hours_not_met",
                format_lazy(
                    _("Hours short: {theory} h of theory and {practice} h of practice."),
                    theory=hours["theory"]["missing"],
                    practice=hours["practice"]["missing"],
                ),
                hours,
            )
        )
    return reasons, missing, hours


def evaluate(
    *, enrolment: Enrolment, basis: IssuanceBasis, modules: list[CurriculumModule], results: list[ModuleResult]
) -> Eligibility:
    qualification = enrolment.cohort.curriculum.qualification
    own, missing, hours = training_reasons(
        enrolment=enrolment, modules=modules, results=results, qualification=qualification, awarded_on=basis.awarded_on
    )
    return Eligibility(
        enrolment=enrolment, basis=basis, reasons=[*basis.reasons, *own], missing_modules=missing, hours=hours
    )


def standing_revocations(**filters) -> dict[int, list[Certificate]]:
    """Revoked certificates no new certificate was issued to follow (`replaces_revoked`), per enrolment,
    oldest first; `filters` select them (`enrolment=...`, `enrolment__cohort=...`). While one stands, the
    enrolment is not issued again unless an explicit decision names it (DESIGN.md "Authority")."""
    standing: dict[int, list[Certificate]] = {}
    revoked = Certificate.objects.filter(status=CertificateStatus.REVOKED, replaced_by__isnull=True, **filters)
    for certificate in revoked.order_by("pk"):
        standing.setdefault(certificate.enrolment_id, []).append(certificate)
    return standing


def previously_revoked_reason(certificate: Certificate) -> Reason:
    return Reason(
        "previously_revoked",
        format_lazy(
            _(
                "The certificate {serial_number} of this enrolment was revoked; a new one is issued only by an "
                "explicit decision that names it (`replaces_revoked`, with a reason)."
            ),
            serial_number=certificate.serial_number,
        ),
        {
            "certificate": certificate.pk,
            "serial_number": certificate.serial_number,
            "decided_by": certificate.status_authority,
        },
    )


def enrolment_eligibility(*, enrolment: Enrolment, awarded_on: datetime.date) -> Eligibility:
    """Whether `enrolment` may be certified on `awarded_on`, and what is missing if not."""
    cohort = enrolment.cohort
    basis = issuance_basis(provider=cohort.provider, curriculum=cohort.curriculum, awarded_on=awarded_on)
    eligibility = evaluate(
        enrolment=enrolment,
        basis=basis,
        modules=list(cohort.curriculum.modules.all()),
        results=list(enrolment.results.all()),
    )
    standing = standing_revocations(enrolment=enrolment).get(enrolment.pk)
    if standing and not enrolment.certificates.filter(status__in=LIVE_CERTIFICATE_STATUSES).exists():
        eligibility.reasons.append(previously_revoked_reason(standing[-1]))
    return eligibility
