"""Who hears about a certificate: its holder when it is issued and whenever its status changes, and the verifier
organisations that subscribed to it (or to every certificate they checked) when it is revoked, suspended,
superseded or reinstated.

The issuance and status services call `after_issuance` / `after_status_change` inside their transaction; the
notification work is enqueued only once that transaction commits (a rolled-back revocation notifies nobody) and runs
as a background task, so a cohort of 10,000 is issued at bulk speed and the e-mails follow.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from credentials.choices import CertificateStatus
from credentials.models import (
    Certificate,
    CertificateSubscription,
    EmailKind,
    NotificationEndpoint,
    VerificationEvent,
)

from .mail import deliverable, email_queue

# Verification outcomes that looked the real certificate up (a forged QR token does not make anyone a checker).
CHECKED_OUTCOMES = (*CertificateStatus.values,)


def after_issuance(certificates) -> None:
    ids = [c.pk for c in certificates]
    if not ids:
        return

    def enqueue():
        from .tasks import holder_welcome_task

        holder_welcome_task.enqueue(ids)

    transaction.on_commit(enqueue)


def after_status_change(certificate: Certificate, *, status: str) -> None:
    certificate_id = certificate.pk

    def enqueue():
        from .tasks import certificate_status_notify_task

        certificate_status_notify_task.enqueue(certificate_id, status)

    transaction.on_commit(enqueue)


def subscribed_organisations(certificate: Certificate) -> list[NotificationEndpoint]:
    """The endpoints of organisations that follow this certificate: a subscription to it, or `all_checked` and a
    check of it on record."""
    listed = CertificateSubscription.objects.filter(certificate=certificate).values("organisation_id")
    checked = (
        VerificationEvent.objects.filter(
            certificate=certificate, verifier_organisation__isnull=False, outcome__in=CHECKED_OUTCOMES
        )
        .values("verifier_organisation_id")
        .distinct()
    )
    return list(
        NotificationEndpoint.objects.filter(
            Q(organisation_id__in=listed) | Q(all_checked=True, organisation_id__in=checked),
            organisation__status="active",
        )
        .select_related("organisation")
        .order_by("organisation_id")
    )


@transaction.atomic
def certificate_status_notify(*, certificate_id: int, event: str) -> None:
    """The task's body: e-mail the holder, and e-mail and/or call the webhook of each subscribed organisation."""
    from credentials.holders.services import holder_access_current

    from .webhooks import webhook_queue

    certificate = Certificate.objects.select_related("learner").get(pk=certificate_id)
    learner = certificate.learner
    if deliverable(learner.email):
        access = holder_access_current(actor=None, learner=learner)
        email_queue(
            kind=EmailKind.CERTIFICATE_STATUS,
            recipient=learner.email,
            language=learner.language,
            learner=learner,
            certificate=certificate,
            context={"status": event, "access": access.pk},
        )
    for endpoint in subscribed_organisations(certificate):
        if endpoint.email:
            email_queue(
                kind=EmailKind.SUBSCRIBER_STATUS,
                recipient=endpoint.email,
                organisation=endpoint.organisation,
                certificate=certificate,
                context={"status": event},
            )
        if endpoint.webhook_url:
            webhook_queue(endpoint=endpoint, certificate=certificate, event=event)
