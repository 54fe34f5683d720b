"""The back office: a municipality sets its notification endpoint and follows a certificate it checked; the provider
sees the e-mails sent, the address masked; another organisation sees none of it."""

from __future__ import annotations

from django.test import Client

from credentials.models import CertificateSubscription, NotificationEndpoint, OutboundEmail
from tests import factories


def test_a_municipality_subscribes_in_the_back_office(issue, verifier_user, verifier_client, provider_user):
    certificate = issue(email="ardita@example.org")
    browser = Client()
    browser.force_login(verifier_user)
    response = browser.post(
        "/admin/credentials/notificationendpoint/add/",
        {"email": "hr@example.org", "webhook_url": "", "all_checked": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert NotificationEndpoint.objects.get().organisation_id == verifier_user.organisation_id

    add = "/admin/credentials/certificatesubscription/add/"
    refused = browser.post(add, {"verification_id": certificate.verification_id})
    assert refused.status_code == 200 and not CertificateSubscription.objects.exists()  # not checked yet
    verifier_client.get(f"/api/v1/verifications/{certificate.verification_id}")
    assert browser.post(add, {"verification_id": certificate.verification_id}).status_code == 302
    listing = browser.get("/admin/credentials/certificatesubscription/").content.decode()
    assert certificate.serial_number in listing

    other = Client()
    other.force_login(factories.UserFactory(verifier=True))
    assert certificate.serial_number not in other.get("/admin/credentials/certificatesubscription/").content.decode()

    provider = Client()
    provider.force_login(provider_user)
    emails = provider.get("/admin/credentials/outboundemail/").content.decode()
    assert "a…@example.org" in emails and "ardita@example.org" not in emails
    detail = provider.get(f"/admin/credentials/outboundemail/{OutboundEmail.objects.first().pk}/change/")
    assert detail.status_code == 200 and "ardita@example.org" not in detail.content.decode()
    assert provider.get("/admin/credentials/notificationendpoint/").status_code == 403
