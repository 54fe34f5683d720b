from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import ROLES_BY_KIND, OrganisationKind, OrganisationStatus, Role


class Municipality(models.Model):
    """One of Kosovo's 38 municipalities, named in Albanian, Serbian (Latin and Cyrillic) and English."""

    slug = models.SlugField(verbose_name=_("slug"), max_length=64, unique=True)
    name_sq = models.CharField(verbose_name=_("name in Albanian"), max_length=100)
    name_sr = models.CharField(verbose_name=_("name in Serbian (Latin)"), max_length=100)
    name_sr_cyrl = models.CharField(verbose_name=_("name in Serbian (Cyrillic)"), max_length=100)
    name_en = models.CharField(verbose_name=_("name in English"), max_length=100)

    class Meta:
        verbose_name = _("municipality")
        ordering = ["name_sq"]
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name_sq


class Organisation(models.Model):
    slug = models.SlugField(verbose_name=_("slug"), max_length=64, unique=True)
    kind = models.CharField(verbose_name=_("kind"), max_length=32, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField(verbose_name=_("name"), max_length=255)
    short_name = models.CharField(verbose_name=_("short name"), max_length=64, blank=True)
    registration_number = models.CharField(verbose_name=_("registration number"), max_length=64, blank=True)
    country = models.CharField(
        verbose_name=_("country"), max_length=2, default="XK", help_text=_("ISO 3166-1 alpha-2; XK for Kosovo.")
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    website = models.URLField(verbose_name=_("website"), blank=True)
    # Who signs the certificates it issues or awards, as printed on the signature line (a public fact of the
    # certificate, frozen in its snapshot at issuance). A title alone when the organisation names nobody.
    signatory_name = models.CharField(verbose_name=_("signatory name"), max_length=128, blank=True)
    signatory_title = models.CharField(verbose_name=_("signatory title"), max_length=128, blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="%(app_label)s_%(class)s_country_iso2"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_foreign(self) -> bool:
        return self.country != "XK"


class User(AbstractUser):
    """A person or API client. Belongs to one organisation with one role (superusers may have none)."""

    # Personal data and the password hash: an audit entry says they changed, never what they hold.
    audit_redact = ("password", "first_name", "last_name", "email")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(verbose_name=_("role"), max_length=32, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=True, role="")
                    | models.Q(organisation__isnull=False) & ~models.Q(role="")
                ),
                name="%(app_label)s_%(class)s_role_with_organisation",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.organisation_id and self.role not in ROLES_BY_KIND[OrganisationKind(self.organisation.kind)]:
            raise ValidationError(
                {
                    "role": _("A user of this organisation (%(kind)s) cannot hold the role %(role)s.")
                    % {"kind": self.organisation.get_kind_display(), "role": self.get_role_display()}
                }
            )

    def has_role(self, *roles: str) -> bool:
        return bool(self.organisation_id) and self.role in roles
