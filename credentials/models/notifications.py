"""What the registry sends out: e-mails (a record of each, never its body) and signed webhooks to verifier
organisations that subscribed to the certificates they checked (credentials/notifications/)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import Organisation

from .certificates import Certificate
from .training import Learner, validate_language


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Waiting to retry")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class EmailKind(models.TextChoices):
    HOLDER_LINK = "holder_link", _("Holder's private link")
    CERTIFICATE_STATUS = "certificate_status", _("Certificate status changed (to the holder)")
    SUBSCRIBER_STATUS = "subscriber_status", _("Certificate status changed (to a subscribed verifier)")
    TRACER_INVITATION = "tracer_invitation", _("Tracer study invitation")
    TRACER_REMINDER = "tracer_reminder", _("Tracer study reminder")


class OutboundEmail(models.Model):
    """One e-mail: to whom, what kind, in which language, about what, and how its delivery went. The body is never
    kept: it is rendered from `context` (record ids only) each time it is sent."""

    audit_redact = ("recipient",)

    kind = models.CharField(verbose_name=_("kind"), max_length=32, choices=EmailKind.choices)
    # personal data: never in a public answer, an audit value or a log line
    recipient = models.EmailField(verbose_name=_("recipient"))
    language = models.CharField(verbose_name=_("language"), max_length=8, validators=[validate_language])
    subject = models.CharField(verbose_name=_("subject"), max_length=255, blank=True)
    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    context = models.JSONField(
        verbose_name=_("context"), default=dict, blank=True, help_text=_("Ids the message is rendered from; no values.")
    )
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(
        verbose_name=_("last error"), max_length=64, blank=True, help_text=_("The error's class, never its message.")
    )
    message_id = models.CharField(verbose_name=_("message ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(verbose_name=_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
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

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="notification_endpoint"
    )
    email = models.EmailField(verbose_name=_("email"), blank=True)
    webhook_url = models.URLField(verbose_name=_("webhook URL"), max_length=500, blank=True)
    secret = models.CharField(verbose_name=_("secret"), max_length=64, editable=False)
    all_checked = models.BooleanField(
        verbose_name=_("all checked"),
        default=False,
        help_text=_("Notify about every certificate the organisation has checked, not only those listed."),
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification endpoint")
        verbose_name_plural = _("notification endpoints")

    def __str__(self) -> str:
        return f"notifications of {self.organisation_id}"


class CertificateSubscription(models.Model):
    """A verifier organisation wants to hear when this certificate (one it checked) is revoked, suspended,
    superseded or reinstated."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="certificate_subscriptions"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate subscription")
        verbose_name_plural = _("certificate subscriptions")
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

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    event = models.CharField(verbose_name=_("event"), max_length=32)
    payload = models.JSONField(verbose_name=_("payload"))
    url = models.URLField(verbose_name=_("URL"), max_length=500)
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(verbose_name=_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(verbose_name=_("last status"), null=True, blank=True)
    last_error = models.CharField(verbose_name=_("last error"), max_length=64, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(verbose_name=_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
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

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="email_opt_outs"
    )
    topic = models.CharField(verbose_name=_("topic"), max_length=32)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["learner", "topic"], name="%(app_label)s_%(class)s_once")]

    def __str__(self) -> str:
        return f"learner {self.learner_id}: no {self.topic} e-mails"
