"""Issuance (rule 1, 2 and 6 of DESIGN.md): each rule is proven by breaking it and getting its refusal
code with nothing written."""

import datetime
import re

import pytest

from core.errors import DomainError
from credentials.choices import CertificateStatus, EnrolmentStatus, ResultOutcome
from credentials.models import Certificate
from credentials.services import certificate_issue, learner_update
from credentials.signing import canonical_json, verify_snapshot
from registry.choices import (
    AccreditationExtent,
    AccreditationStatus,
    AuditAction,
    CurriculumStatus,
    QualificationStatus,
)
from registry.models import AuditEntry
from registry.services.accreditation import accreditation_transition
from tests import factories
from tests.credentials.conftest import AWARD, counts

pytestmark = pytest.mark.django_db

CROCKFORD_26 = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def _foreign_world(provider, *, equivalency: bool):
    body = factories.OrganisationFactory(foreign_awarding_body=True, slug="ocn-test")
    qualification = factories.QualificationFactory(awarding_body=body, serial_prefix="L5-SEN-OCN")
    curriculum = factories.CurriculumFactory(qualification=qualification)
    eq = factories.EquivalencyFactory(qualification=qualification) if equivalency else None
    return factories.issuable_enrolment(provider=provider, curriculum=curriculum), eq


def _refused(enrolment, code, *, actor=None, awarded_on=AWARD):
    before = counts()
    status_before = type(enrolment).objects.get(pk=enrolment.pk).status
    with pytest.raises(DomainError) as info:
        certificate_issue(actor=actor, enrolment=enrolment, awarded_on=awarded_on)
    assert info.value.code == code
    assert counts() == before, "a refusal writes nothing"
    assert type(enrolment).objects.get(pk=enrolment.pk).status == status_before
    return info.value


def test_issue_stores_the_rules_it_was_issued_under_and_signs_the_snapshot(enrolment, provider_user):
    cert, created = certificate_issue(actor=provider_user, enrolment=enrolment, awarded_on=AWARD)

    assert created is True
    q = enrolment.cohort.curriculum.qualification
    assert cert.serial_number == f"{q.serial_prefix}-2026-000001"
    assert CROCKFORD_26.match(cert.verification_id)
    assert cert.accreditation.provider_id == enrolment.cohort.provider_id
    assert cert.equivalency is None
    assert cert.status == CertificateStatus.VALID
    assert cert.holder_name == "Ardita Krasniqi"
    assert cert.snapshot["serial_number"] == cert.serial_number
    assert cert.snapshot["verification_id"] == cert.verification_id
    assert cert.snapshot["accreditation"]["decision_number"] == cert.accreditation.decision_number
    assert verify_snapshot(cert.snapshot, cert.signature, cert.key_id)
    assert cert.issued_by == provider_user
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED and enrolment.completed_on == AWARD
    entry = AuditEntry.objects.get(object_type="credentials.certificate", object_id=str(cert.pk))
    assert entry.action == AuditAction.ISSUE and entry.actor == provider_user
    assert "snapshot" not in entry.after, "the audit log does not copy results (personal data)"


def test_serials_count_per_qualification_and_award_year(provider):
    curriculum = factories.CurriculumFactory()
    first = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    second = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    third = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    prefix = curriculum.qualification.serial_prefix
    a, _ = certificate_issue(actor=None, enrolment=first, awarded_on=AWARD)
    b, _ = certificate_issue(actor=None, enrolment=second, awarded_on=datetime.date(2025, 12, 31))
    c, _ = certificate_issue(actor=None, enrolment=third, awarded_on=AWARD)
    assert [a.serial_number, b.serial_number, c.serial_number] == [
        f"{prefix}-2026-000001",
        f"{prefix}-2025-000001",
        f"{prefix}-2026-000002",
    ]


def test_verification_ids_are_random_and_distinct(provider):
    curriculum = factories.CurriculumFactory()
    ids = {
        certificate_issue(
            actor=None,
            enrolment=factories.issuable_enrolment(provider=provider, curriculum=curriculum),
            awarded_on=AWARD,
        )[0].verification_id
        for _ in range(5)
    }
    assert len(ids) == 5 and all(CROCKFORD_26.match(v) for v in ids)


def test_issuing_twice_returns_the_first_certificate(enrolment):
    first, created = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    before = counts()
    again, created_again = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert counts() == before


def test_foreign_qualification_is_issued_under_its_equivalency(provider):
    enrolment, eq = _foreign_world(provider, equivalency=True)
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    assert cert.equivalency == eq
    assert cert.snapshot["equivalency"]["decision_number"] == eq.decision_number
    assert cert.serial_number == "L5-SEN-OCN-2026-000001"


# --- each rule, broken -----------------------------------------------------------------------------


def test_expired_accreditation_refuses_with_accreditation_not_in_force(enrolment):
    acc = enrolment.cohort.provider.accreditations.get()
    acc.valid_until = datetime.date(2026, 6, 29)
    acc.save()
    err = _refused(enrolment, "accreditation_not_in_force")
    assert err.extra["reasons"][0]["code"] == "accreditation_not_in_force"


def test_suspended_accreditation_refuses(enrolment):
    acc = enrolment.cohort.provider.accreditations.get()
    acc.status = AccreditationStatus.SUSPENDED
    acc.save()
    _refused(enrolment, "accreditation_not_in_force")


