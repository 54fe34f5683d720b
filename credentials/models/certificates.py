from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credentials.choices import LIVE_CERTIFICATE_STATUSES, CertificateStatus, RevocationReason, StatusAuthority
from registry.models import Accreditation, Curriculum, Equivalency, Organisation, Qualification

from .training import Enrolment, Learner


class CertificateDeletionError(Exception):
    pass


class CertificateQuerySet(models.QuerySet):
    def delete(self):
        raise CertificateDeletionError("Certificates are never deleted; revoke them instead.")


class Certificate(models.Model):
    """An issued certificate. What was printed is frozen in `snapshot` and signed; never deleted."""

    serial_number = models.CharField(verbose_name=_("serial number"), max_length=48, unique=True)
    # 128 random bits, Crockford base32
    verification_id = models.CharField(verbose_name=_("verification id"), max_length=26, unique=True)
    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="certificates"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="certificates"
    )
    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="certificates"
    )
    curriculum = models.ForeignKey(
        Curriculum, verbose_name=_("curriculum"), on_delete=models.PROTECT, related_name="certificates"
    )
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="certificates_issued"
    )
    awarding_body = models.ForeignKey(
        Organisation, verbose_name=_("awarding body"), on_delete=models.PROTECT, related_name="certificates_awarded"
    )
    accreditation = models.ForeignKey(
        Accreditation, verbose_name=_("accreditation"), on_delete=models.PROTECT, related_name="certificates"
    )
    equivalency = models.ForeignKey(
        Equivalency,
        verbose_name=_("equivalency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_name = models.CharField(verbose_name=_("holder name"), max_length=255)
    # Keyed digest of the holder's date of birth at issuance (credentials/date_of_birth.py): what a serial +
    # date of birth check compares with. Personal data: never shown, never in the snapshot.
    date_of_birth_digest = models.CharField(
        verbose_name=_("date of birth digest"), max_length=64, blank=True, editable=False
    )
    snapshot = models.JSONField(
        verbose_name=_("snapshot"), help_text=_("Everything printed on the certificate, frozen at issuance.")
    )
    awarded_on = models.DateField(verbose_name=_("awarded on"))
    issued_on = models.DateField(verbose_name=_("issued on"))
    signature = models.CharField(
        verbose_name=_("signature"), max_length=128, help_text=_("Ed25519 over the canonical snapshot, base64url.")
    )
    key_id = models.CharField(verbose_name=_("key ID"), max_length=64)
    # The registry's keyed MAC over the signed bytes, the signature and the key id, made once the signature was
    # checked with the key (credentials/signing.py, `signature_mac`; ADR 0029): a verification checks the MAC
    # instead of asking the key again. Empty, or stale after a SECRET_KEY rotation: the key is asked, as before,
    # and `manage.py refresh_signature_macs` makes them again. Not secret, not personal, never printed.
    signature_mac = models.CharField(
        verbose_name=_("signature MAC"),
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=_("The registry's keyed proof that it checked the signature; not part of what is printed."),
    )
    qr_token = models.TextField(
        verbose_name=_("QR token"),
        blank=True,
        help_text=_(
            "The signed token in the QR code's URL fragment, made once at issuance so every print is identical."
        ),
    )
    qr_symbol = models.BinaryField(
        verbose_name=_("QR symbol"),
        blank=True,
        default=b"",
        help_text=_(
            "The QR symbol of the verification URL, encoded at issuance: its width in modules, then one bit "
            "per module (credentials.pdf.qr). Prints draw it; they never encode it again."
        ),
    )
    qr_symbol_digest = models.CharField(
        verbose_name=_("QR symbol digest"),
        max_length=64,
        blank=True,
        help_text=_(
            "SHA-256 of the exact URL qr_symbol encodes: a print for another URL (PUBLIC_BASE_URL changed) "
            "encodes and stores the symbol anew instead of printing a stale one."
        ),
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason_code = models.CharField(
        verbose_name=_("reason"), max_length=32, choices=RevocationReason.choices, blank=True
    )
    status_reference = models.CharField(verbose_name=_("reference of the decision"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(verbose_name=_("status changed at"), null=True, blank=True)
    status_authority = models.CharField(
        verbose_name=_("decided by"),
        max_length=16,
        choices=StatusAuthority.choices,
        default=StatusAuthority.PROVIDER,
        help_text=_(
            "Who decided the current status: a suspension or revocation by the ministry is undone only by the ministry."
        ),
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    replaces_revoked = models.OneToOneField(
        "self",
        verbose_name=_("replaces revoked"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_("The revoked certificate of the same enrolment this one was explicitly issued to follow."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        # The list's order, within a provider's certificates (a provider's view) and over all (the ministry's):
        # a page is read off the index, never sorted.
        indexes = [
            models.Index(fields=["provider", "-issued_on", "-id"], name="credentials_cert_prov_order"),
            models.Index(fields=["-issued_on", "-id"], name="credentials_cert_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(status__in=LIVE_CERTIFICATE_STATUSES),
                name="%(app_label)s_%(class)s_one_live_per_enrolment",
            ),
            models.CheckConstraint(
                condition=models.Q(issued_on__gte=models.F("awarded_on")),
                name="%(app_label)s_%(class)s_issued_after_award",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="revoked") | ~models.Q(status_reason_code=""),
                name="%(app_label)s_%(class)s_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.serial_number

    def delete(self, *args, **kwargs):
        raise CertificateDeletionError("Certificates are never deleted; revoke them instead.")


class SerialCounter(models.Model):
    """The last serial handed out per qualification and year; locked in the issuing transaction."""

    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    last_value = models.PositiveIntegerField(verbose_name=_("last value"), default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "year"], name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification_id}/{self.year}: {self.last_value}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, replayed for the same key and body."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(verbose_name=_("key"), max_length=128)
    scope = models.CharField(verbose_name=_("scope"), max_length=128)
    request_hash = models.CharField(verbose_name=_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(verbose_name=_("response status"))
    response_body = models.JSONField(verbose_name=_("response body"))
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="%(app_label)s_%(class)s_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
