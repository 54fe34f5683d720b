"""The API of holders' links and of verifiers' notifications: success, bad input (nothing written), refused callers;
webhook retries with backoff and the refusal of private addresses."""

from __future__ import annotations

import pytest
from django.core import mail

from credentials.models import (
    CertificateSubscription,
    DeliveryState,
    HolderAccess,
    NotificationEndpoint,
    OutboundEmail,
    WebhookDelivery,
)
from credentials.notifications import webhooks
from tests import factories


@pytest.fixture
def certificate(issue):
    certificate = issue(email="ardita@example.org")
    mail.outbox.clear()
    return certificate


# --- POST /api/v1/certificates/{id}/holder-link ------------------------------------------------------------------


def test_the_provider_sends_the_link_again(certificate, provider_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(f"/api/v1/certificates/{certificate.pk}/holder-link", {}, format="json")
    assert response.status_code == 202, response.content
    assert set(response.json()) == {"email", "state", "link_expires_at"}
    assert len(mail.outbox) == 1 and HolderAccess.objects.count() == 1  # the same link as before


def test_revoke_previous_ends_the_old_link(certificate, provider_client, django_capture_on_commit_callbacks):
    old = HolderAccess.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(
            f"/api/v1/certificates/{certificate.pk}/holder-link", {"revoke_previous": True}, format="json"
        )
    assert response.status_code == 202
    old.refresh_from_db()
    assert old.revoked_at is not None and HolderAccess.objects.filter(revoked_at__isnull=True).count() == 1


def test_no_address_is_a_conflict(issue, provider_client):
    certificate = issue(email="")
    response = provider_client.post(f"/api/v1/certificates/{certificate.pk}/holder-link", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_email"
    assert not HolderAccess.objects.exists()


def test_bad_input_writes_nothing(certificate, provider_client):
    before = OutboundEmail.objects.count()
    response = provider_client.post(
        f"/api/v1/certificates/{certificate.pk}/holder-link", {"revoke_previous": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert OutboundEmail.objects.count() == before


def test_refused_callers(certificate, other_provider_client, verifier_client, anon_client):
    url = f"/api/v1/certificates/{certificate.pk}/holder-link"
    assert other_provider_client.post(url, {}, format="json").status_code == 404  # not yours reads as missing
    assert verifier_client.post(url, {}, format="json").status_code == 403
    assert anon_client.post(url, {}, format="json").status_code in (401, 403)
    assert not mail.outbox


# --- notification endpoint and subscriptions -----------------------------------------------------------------------


def test_endpoint_refuses_private_addresses_and_bad_urls(verifier_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.DEBUG = False
    for url in (
        "http://example.org/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/h",
        "https://10.0.0.5/h",
        "https://169.254.169.254/latest",
        "https://user:pw@example.org/h",
        "ftp://example.org/",
    ):
        response = verifier_client.put("/api/v1/notification-endpoint", {"webhook_url": url}, format="json")
        assert response.status_code == 400, url
    assert not NotificationEndpoint.objects.exists()


def test_endpoint_is_set_once_with_its_secret_then_changed_without(verifier_client, verifier_user):
    first = verifier_client.put("/api/v1/notification-endpoint", {"email": "hr@example.org"}, format="json")
    assert first.status_code == 201 and len(first.json()["secret"]) == 64
    second = verifier_client.put("/api/v1/notification-endpoint", {"all_checked": True}, format="json")
    assert second.status_code == 200 and "secret" not in second.json()
    assert verifier_client.get("/api/v1/notification-endpoint").json()["all_checked"] is True
    rotated = verifier_client.post("/api/v1/notification-endpoint/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != first.json()["secret"]


def test_endpoint_refused_callers(provider_client, anon_client):
    assert provider_client.put("/api/v1/notification-endpoint", {}, format="json").status_code == 403
    assert anon_client.get("/api/v1/notification-endpoint").status_code in (401, 403)
    assert not NotificationEndpoint.objects.exists()


def test_subscribe_only_to_a_checked_certificate(certificate, verifier_client, client_for):
    body = {"verification_id": certificate.verification_id}
    response = verifier_client.post("/api/v1/certificate-subscriptions", body, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_checked"
    assert verifier_client.get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    created = verifier_client.post("/api/v1/certificate-subscriptions", body, format="json")
    assert created.status_code == 201
    assert verifier_client.post("/api/v1/certificate-subscriptions", body, format="json").status_code == 200
    assert verifier_client.post("/api/v1/certificate-subscriptions", {}, format="json").status_code == 400
    # Another municipality neither sees nor removes it.
    other = client_for(factories.UserFactory(verifier=True))
    subscription_id = created.json()["id"]
    assert other.get("/api/v1/certificate-subscriptions").json()["results"] == []
    assert other.delete(f"/api/v1/certificate-subscriptions/{subscription_id}").status_code == 404
    assert verifier_client.delete(f"/api/v1/certificate-subscriptions/{subscription_id}").status_code == 204
    assert not CertificateSubscription.objects.exists()


# --- webhook deliveries --------------------------------------------------------------------------------------------


@pytest.fixture
def subscribed(certificate, verifier_user, verifier_client, webhook_server):
    verifier_client.get(f"/api/v1/verifications/{certificate.verification_id}")
    verifier_client.put(
        "/api/v1/notification-endpoint", {"webhook_url": webhook_server.url, "all_checked": True}, format="json"
    )
    return certificate


def test_all_checked_needs_no_subscription_and_a_failed_webhook_is_retried(
    subscribed, provider_client, webhook_server, django_capture_on_commit_callbacks
):
    webhook_server.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        provider_client.post(f"/api/v1/certificates/{subscribed.pk}/suspend", {"reason_code": "other"}, format="json")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.RETRYING, 1, 500)
    assert delivery.next_attempt_at is not None
    webhook_server.status = 204
    WebhookDelivery.objects.update(next_attempt_at=None)
    webhooks.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)
    assert len(webhook_server.requests) == 2
    assert webhook_server.requests[0]["headers"]["X-Registry-Timestamp"]


def test_a_private_address_is_never_called_in_production(
    subscribed, provider_client, webhook_server, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        provider_client.post(
            f"/api/v1/certificates/{subscribed.pk}/revoke", {"reason_code": "fraud", "reference": "R-1"}, format="json"
        )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_error) == (DeliveryState.RETRYING, "WebhookRefused")
    assert webhook_server.requests == []
