"""Authority over certificate state (DESIGN.md "Authority"): the ministry outranks the provider.

A suspension or revocation the ministry decided is undone only by the ministry; no provider action
(reinstate, revoke over it, reissue, issuing the enrolment again) produces a valid certificate while it
stands. A revoked certificate's enrolment is never issued again silently, singly or in a cohort batch: a
new certificate is an explicit, audited decision naming the revoked one.
"""

import pytest

from core.errors import DomainError
from credentials.choices import CertificateStatus, StatusAuthority
from credentials.models import Certificate
from credentials.services import (
    certificate_allow_replacement,
    certificate_issue,
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
)
from registry.choices import AuditAction
from registry.models import AuditEntry
from tests import factories
from tests.credentials.conftest import AWARD, counts

pytestmark = pytest.mark.django_db

CERTIFICATES = "/api/v1/certificates/"
FRAUD = {"reason_code": "fraud", "reference": "MESTI 12/2026"}


@pytest.fixture
def certificate(enrolment, provider_user):
    cert, _ = certificate_issue(actor=provider_user, enrolment=enrolment, awarded_on=AWARD)
    return cert


def _url(cert, what):
    return f"{CERTIFICATES}{cert.pk}/{what}"


def _audit(cert):
    return list(AuditEntry.objects.filter(object_type="credentials.certificate", object_id=str(cert.pk)).order_by("id"))


def _valid_for(enrolment) -> list[Certificate]:
    return list(Certificate.objects.filter(enrolment=enrolment, status=CertificateStatus.VALID))


def _issue(client, enrolment, **extra):
    return client.post(CERTIFICATES, {"enrolment": enrolment.pk, "awarded_on": AWARD.isoformat(), **extra})


def _batch(client, cohort, dry_run):
    return client.post(
        f"/api/v1/cohorts/{cohort.pk}/issue-certificates",
        {"dry_run": dry_run, "awarded_on": AWARD.isoformat()},
        format="json",
    )


# --- suspension ------------------------------------------------------------------------------------


def test_a_ministry_suspension_is_lifted_only_by_the_ministry(provider_client, ministry_client, certificate):
    assert ministry_client.post(_url(certificate, "suspend"), FRAUD).status_code == 200
    before = counts()

    refused = provider_client.post(_url(certificate, "reinstate"), {"reference": "checked, all fine"})

    assert refused.status_code == 403 and refused.json()["error"]["code"] == "decided_by_ministry"
    assert provider_client.get(f"{CERTIFICATES}{certificate.pk}/").json()["status_authority"] == "ministry"
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.SUSPENDED
    assert counts() == before
    reinstated = ministry_client.post(_url(certificate, "reinstate"), {"reference": "MESTI 13/2026"})
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "valid"


def test_a_provider_cannot_reissue_a_ministry_suspended_certificate(provider_client, ministry_client, certificate):
    ministry_client.post(_url(certificate, "suspend"), FRAUD)
    before = counts()

    # one letter changed: on the old code this produced a new certificate that verified valid
    response = provider_client.post(
        _url(certificate, "reissue"), {"given_name": "Arditë", "family_name": "Krasniqi", "reason": "typo"}
    )

    assert response.status_code == 403 and response.json()["error"]["code"] == "decided_by_ministry"
    assert counts() == before
    assert _valid_for(certificate.enrolment) == []
    certificate.learner.refresh_from_db()
    assert certificate.learner.given_name == "Ardita"


def test_a_provider_cannot_revoke_over_a_ministry_suspension(provider_client, ministry_client, certificate):
    """Revoking over it would make the decision the provider's, which the provider could then replace."""
    ministry_client.post(_url(certificate, "suspend"), FRAUD)
    before = counts()
    response = provider_client.post(_url(certificate, "revoke"), {"reason_code": "other", "reference": "QPGJ 1"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "decided_by_ministry"
    assert counts() == before
    assert ministry_client.post(_url(certificate, "revoke"), FRAUD).json()["status"] == "revoked"


def test_a_provider_still_lifts_its_own_suspension_and_the_ministry_any(provider_user, ministry_user, certificate):
    certificate_suspend(actor=provider_user, certificate=certificate, reason_code="other", reference="check")
    certificate.refresh_from_db()
    assert certificate.status_authority == StatusAuthority.PROVIDER
    certificate_reinstate(actor=provider_user, certificate=certificate)
    certificate_suspend(actor=provider_user, certificate=certificate, reason_code="other", reference="check")
    certificate_reinstate(actor=ministry_user, certificate=certificate, reference="MESTI 2")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert certificate.status_authority == StatusAuthority.MINISTRY
    entry = _audit(certificate)[-1]
    assert entry.before["status_authority"] == "provider" and entry.after["status_authority"] == "ministry"


# --- issuing again after a revocation ---------------------------------------------------------------


def test_a_provider_cannot_issue_again_for_an_enrolment_the_ministry_revoked(
    provider_client, ministry_client, certificate
):
    assert ministry_client.post(_url(certificate, "revoke"), FRAUD).status_code == 200
    before = counts()

    silent = _issue(provider_client, certificate.enrolment)
    explicit = _issue(
        provider_client, certificate.enrolment, replaces_revoked=certificate.pk, reason="the learner appealed"
    )

    assert silent.status_code == 409 and silent.json()["error"]["code"] == "previously_revoked"
    assert silent.json()["error"]["revoked_certificate"] == {
        "certificate": certificate.pk,
        "serial_number": certificate.serial_number,
        "decided_by": "ministry",
    }
    assert explicit.status_code == 403 and explicit.json()["error"]["code"] == "decided_by_ministry"
    assert counts() == before
    assert _valid_for(certificate.enrolment) == []


@pytest.fixture
def cohort_with_a_revoked_learner(provider, provider_user):
    """A running cohort: one learner's certificate revoked (by whoever the test says), one still to certify."""
    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum, status="running")
    first = factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum)
    second = factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum)
    revoked, _ = certificate_issue(actor=provider_user, enrolment=first, awarded_on=AWARD)
    return cohort, revoked, second


