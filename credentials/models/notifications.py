"""What the registry sends out: e-mails (a record of each, never its body) and signed webhooks to verifier
organisations that subscribed to the certificates they checked (credentials/notifications/)."""

from django.conf import settings
from django.db import models

from registry.models import Organisation

from .certificates import Certificate
from .training import Learner, validate_language


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RETRYING = "retrying", "Waiting to retry"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"


class EmailKind(models.TextChoices):
    HOLDER_LINK = "holder_link", "Holder's private link"
    CERTIFICATE_STATUS = "certificate_status", "Certificate status changed (to the holder)"
    SUBSCRIBER_STATUS = "subscriber_status", "Certificate status changed (to a subscribed verifier)"
    TRACER_INVITATION = "tracer_invitation", "Tracer study invitation"
    TRACER_REMINDER = "tracer_reminder", "Tracer study reminder"


class OutboundEmail(models.Model):
    """One e-mail: to whom, what kind, in which language, about what, and how its delivery went. The body is never
    kept: it is rendered from `context` (record ids only) each time it is sent."""

    audit_redact = ("recipient",)

    kind = models.CharField(max_length=32, choices=EmailKind.choices)
    recipient = models.EmailField()  # personal data: never in a public answer, an audit value or a log line
    language = models.CharField(max_length=8, validators=[validate_language])
    subject = models.CharField(max_length=255, blank=True)
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    context = models.JSONField(default=dict, blank=True, help_text="Ids the message is rendered from; no values.")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=64, blank=True, help_text="The error's class, never its message.")
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="credentials_email_due"),
            models.Index(fields=["learner", "-created_at"], name="credentials_email_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} e-mail {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"{self.kind} e-mail {self.pk}"


class NotificationEndpoint(models.Model):
    """Where a verifier organisation hears about certificates it subscribed to: an e-mail address and/or a webhook
    URL whose deliveries are signed with `secret` (HMAC-SHA256)."""

    audit_redact = ("secret",)

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="notification_endpoint")
    email = models.EmailField(blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    secret = models.CharField(max_length=64, editable=False)
    all_checked = models.BooleanField(
        default=False, help_text="Notify about every certificate the organisation has checked, not only those listed."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notifications of {self.organisation_id}"


class CertificateSubscription(models.Model):
    """A verifier organisation wants to hear when this certificate (one it checked) is revoked, suspended,
    superseded or reinstated."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="certificate_subscriptions")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="subscriptions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "certificate"], name="%(app_label)s_%(class)s_once"),
        ]
        indexes = [models.Index(fields=["certificate"], name="credentials_subscription_cert")]

    def __str__(self) -> str:
        return f"{self.organisation_id} follows {self.certificate_id}"


class WebhookDelivery(models.Model):
    """One signed POST of one event to one organisation's webhook, retried with backoff. The payload names the
    certificate by serial number and verification id only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="webhook_deliveries")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=32)
    payload = models.JSONField()
    url = models.URLField(max_length=500)
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="credentials_webhook_due"),
            models.Index(fields=["organisation", "-created_at"], name="credentials_webhook_org"),
        ]

    def __str__(self) -> str:
        return f"webhook {self.pk} ({self.event})"


class EmailOptOut(models.Model):
    """A learner asked for no more e-mails of one topic (the unsubscribe link in tracer study e-mails). Messages a
    holder needs (their link, a status change of their certificate) have no topic and are always sent."""

    TRACER = "tracer"

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="email_opt_outs")
    topic = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "topic"], name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"learner {self.learner_id}: no {self.topic} e-mails"
