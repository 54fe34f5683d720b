"""The frozen record of what a certificate prints (rule 6 of DESIGN.md).

The snapshot is built once, at issuance, from the live catalogue and training records; it is signed
(Ed25519 over its canonical JSON) and never changes afterwards, whatever later happens to the learner,
the qualification or the curriculum. Its shape is versioned by `schema`.
"""

from __future__ import annotations

import datetime

from credentials.choices import ResultOutcome
from credentials.models import Enrolment
from registry.models import Accreditation, Equivalency

SNAPSHOT_SCHEMA = "kqr-certificate/1"


def _org(org) -> dict:
    return {"slug": org.slug, "name": org.name, "short_name": org.short_name, "country": org.country}


def _signing_org(org) -> dict:
    """An organisation that signs the certificate: who signs for it, as its record says at issuance (frozen here,
    so a later change of director never alters a printed signature line). Left out when it names nobody."""
    out = _org(org)
    if org.signatory_name or org.signatory_title:
        out["signatory"] = {"name": org.signatory_name, "title": org.signatory_title}
    return out


def _titles(q) -> dict:
    return {"sq": q.title_sq, "sr": q.title_sr or q.title_sq, "en": q.title_en}


def build_certificate_snapshot(
    *,
    enrolment: Enrolment,
    accreditation: Accreditation,
    equivalency: Equivalency | None,
    serial_number: str,
    verification_id: str,
    awarded_on: datetime.date,
    issued_on: datetime.date,
    holder_given_name: str | None = None,
    holder_family_name: str | None = None,
    results=None,
) -> dict:
    """Everything printed on the certificate and its transcript, as plain JSON values.

    `holder_*` override the learner's names (a reissue for a name correction passes the corrected ones).
    `results` are the enrolment's module results when the caller loaded them (anything with `module_id` and
    `outcome`: bulk issuance reads them as values, not model instances); otherwise `enrolment.results`.
    """
    learner = enrolment.learner
    cohort = enrolment.cohort
    curriculum = cohort.curriculum
    q = curriculum.qualification
    given = holder_given_name if holder_given_name is not None else learner.given_name
    family = holder_family_name if holder_family_name is not None else learner.family_name
    results = {r.module_id: r for r in (enrolment.results.all() if results is None else results)}
    modules = []
    for module in curriculum.modules.all():
        result = results.get(module.pk)
        modules.append(
            {
                "code": module.code,
                "title": module.title,
                "title_en": module.title_en or module.title,
                "kind": module.kind,
                "mandatory": module.mandatory,
                "hours_theory": module.hours_theory,
                "hours_practice": module.hours_practice,
                "credits": module.credits,
                "outcome": result.outcome if result else ResultOutcome.PENDING.value,
            }
        )
    return {
        "schema": SNAPSHOT_SCHEMA,
        "serial_number": serial_number,
        "verification_id": verification_id,
        "holder": {"given_name": given, "family_name": family, "full_name": f"{given} {family}"},
        "qualification": {
            "code": q.code,
            "title": _titles(q),
            "type": q.type,
            "nqf_level": q.nqf_level,
            "eqf_level": q.eqf_level,
            "credits": q.credits,
            "hours_theory": q.hours_theory,
            "hours_practice": q.hours_practice,
        },
        "curriculum": {"version": curriculum.version, "delivery_mode": cohort.delivery_mode},
        "cohort": {"code": cohort.code},
        "provider": _signing_org(cohort.provider),
        "awarding_body": _signing_org(q.awarding_body),
        "accreditation": {
            "decision_number": accreditation.decision_number,
            "agent": _org(accreditation.agent),
            "valid_from": accreditation.valid_from.isoformat(),
            "valid_until": accreditation.valid_until.isoformat(),
        },
        "equivalency": (
            {
                "decision_number": equivalency.decision_number,
                "decided_on": equivalency.decided_on.isoformat(),
                "decided_by": _org(equivalency.decided_by),
                "equivalent_to": {
                    "code": equivalency.equivalent_to.code,
                    "title": _titles(equivalency.equivalent_to),
                },
            }
            if equivalency
            else None
        ),
        "modules": modules,
        "awarded_on": awarded_on.isoformat(),
        "issued_on": issued_on.isoformat(),
    }