@pytest.mark.parametrize("revoked_by, decided_by", [("ministry_user", "ministry"), ("provider_user", "provider")])
def test_a_cohort_batch_never_issues_a_revoked_enrolment_again(
    request, provider_client, cohort_with_a_revoked_learner, revoked_by, decided_by
):
    cohort, revoked, other = cohort_with_a_revoked_learner
    certificate_revoke(actor=request.getfixturevalue(revoked_by), certificate=revoked, **FRAUD)

    dry = _batch(provider_client, cohort, dry_run=True)

    assert dry.status_code == 200, dry.json()
    body = dry.json()
    assert [e["enrolment"] for e in body["would_issue"]] == [other.pk]
    assert body["previously_revoked"] == [
        {
            "enrolment": revoked.enrolment_id,
            "learner": revoked.learner_id,
            "holder_name": revoked.learner.full_name,
            "revoked_certificate": revoked.pk,
            "revoked_serial_number": revoked.serial_number,
            "decided_by": decided_by,
        }
    ]
    real = _batch(provider_client, cohort, dry_run=False)
    assert real.status_code == 200
    assert [c["enrolment"] for c in real.json()["issued"]] == [other.pk]
    assert _valid_for(revoked.enrolment) == []


def test_a_provider_revoked_enrolment_is_not_issued_again_silently(provider_client, provider_user, certificate):
    certificate_revoke(actor=provider_user, certificate=certificate, reason_code="issued_in_error", reference="Q1")
    before = counts()

    response = _issue(provider_client, certificate.enrolment)

    assert response.status_code == 409 and response.json()["error"]["code"] == "previously_revoked"
    assert response.json()["error"]["revoked_certificate"]["decided_by"] == "provider"
    assert counts() == before
    eligibility = provider_client.get(f"/api/v1/enrolments/{certificate.enrolment_id}/eligibility").json()
    assert eligibility["eligible"] is False
    assert [r["code"] for r in eligibility["reasons"]] == ["previously_revoked"]
    assert eligibility["reasons"][0]["detail"]["certificate"] == certificate.pk


def test_a_new_certificate_after_a_revocation_is_an_explicit_audited_decision_naming_the_revoked_one(
    provider_client, provider_user, certificate
):
    certificate_revoke(actor=provider_user, certificate=certificate, reason_code="issued_in_error", reference="Q1")

    response = _issue(
        provider_client, certificate.enrolment, replaces_revoked=certificate.pk, reason="hours recounted: met"
    )

    assert response.status_code == 201, response.json()
    new = Certificate.objects.get(pk=response.json()["id"])
    assert response.json()["replaces_revoked"] == certificate.pk
    assert new.replaces_revoked == certificate and certificate.replaced_by == new
    assert new.status == CertificateStatus.VALID and new.serial_number != certificate.serial_number
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.REVOKED
    (entry,) = _audit(new)
    assert entry.action == AuditAction.ISSUE and entry.actor == provider_user
    assert entry.before == {"replaces_revoked": certificate.serial_number}
    assert entry.after["replaces_revoked_id"] == certificate.pk
    assert entry.reason == "hours recounted: met"
    # the same decision again answers the certificate it made (issuing is idempotent)
    again = _issue(provider_client, certificate.enrolment, replaces_revoked=certificate.pk, reason="again")
    assert again.status_code == 200 and again.json()["id"] == new.pk


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"reason": ""}, 400, "reason_required", "reason"),
        ({"reason": None}, 400, "invalid", "reason"),
        ({"replaces_revoked": "other-enrolment"}, 400, "invalid_replacement", "replaces_revoked"),
        ({"replaces_revoked": "valid-one"}, 400, "invalid_replacement", "replaces_revoked"),
        ({"replaces_revoked": "other-provider"}, 400, "invalid", "replaces_revoked"),
        ({"replaces_revoked": 999999999}, 400, "invalid", "replaces_revoked"),
    ],
)
def test_a_replacement_must_name_a_standing_revocation_of_the_enrolment_with_a_reason(
    provider, provider_client, provider_user, certificate, body, status, code, field
):
    certificate_revoke(actor=provider_user, certificate=certificate, reason_code="issued_in_error", reference="Q1")
    elsewhere = factories.issuable_enrolment(provider=provider)
    other_revoked, _ = certificate_issue(actor=None, enrolment=elsewhere, awarded_on=AWARD)
    certificate_revoke(actor=None, certificate=other_revoked, reason_code="fraud", reference="x")
    valid_one, _ = certificate_issue(actor=None, enrolment=factories.issuable_enrolment(provider=provider))
    foreign, _ = certificate_issue(actor=None, enrolment=factories.issuable_enrolment(), awarded_on=AWARD)
    certificate_revoke(actor=None, certificate=foreign, reason_code="fraud", reference="x")
    names = {"other-enrolment": other_revoked.pk, "valid-one": valid_one.pk, "other-provider": foreign.pk}
    data = {"replaces_revoked": certificate.pk, "reason": "hours recounted", **body}
    data["replaces_revoked"] = names.get(data["replaces_revoked"], data["replaces_revoked"])
    before = counts()

    response = provider_client.post(
        CERTIFICATES, {"enrolment": certificate.enrolment_id, "awarded_on": AWARD.isoformat(), **data}, format="json"
    )

    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert field in response.json()["error"]["fields"]
    assert counts() == before


