"""A verifier organisation's notification settings and subscriptions: writes through the access policy, audited
(the webhook secret by name only)."""

from __future__ import annotations

from django.db import transaction

from core import policy
from core.errors import Conflict
from credentials.models import Certificate, CertificateSubscription, NotificationEndpoint, VerificationEvent
from registry.choices import AuditAction
from registry.services.audit import audit_record
from registry.services.base import create_audited, update_audited

from .events import CHECKED_OUTCOMES
from .webhooks import check_webhook_url, new_secret


def _organisation_id(actor) -> int:
    policy.require(actor, "notification.manage")
    organisation_id = policy.verifier_organisation_id(actor)
    if organisation_id is None:  # the system or a superuser: no organisation of its own to subscribe
        raise policy.not_found("organisation")
    return organisation_id


@transaction.atomic
def notification_endpoint_set(
    *, actor, email: str = "", webhook_url: str = "", all_checked: bool = False
) -> tuple[NotificationEndpoint, str | None]:
    """Create or change the organisation's endpoint. Returns it and, when it was created, its webhook secret (shown
    once; `notification_secret_rotate` makes a new one)."""
    organisation_id = _organisation_id(actor)
    webhook_url = check_webhook_url(webhook_url)
    endpoint = NotificationEndpoint.objects.select_for_update().filter(organisation_id=organisation_id).first()
    data = {"email": (email or "").strip(), "webhook_url": webhook_url, "all_checked": all_checked}
    if endpoint is None:
        endpoint = NotificationEndpoint(organisation_id=organisation_id, secret=new_secret(), **data)
        return create_audited(actor=actor, instance=endpoint), endpoint.secret
    return update_audited(actor=actor, instance=endpoint, data=data), None


@transaction.atomic
def notification_secret_rotate(*, actor) -> NotificationEndpoint:
    organisation_id = _organisation_id(actor)
    endpoint = NotificationEndpoint.objects.select_for_update().filter(organisation_id=organisation_id).first()
    if endpoint is None:
        raise policy.not_found("notification endpoint")
    return update_audited(actor=actor, instance=endpoint, data={"secret": new_secret()}, reason="secret rotated")


@transaction.atomic
def certificate_subscribe(*, actor, verification_id: str) -> tuple[CertificateSubscription, bool]:
    """Follow a certificate the organisation has checked (a verification of it with the organisation's token).
    A certificate it never checked answers as one that does not exist. Returns (subscription, created)."""
    organisation_id = _organisation_id(actor)
    certificate = Certificate.objects.filter(verification_id=(verification_id or "").strip().upper()).first()
    checked = (
        certificate is not None
        and VerificationEvent.objects.filter(
            certificate=certificate, verifier_organisation_id=organisation_id, outcome__in=CHECKED_OUTCOMES
        ).exists()
    )
    if not checked:
        raise Conflict(
            "not_checked",
            "Your organisation has not checked a certificate with this verification id. Verify it with your "
            "organisation's token first (GET /api/v1/verifications/{verification_id}).",
            fields={"verification_id": ["Not checked by your organisation."]},
        )
    existing = CertificateSubscription.objects.filter(organisation_id=organisation_id, certificate=certificate).first()
    if existing is not None:
        return existing, False
    subscription = CertificateSubscription(
        organisation_id=organisation_id, certificate=certificate, created_by=actor if actor.pk else None
    )
    return create_audited(actor=actor, instance=subscription), True


@transaction.atomic
def certificate_unsubscribe(*, actor, subscription: CertificateSubscription) -> None:
    policy.require(actor, "notification.manage")
    policy.require_act(actor, subscription)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=subscription,
        before={"organisation_id": subscription.organisation_id, "certificate_id": subscription.certificate_id},
    )
    subscription.delete()