def test_accreditation_without_assessment_cannot_certify(enrolment):
    enrolment.cohort.provider.accreditations.update(extent=AccreditationExtent.TRAINING_ONLY)
    _refused(enrolment, "accreditation_excludes_assessment")


def test_missing_equivalency_refuses_a_foreign_qualification(provider):
    enrolment, _ = _foreign_world(provider, equivalency=False)
    _refused(enrolment, "equivalency_missing")


def test_hours_short_refuses_with_what_is_missing(enrolment):
    result = enrolment.results.get(module__code="M2")
    result.hours_practice -= 40
    result.save()
    err = _refused(enrolment, "hours_not_met")
    hours = err.extra["reasons"][0]["detail"]
    assert hours["practice"] == {"required": 600, "attended": 560, "missing": 40}
    assert hours["theory"]["missing"] == 0


def test_failed_mandatory_module_refuses(enrolment):
    enrolment.results.filter(module__code="M1").update(outcome=ResultOutcome.FAIL)
    err = _refused(enrolment, "mandatory_module_not_passed")
    assert err.extra["reasons"][0]["detail"]["modules"] == [
        {"code": "M1", "title": "Theory of inclusive education", "outcome": "fail"}
    ]


def test_missing_result_counts_as_not_passed(enrolment):
    enrolment.results.filter(module__code="M2").delete()
    err = _refused(enrolment, "mandatory_module_not_passed")
    assert {r["code"] for r in err.extra["reasons"]} == {"mandatory_module_not_passed", "hours_not_met"}


def test_withdrawn_curriculum_refuses(enrolment):
    curriculum = enrolment.cohort.curriculum
    curriculum.status = CurriculumStatus.WITHDRAWN
    curriculum.save()
    _refused(enrolment, "curriculum_withdrawn")


def test_qualification_not_certifiable_refuses(enrolment):
    q = enrolment.cohort.curriculum.qualification
    q.status = QualificationStatus.CERTIFICATION_CLOSED
    q.save()
    _refused(enrolment, "qualification_not_certifiable")


def test_withdrawn_enrolment_refuses(enrolment):
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save()
    _refused(enrolment, "enrolment_not_completed")


def test_other_providers_cohort_refuses_as_if_missing(enrolment, other_provider_user):
    err = _refused(enrolment, "not_found", actor=other_provider_user)
    assert err.status_code == 404


def test_ministry_does_not_issue(enrolment, ministry_user):
    _refused(enrolment, "permission_denied", actor=ministry_user)


def test_award_date_in_the_future_refuses(enrolment):
    _refused(enrolment, "award_date_in_future", awarded_on=datetime.date(2099, 1, 1))


def test_every_broken_rule_is_listed(provider):
    enrolment, _ = _foreign_world(provider, equivalency=False)
    enrolment.results.filter(module__code="M1").update(outcome=ResultOutcome.FAIL)
    err = _refused(enrolment, "equivalency_missing")
    assert [r["code"] for r in err.extra["reasons"]] == ["equivalency_missing", "mandatory_module_not_passed"]


# --- what was printed never changes ---------------------------------------------------------------


def test_editing_the_learner_after_issuance_leaves_snapshot_and_signature(enrolment):
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    frozen, signature = canonical_json(cert.snapshot), cert.signature

    learner_update(actor=None, learner=enrolment.learner, data={"given_name": "Arditë", "family_name": "Berisha"})
    q = enrolment.cohort.curriculum.qualification
    q.title_en = "Renamed later"
    q.save()

    cert = Certificate.objects.get(pk=cert.pk)
    assert canonical_json(cert.snapshot) == frozen
    assert cert.signature == signature
    assert cert.holder_name == "Ardita Krasniqi"
    assert verify_snapshot(cert.snapshot, cert.signature, cert.key_id)


def test_suspending_the_accreditation_blocks_new_issuance_but_keeps_issued_certificates(provider, ministry_user):
    curriculum = factories.CurriculumFactory()
    issued = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    waiting = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    cert, _ = certificate_issue(actor=None, enrolment=issued, awarded_on=AWARD)

    acc = provider.accreditations.get()
    accreditation_transition(actor=ministry_user, accreditation=acc, status="suspended", reason="Inspection")

    cert.refresh_from_db()
    assert cert.status == CertificateStatus.VALID
    assert cert.accreditation_id == acc.pk
    _refused(waiting, "accreditation_not_in_force")


def test_cohort_issuance_audits_each_certificate_and_the_completed_enrolments(provider, provider_user):
    from credentials.services import cohort_issue_certificates

    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    enrolments = [
        factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum) for _ in range(3)
    ]
    result = cohort_issue_certificates(actor=provider_user, cohort=cohort, awarded_on=AWARD)

    issued = AuditEntry.objects.filter(object_type="credentials.certificate", action=AuditAction.ISSUE)
    assert sorted(issued.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in result.issued)
    assert all(e.actor == provider_user and "snapshot" not in e.after for e in issued)
    completed = AuditEntry.objects.get(object_type="credentials.cohort", action=AuditAction.STATUS_CHANGE)
    assert sorted(completed.after["enrolments_completed"]) == sorted(e.pk for e in enrolments)
    assert set(type(enrolments[0]).objects.filter(cohort=cohort).values_list("status", flat=True)) == {"completed"}
    assert all(verify_snapshot(c.snapshot, c.signature, c.key_id) for c in Certificate.objects.all())
