"""Certificates in the back office: revoke (the ministry: annul), suspend, reinstate, reissue; each through its
service, each refusal on the page with nothing written; other organisations' certificates answer as missing."""

from __future__ import annotations

import pytest

from credentials.choices import CertificateStatus, StatusAuthority
from credentials.models import Certificate
from credentials.services import certificate_suspend
from registry.models import AuditEntry

from .conftest import snapshot, text

pytestmark = pytest.mark.django_db


def action_url(certificate, action):
    return f"/admin/credentials/certificate/{certificate.pk}/{action}/"


def test_the_provider_revokes_its_certificate_with_a_reason(world, provider_client):
    certificate = world["certificate"]
    page = provider_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    assert page.status_code == 200
    assert action_url(certificate, "revoke") in text(page) and f"/api/v1/certificates/{certificate.pk}/pdf" in text(
        page
    )
    assert provider_client.get(action_url(certificate, "revoke")).status_code == 200

    answer = provider_client.post(
        action_url(certificate, "revoke"), {"reason_code": "issued_in_error", "reference": "QPGJ-2026-17"}
    )
    assert answer.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED and certificate.status_reference == "QPGJ-2026-17"
    assert certificate.status_authority == StatusAuthority.PROVIDER
    assert AuditEntry.objects.filter(object_type="credentials.certificate", object_id=str(certificate.pk)).count() == 2


@pytest.mark.parametrize(
    "data", [{"reason_code": "fraud", "reference": ""}, {"reason_code": "not-a-reason", "reference": "X-1"}, {}]
)
def test_a_revocation_without_its_reason_writes_nothing(world, provider_client, data):
    before = snapshot()
    answer = provider_client.post(action_url(world["certificate"], "revoke"), data)
    assert answer.status_code == 400 and "errorlist" in text(answer)
    assert snapshot() == before


def test_a_provider_cannot_reinstate_what_the_ministry_suspended(world, provider_client):
    certificate = world["certificate"]
    certificate_suspend(actor=world["ministry_user"], certificate=certificate, reason_code="fraud", reference="M-1")
    before = snapshot()
    page = provider_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    assert action_url(certificate, "reinstate") not in text(page)  # no button ...
    answer = provider_client.post(action_url(certificate, "reinstate"), {"reference": "ours"})  # ... nor a way round
    assert answer.status_code == 403
    assert "only the ministry" in text(answer)
    assert snapshot() == before