def test_the_ministry_undoes_its_own_revocation_by_allowing_a_replacement(
    provider_client, ministry_client, ministry_user, certificate
):
    ministry_client.post(_url(certificate, "revoke"), FRAUD)
    refused = provider_client.post(_url(certificate, "allow-replacement"), {"reference": "QPGJ 9"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "ministry_only"
    assert ministry_client.post(_url(certificate, "allow-replacement"), {}).status_code == 400

    allowed = ministry_client.post(_url(certificate, "allow-replacement"), {"reference": "Court ruling 44/2026"})

    assert allowed.status_code == 200, allowed.json()
    assert allowed.json()["status"] == "revoked" and allowed.json()["status_authority"] == "provider"
    entry = _audit(certificate)[-1]
    assert (entry.action, entry.actor, entry.reason) == (
        AuditAction.STATUS_CHANGE,
        ministry_user,
        "Court ruling 44/2026",
    )
    assert entry.before["status_authority"] == "ministry" and entry.after["status_authority"] == "provider"
    again = ministry_client.post(_url(certificate, "allow-replacement"), {"reference": "again"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_decided_by_ministry"
    # still never silently: the provider names the revoked certificate
    assert _issue(provider_client, certificate.enrolment).status_code == 409
    new = _issue(provider_client, certificate.enrolment, replaces_revoked=certificate.pk, reason="court ruling")
    assert new.status_code == 201 and new.json()["replaces_revoked"] == certificate.pk


def test_only_a_revoked_certificate_is_released_for_a_replacement(ministry_user, certificate):
    before = counts()
    with pytest.raises(DomainError) as info:
        certificate_allow_replacement(actor=ministry_user, certificate=certificate, reference="x")
    assert info.value.code == "invalid_transition"
    assert counts() == before


def test_the_system_and_superusers_decide_with_the_ministrys_rank(provider_user, certificate):
    superuser = factories.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    certificate_suspend(actor=superuser, certificate=certificate, reason_code="other", reference="ops")
    with pytest.raises(DomainError) as info:
        certificate_reinstate(actor=provider_user, certificate=certificate)
    assert info.value.code == "decided_by_ministry"
    certificate_reinstate(actor=None, certificate=certificate)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


# --- the admin is no way around ----------------------------------------------------------------------


def test_the_admin_cannot_change_a_certificates_status(client, ministry_client, certificate):
    ministry_client.post(_url(certificate, "suspend"), FRAUD)
    staff = factories.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    client.force_login(staff)
    before = counts()
    page = client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # shown, not editable
    posted = client.post(
        f"/admin/credentials/certificate/{certificate.pk}/change/",
        {"status": "valid", "status_authority": "provider", "status_reason_code": ""},
    )
    assert posted.status_code == 403
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.SUSPENDED
    assert counts() == before


# --- existing decisions get their rank from the audit trail -------------------------------------------


def test_the_migration_ranks_existing_decisions_from_the_audit_trail(provider, provider_user, ministry_user):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("credentials.migrations.0004_certificate_status_authority")
    by_ministry, by_provider, unknown, valid = (
        certificate_issue(actor=None, enrolment=factories.issuable_enrolment(provider=provider), awarded_on=AWARD)[0]
        for _ in range(4)
    )
    certificate_suspend(actor=ministry_user, certificate=by_ministry, reason_code="fraud", reference="MESTI 1")
    certificate_revoke(actor=provider_user, certificate=by_provider, reason_code="fraud", reference="QPGJ 1")
    Certificate.objects.filter(pk=unknown.pk).update(status="revoked", status_reason_code="other")
    Certificate.objects.update(status_authority="provider")  # as the new column's default leaves them

    migration.status_authority_from_audit(apps, None)

    ranks = dict(Certificate.objects.values_list("pk", "status_authority"))
    assert ranks == {
        by_ministry.pk: "ministry",
        by_provider.pk: "provider",
        unknown.pk: "ministry",
        valid.pk: "provider",
    }
