from django.db import models
from django.utils.translation import gettext_lazy as _

from credentials.choices import VerificationChannel, VerificationOutcome
from registry.models import Organisation

from .certificates import Certificate


class VerificationEvent(models.Model):
    """One verification. No personal data: the client IP is stored only as a keyed hash."""

    # No single-column FK indexes: the composite indexes below lead with each key and serve its lookups, and
    # every verification inserts a row, so each index is paid on the busiest path.
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verification_events",
        db_index=False,
    )
    verification_id_tried = models.CharField(verbose_name=_("verification id tried"), max_length=64, blank=True)
    outcome = models.CharField(verbose_name=_("outcome"), max_length=32, choices=VerificationOutcome.choices)
    channel = models.CharField(verbose_name=_("channel"), max_length=8, choices=VerificationChannel.choices)
    verifier_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("verifier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verifications",
        db_index=False,
    )
    # indexed with id below (the order, and date ranges)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    ip_hash = models.CharField(verbose_name=_("IP address hash"), max_length=64, blank=True)
    user_agent_family = models.CharField(verbose_name=_("browser or app"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["certificate", "-created_at"], name="credentials_verif_cert_time"),
            models.Index(fields=["verifier_organisation", "-created_at"], name="credentials_verif_org_time"),
            # The list's order (and its cursor): every page read off the index.
            models.Index(fields=["-created_at", "-id"], name="credentials_verif_order"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} via {self.channel}"
