"""What a certificate's holder controls through their private link (`/my/{token}`): the link itself, share links
for one certificate, and whether a serial number + date of birth lookup may find a certificate.

A token is never stored. Each row keeps a random nonce (128 bits) and the SHA-256 of the token; the token is an
HMAC of the nonce under a server key (credentials/holders/tokens.py), so the database alone gives no working link,
yet the registry can print the same link again (on the transcript, in a reminder e-mail). See ADR 0016.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .certificates import Certificate
from .training import Learner


class HolderAccess(models.Model):
    """A holder's private link to all their certificates (one learner record): revocable and expiring."""

    audit_redact = ("nonce", "token_hash")

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="holder_accesses"
    )
    # the token's seed: useless without the server key
    nonce = models.CharField(verbose_name=_("nonce"), max_length=32, editable=False)
    # SHA-256 of the token
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    revoked_at = models.DateTimeField(verbose_name=_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(verbose_name=_("last used at"), null=True, blank=True)
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
        verbose_name = _("holder link")
        verbose_name_plural = _("holder links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["learner", "-created_at"], name="credentials_holder_learner")]

    def __str__(self) -> str:
        return f"holder link {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"holder link {self.pk} of learner {self.learner_id}"


class ShareLink(models.Model):
    """A link the holder gives someone to one certificate: the public facts of `/v/`, until it expires or is
    withdrawn. Its checks are counted here and logged as verification events of channel `share`."""

    audit_redact = ("nonce", "token_hash")

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="share_links"
    )
    access = models.ForeignKey(
        HolderAccess, verbose_name=_("access"), on_delete=models.PROTECT, related_name="share_links"
    )
    nonce = models.CharField(verbose_name=_("nonce"), max_length=32, editable=False)
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    withdrawn_at = models.DateTimeField(verbose_name=_("withdrawn at"), null=True, blank=True)
    views = models.PositiveIntegerField(verbose_name=_("views"), default=0)
    last_viewed_at = models.DateTimeField(verbose_name=_("last viewed at"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["certificate", "-created_at"], name="credentials_sharelink_cert")]

    def __str__(self) -> str:
        return f"share link {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"share link {self.pk} of certificate {self.certificate_id}"


class HolderPreference(models.Model):
    """The holder's choices about one certificate. `hidden_from_lookup`: a serial number + date of birth lookup by
    an anonymous caller answers as for a date that does not match (signed-in verifiers still find it)."""

    certificate = models.OneToOneField(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="holder_preference"
    )
    hidden_from_lookup = models.BooleanField(verbose_name=_("hidden from lookup"), default=False)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holder preference")
        verbose_name_plural = _("holder preferences")

    def __str__(self) -> str:
        return f"preferences of certificate {self.certificate_id}"
