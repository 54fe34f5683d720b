"""credentials.demo.seed(): the demo learners, cohorts and certificates, idempotent and audited."""

import pytest

from credentials import demo
from credentials.choices import CertificateStatus, CohortStatus
from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from credentials.signing import verify_snapshot
from registry import demo as registry_demo
from registry.choices import AuditAction
from registry.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    registry_demo.seed()
    return demo.seed()


def _counts():
    return tuple(model.objects.count() for model in (Learner, Cohort, Enrolment, ModuleResult, Certificate, AuditEntry))


def test_seed_builds_the_demo_world(seeded):
    assert "39 learners, 4 cohorts" in seeded
    names = set(Learner.objects.values_list("given_name", "family_name"))
    assert {("Ardita", "Krasniqi"), ("Đorđe", "Čolić"), ("Ђорђе", "Јовановић")} <= names

    qpgj_cohort = Cohort.objects.get(provider__slug="qpgj", code="OCN-SEN-2024-A")
    assert (qpgj_cohort.curriculum.qualification.code, qpgj_cohort.curriculum.version) == ("OCN-L5-SEN", "2024.1")
    assert qpgj_cohort.delivery_mode == "hybrid" and qpgj_cohort.municipality.slug == "prishtine"
    assert qpgj_cohort.status == CohortStatus.FINISHED
    prizren = Cohort.objects.get(provider__slug="qk-prizren", code="QKP-SEN-2026")
    assert prizren.status == CohortStatus.RUNNING and prizren.enrolments.count() == 6
    assert not Certificate.objects.filter(enrolment__cohort=prizren).exists()
    finished = Cohort.objects.filter(status=CohortStatus.FINISHED).exclude(pk=qpgj_cohort.pk)
    assert {c.code for c in finished} == {"OCN-SEN-2025-B", "QKP-SEN-2025"}
    for cohort in finished:  # everyone passed: the whole cohort certified, national ones without equivalency
        certs_of = Certificate.objects.filter(enrolment__cohort=cohort, status=CertificateStatus.VALID)
        assert certs_of.count() == cohort.enrolments.count()
        national = cohort.curriculum.qualification.code == "NQA-L5-SEN"
        assert all((c.equivalency_id is None) == national for c in certs_of)

    certs = Certificate.objects.filter(enrolment__cohort=qpgj_cohort)
    by_status = {s: certs.filter(status=s).count() for s in CertificateStatus.values}
    assert by_status == {"valid": 12, "suspended": 0, "revoked": 1, "superseded": 1}
    assert certs.get(status="revoked").status_authority == "provider"  # QPGJ's own decision, not the ministry's
    reissued = certs.get(supersedes__isnull=False)
    assert reissued.holder_name == "Blerta Gashi-Krasniqi"
    assert reissued.supersedes.status == CertificateStatus.SUPERSEDED
    assert all(c.equivalency.decision_number == "MESTI-EQ-2024-017" for c in certs)
    assert all(c.serial_number.startswith("L5-SEN-OCN-2025-") for c in certs)
    assert all(verify_snapshot(c.snapshot, c.signature, c.key_id) for c in certs)
    assert not Certificate.objects.filter(learner__given_name="Egzona").exists(), "she failed a module"

    issued = AuditEntry.objects.filter(object_type="credentials.certificate", action=AuditAction.ISSUE)
    assert issued.count() == 13 + 10 + 9 and not issued.filter(actor__isnull=False).exists()


def test_seed_is_idempotent(seeded):
    before = _counts()
    assert "0 issued now" in demo.seed()
    assert _counts() == before
