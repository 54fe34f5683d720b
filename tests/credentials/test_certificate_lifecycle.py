"""Rule 4: revoke, suspend, reinstate, reissue; never delete; every change audited."""

import pytest

from core.errors import DomainError
from credentials.choices import CertificateStatus
from credentials.models import Certificate
from credentials.models.certificates import CertificateDeletionError
from credentials.services import certificate_issue, certificate_reissue, certificate_revoke
from credentials.signing import verify_snapshot
from registry.choices import AuditAction
from registry.models import AuditEntry
from tests import factories
from tests.credentials.conftest import AWARD, counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(enrolment):
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    return cert


def _url(cert, what):
    return f"/api/v1/certificates/{cert.pk}/{what}"


def _audit(cert):
    return list(AuditEntry.objects.filter(object_type="credentials.certificate", object_id=str(cert.pk)).order_by("id"))


def test_provider_revokes_its_certificate_with_reason_and_reference(provider_client, provider_user, certificate):
    response = provider_client.post(
        _url(certificate, "revoke"), {"reason_code": "issued_in_error", "reference": "QPGJ-2026-14"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "revoked"
    assert (body["status_reason_code"], body["status_reference"]) == ("issued_in_error", "QPGJ-2026-14")
    assert body["status_changed_at"]
    entry = _audit(certificate)[-1]
    assert entry.action == AuditAction.STATUS_CHANGE and entry.actor == provider_user
    assert entry.before["status"] == "valid" and entry.after["status"] == "revoked"


def test_revoking_twice_is_a_conflict_and_changes_nothing(provider_client, certificate):
    body = {"reason_code": "fraud", "reference": "Case 7"}
    assert provider_client.post(_url(certificate, "revoke"), body).status_code == 200
    before = counts()
    again = provider_client.post(_url(certificate, "revoke"), body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert counts() == before


@pytest.mark.parametrize(
    "body, field",
    [({"reason_code": "fraud"}, "reference"), ({"reason_code": "lost", "reference": "x"}, "reason_code"), ({}, None)],
)
def test_revoke_needs_a_known_reason_and_a_reference(provider_client, certificate, body, field):
    before = counts()
    response = provider_client.post(_url(certificate, "revoke"), body)
    assert response.status_code == 400
    if field:
        assert field in response.json()["error"]["fields"]
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID
    assert counts() == before


def test_ministry_annuls_any_certificate(ministry_client, certificate):
    response = ministry_client.post(
        _url(certificate, "revoke"), {"reason_code": "annulment_decision", "reference": "MESTI 01/2026"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"


def test_other_provider_cannot_touch_the_certificate(other_provider_client, other_provider_user, certificate):
    before = counts()
    bodies = {  # each action's own fields: a field an action does not know is refused (400) before anything
        "revoke": {"reason_code": "fraud", "reference": "x"},
        "suspend": {"reason_code": "fraud", "reference": "x"},
        "reinstate": {},
        "reissue": {"given_name": "A", "family_name": "B"},
    }
    for what, body in bodies.items():
        response = other_provider_client.post(_url(certificate, what), body)
        assert response.status_code == 404, what
    with pytest.raises(DomainError) as info:
        certificate_revoke(actor=other_provider_user, certificate=certificate, reason_code="fraud", reference="x")
    assert info.value.code == "not_found" and info.value.status_code == 404  # as if it did not exist
    assert counts() == before


def test_verifier_and_anonymous_are_refused(verifier_client, anon_client, certificate):
    body = {"reason_code": "fraud", "reference": "x"}
    assert verifier_client.post(_url(certificate, "revoke"), body).status_code == 403
    assert anon_client.post(_url(certificate, "revoke"), body).status_code == 401
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.VALID


def test_suspend_then_reinstate(provider_client, certificate):
    suspended = provider_client.post(_url(certificate, "suspend"), {"reason_code": "other", "reference": "Check"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert provider_client.post(_url(certificate, "suspend"), {"reason_code": "other"}).status_code == 409
    reinstated = provider_client.post(_url(certificate, "reinstate"), {"reference": "Checked: fine"})
    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "valid" and reinstated.json()["status_reason_code"] == ""
    assert provider_client.post(_url(certificate, "reinstate"), {}).status_code == 409
    assert [e.after["status"] for e in _audit(certificate)[1:]] == ["suspended", "valid"]


def test_a_suspended_certificate_can_be_revoked(provider_client, certificate):
    provider_client.post(_url(certificate, "suspend"), {"reason_code": "fraud"})
    response = provider_client.post(_url(certificate, "revoke"), {"reason_code": "fraud", "reference": "Court 9"})
    assert response.json()["status"] == "revoked"


def test_reissue_corrects_the_name_with_a_new_certificate_that_supersedes_the_old(provider_client, certificate):
    response = provider_client.post(
        _url(certificate, "reissue"), {"given_name": "Ardita", "family_name": "Krasniqi-Gashi", "reason": "ID card"}
    )
    assert response.status_code == 201, response.json()
    new = Certificate.objects.get(pk=response.json()["id"])
    old = Certificate.objects.get(pk=certificate.pk)

    assert old.status == CertificateStatus.SUPERSEDED
    assert new.supersedes == old and old.superseded_by == new
    assert new.status == CertificateStatus.VALID
    assert new.serial_number != old.serial_number and new.serial_number.endswith("-2026-000002")
    assert new.verification_id != old.verification_id
    assert new.holder_name == "Ardita Krasniqi-Gashi"
    assert new.snapshot["holder"]["full_name"] == "Ardita Krasniqi-Gashi"
    assert new.snapshot["modules"] == old.snapshot["modules"]
    assert new.awarded_on == old.awarded_on
    assert verify_snapshot(new.snapshot, new.signature, new.key_id)
    assert old.snapshot["holder"]["full_name"] == "Ardita Krasniqi", "the old one keeps what it printed"
    assert verify_snapshot(old.snapshot, old.signature, old.key_id)
    old.learner.refresh_from_db()
    assert old.learner.family_name == "Krasniqi-Gashi"
    assert response.json()["supersedes"] == old.pk
    assert provider_client.get(f"/api/v1/certificates/{old.pk}/").json()["superseded_by"] == new.pk
    assert _audit(new)[0].action == AuditAction.REISSUE


def test_a_superseded_certificate_cannot_be_reissued_again(certificate):
    certificate_reissue(actor=None, certificate=certificate, given_name="Arditë", family_name="Krasniqi")
    before = counts()
    with pytest.raises(DomainError) as info:
        certificate_reissue(actor=None, certificate=certificate, given_name="Ardita", family_name="Krasniqe")
    assert info.value.code == "invalid_transition"
    assert counts() == before


def test_reissue_with_the_same_name_is_refused(provider_client, certificate):
    before = counts()
    response = provider_client.post(
        _url(certificate, "reissue"), {"given_name": "Ardita", "family_name": "Krasniqi", "reason": "none"}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "name_unchanged"
    assert counts() == before


def test_ministry_does_not_reissue(ministry_client, certificate):
    response = ministry_client.post(
        _url(certificate, "reissue"), {"given_name": "A", "family_name": "B", "reason": "x"}
    )
    assert response.status_code == 403


def test_certificates_are_never_deleted(certificate):
    with pytest.raises(CertificateDeletionError):
        certificate.delete()
    with pytest.raises(CertificateDeletionError):
        Certificate.objects.all().delete()
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_idempotent_revoke_replays(provider_client, certificate):
    body = {"reason_code": "fraud", "reference": "Case 1"}
    first = provider_client.post(_url(certificate, "revoke"), body, HTTP_IDEMPOTENCY_KEY="rv-1")
    second = provider_client.post(_url(certificate, "revoke"), body, HTTP_IDEMPOTENCY_KEY="rv-1")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"


def test_reissue_of_a_foreign_certificate_keeps_its_equivalency(provider):
    body = factories.OrganisationFactory(foreign_awarding_body=True)
    q = factories.QualificationFactory(awarding_body=body)
    eq = factories.EquivalencyFactory(qualification=q)
    enrolment = factories.issuable_enrolment(provider=provider, curriculum=factories.CurriculumFactory(qualification=q))
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    new = certificate_reissue(actor=None, certificate=cert, given_name="Đorđe", family_name="Čolić")
    assert new.equivalency == eq and new.accreditation == cert.accreditation
    assert new.snapshot["equivalency"] == cert.snapshot["equivalency"]
