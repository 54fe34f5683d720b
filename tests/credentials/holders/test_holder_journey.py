"""The issue's "done when": issuing e-mails the holder a link that opens their page; a municipality's check shows there
under its name; revoking e-mails the holder and notifies the subscribed municipality by e-mail and by a signed webhook
that a local server receives."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core import mail
from django.test import Client

from credentials.models import DeliveryState, EmailKind, OutboundEmail, WebhookDelivery
from tests import factories

from .conftest import body_json, link_in


@pytest.fixture
def municipality_user(db):
    organisation = factories.OrganisationFactory(municipality_org=True, name="Komuna e Prizrenit", slug="prizren-k")
    return factories.UserFactory(organisation=organisation)


def test_issuance_e_mails_the_holder_a_link_that_opens_their_page(issue):
    certificate = issue(email="ardita@example.org", language="en")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ardita@example.org"]
    assert certificate.serial_number in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    record = OutboundEmail.objects.get()
    assert (record.kind, record.state, record.attempts) == (EmailKind.HOLDER_LINK, DeliveryState.SENT, 1)
    assert record.message_id and record.sent_at

    response = Client().get(f"/my/{link_in(message)}")
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.serial_number in page
    assert "Ardita Krasniqi" in page
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_no_address_no_message(issue):
    issue(email="")
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_municipality_check_revocation_and_notifications(
    issue, client_for, provider_client, municipality_user, webhook_server, django_capture_on_commit_callbacks
):
    certificate = issue(email="ardita@example.org")
    token = link_in(mail.outbox[0])
    municipality = client_for(municipality_user)

    # The municipality checks the certificate with its token, then follows it with an e-mail and a webhook.
    assert municipality.get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    Client().get(f"/v/{certificate.verification_id}")  # and someone scans the QR code
    answer = municipality.put(
        "/api/v1/notification-endpoint",
        {"email": "hr@prizren.example.org", "webhook_url": webhook_server.url},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    secret = answer.json()["secret"]
    assert len(secret) == 64
    answer = municipality.post(
        "/api/v1/certificate-subscriptions", {"verification_id": certificate.verification_id}, format="json"
    )
    assert answer.status_code == 201, answer.content

    page = Client().get(f"/my/{token}").content.decode()
    assert "Komuna e Prizrenit" in page
    assert 'data-anonymous="1"' in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = provider_client.post(
            f"/api/v1/certificates/{certificate.pk}/revoke",
            {"reason_code": "issued_in_error", "reference": "Decision 12/2026"},
            format="json",
        )
    assert answer.status_code == 200, answer.content

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"ardita@example.org", "hr@prizren.example.org"}
    assert certificate.serial_number in by_address["ardita@example.org"].subject
    assert certificate.serial_number in by_address["hr@prizren.example.org"].body

    (request,) = webhook_server.requests
    assert request["path"] == "/hooks/registry"
    timestamp, signature = request["headers"]["X-Registry-Timestamp"], request["headers"]["X-Registry-Signature"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, f"v1={expected}")
    payload = body_json(request)
    assert payload["type"] == "certificate.revoked"
    assert payload["certificate"] == {
        "serial_number": certificate.serial_number,
        "status": "revoked",
        "status_changed_at": payload["certificate"]["status_changed_at"],
    }
    # Nothing personal in the webhook: no name, no verification id, no e-mail.
    assert b"Krasniqi" not in request["body"] and b"@" not in request["body"]
    assert certificate.verification_id.encode() not in request["body"]
    assert WebhookDelivery.objects.get().state == DeliveryState.SENT

    page = Client().get(f"/my/{token}").content.decode()
    assert 'data-status="revoked"' in page