def test_suspend_then_reinstate(world, provider_client):
    certificate = world["certificate"]
    assert provider_client.post(action_url(certificate, "suspend"), {"reason_code": "other"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUSPENDED
    # A second suspension is not a transition the service allows: the message, nothing written.
    before = snapshot()
    again = provider_client.post(action_url(certificate, "suspend"), {"reason_code": "other"})
    assert again.status_code == 409 and "errornote" in text(again)
    assert snapshot() == before
    assert provider_client.post(action_url(certificate, "reinstate"), {"reference": "checked"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_reissue_after_a_name_correction(world, provider_client):
    old = world["certificate"]
    form = provider_client.get(action_url(old, "reissue"))
    assert 'value="Drita"' in text(form)
    answer = provider_client.post(
        action_url(old, "reissue"), {"given_name": "Dritë", "family_name": "Berisha", "reason": "ID card"}
    )
    new = Certificate.objects.get(supersedes=old)
    assert answer.status_code == 302 and answer["Location"].endswith(f"/certificate/{new.pk}/change/")
    old.refresh_from_db()
    assert old.status == CertificateStatus.SUPERSEDED and new.holder_name == "Dritë Berisha"
    before = snapshot()
    unchanged = provider_client.post(action_url(new, "reissue"), {"given_name": "Dritë", "family_name": "Berisha"})
    assert unchanged.status_code == 400 and snapshot() == before


def test_the_ministry_annuls_any_certificate(world, ministry_client):
    certificate = world["other_certificate"]
    page = ministry_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    assert page.status_code == 200 and "Annul (revoke)" in text(page)
    assert action_url(certificate, "reissue") not in text(page)  # reissuing is the provider's
    answer = ministry_client.post(
        action_url(certificate, "revoke"), {"reason_code": "annulment_decision", "reference": "MESTI 12/2026"}
    )
    assert answer.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED and certificate.status_authority == StatusAuthority.MINISTRY
    assert (
        ministry_client.post(action_url(certificate, "reissue"), {"given_name": "A", "family_name": "B"}).status_code
        == 403
    )


def test_other_organisations_certificates_answer_as_missing(world, other_client, awarding_client, verifier_client):
    certificate = world["certificate"]
    before = snapshot()
    for action in ("revoke", "suspend", "reinstate", "reissue", "allow-replacement"):
        assert other_client.get(action_url(certificate, action)).status_code == 404
        data = {"reason_code": "fraud", "reference": "x", "given_name": "A", "family_name": "B"}
        assert other_client.post(action_url(certificate, action), data).status_code == 404
        # The awarding body reads the certificate but changes nothing; a verifier reads no certificate at all.
        assert awarding_client.post(action_url(certificate, action), data).status_code == 403
        assert verifier_client.post(action_url(certificate, action), data).status_code in (403, 404)
    assert other_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/").status_code == 302
    assert snapshot() == before


def test_an_awarding_body_reads_its_certificates_without_the_training_records(world, awarding_client):
    certificate = world["certificate"]
    listing = awarding_client.get("/admin/credentials/certificate/")
    assert listing.status_code == 200 and certificate.serial_number in text(listing)
    assert world["other_certificate"].serial_number not in text(listing)  # another accreditation's agent
    page = awarding_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    assert page.status_code == 200
    body = text(page)
    assert "/pdf" not in body and "/revoke/" not in body  # the PDF prints the results: not for the agent
    assert "/admin/credentials/learner/" not in body and "/admin/credentials/enrolment/" not in body
    # Filters only on what the list offers: the frozen results in the snapshot cannot be probed.
    assert awarding_client.get("/admin/credentials/certificate/?snapshot__modules__0__outcome=fail").status_code == 400
    assert awarding_client.get("/admin/credentials/certificate/?learner__personal_number=1").status_code == 400
    for model in ("learner", "cohort", "enrolment", "moduleresult"):
        assert awarding_client.get(f"/admin/credentials/{model}/").status_code == 403


def test_no_certificate_is_deleted_or_edited_from_a_screen(world, provider_client, ministry_client):
    certificate = world["certificate"]
    before = snapshot()
    for client in (provider_client, ministry_client):
        assert client.post(f"/admin/credentials/certificate/{certificate.pk}/delete/").status_code == 403
        changed = client.post(f"/admin/credentials/certificate/{certificate.pk}/change/", {"status": "revoked"})
        assert changed.status_code == 403
        # A list action posted by hand, with the other provider's id among the selected: nothing happens.
        client.post(
            "/admin/credentials/certificate/",
            {"action": "delete_selected", "_selected_action": [certificate.pk, world["other_certificate"].pk]},
        )
    assert snapshot() == before


def test_the_verification_history_of_its_own_certificates_only(world, provider_client, client):
    from credentials.models import VerificationEvent

    VerificationEvent.objects.create(certificate=world["certificate"], outcome="valid", channel="page")
    VerificationEvent.objects.create(certificate=world["other_certificate"], outcome="valid", channel="qr")
    page = provider_client.get(
        f"/admin/credentials/verificationevent/?certificate__id__exact={world['certificate'].pk}"
    )
    assert page.status_code == 200 and world["certificate"].serial_number in text(page)
    foreign = provider_client.get(
        f"/admin/credentials/verificationevent/?certificate__id__exact={world['other_certificate'].pk}"
    )
    assert world["other_certificate"].serial_number not in text(foreign)
    assert world["other_certificate"].serial_number not in text(
        provider_client.get("/admin/credentials/verificationevent/")
    )
    assert provider_client.get("/admin/credentials/verificationevent/?ip_hash__startswith=a").status_code == 400


def test_the_ministry_releases_its_revocation_for_a_replacement(world, ministry_client, provider_client):
    certificate = world["certificate"]
    ministry_client.post(action_url(certificate, "revoke"), {"reason_code": "fraud", "reference": "MESTI 3/2026"})
    assert action_url(certificate, "allow-replacement") not in text(
        provider_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    )
    before = snapshot()
    assert provider_client.post(action_url(certificate, "allow-replacement"), {"reference": "x"}).status_code == 403
    assert ministry_client.post(action_url(certificate, "allow-replacement"), {"reference": ""}).status_code == 400
    assert snapshot() == before
    page = ministry_client.get(f"/admin/credentials/certificate/{certificate.pk}/change/")
    assert action_url(certificate, "allow-replacement") in text(page)
    answer = ministry_client.post(action_url(certificate, "allow-replacement"), {"reference": "Court 7/2026"})
    assert answer.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED and certificate.status_authority == StatusAuthority.PROVIDER


def test_a_verifier_sees_its_own_verifications_without_certificate_pages(world, verifier_client):
    from credentials.models import VerificationEvent

    mine = VerificationEvent.objects.create(
        certificate=world["certificate"],
        outcome="valid",
        channel="batch",
        verifier_organisation=world["verifier_user"].organisation,
    )
    VerificationEvent.objects.create(certificate=world["other_certificate"], outcome="valid", channel="qr")
    listing = text(verifier_client.get("/admin/credentials/verificationevent/"))
    assert world["certificate"].serial_number in listing and world["other_certificate"].serial_number not in listing
    assert "/admin/credentials/certificate/" not in listing  # a serial, not a link to a page it may not open
    assert verifier_client.get(f"/admin/credentials/verificationevent/{mine.pk}/change/").status_code == 200
    assert verifier_client.get("/admin/credentials/certificate/").status_code == 403
