from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import CompetenceKind, StandardStatus

isco08_validator = RegexValidator(r"^\d{4}$", _("ISCO-08 unit group codes have four digits."))


class OccupationalStandard(models.Model):
    """What a worker in an occupation must know and do, as approved by the authority."""

    code = models.CharField(verbose_name=_("code"), max_length=32)
    title = models.CharField(verbose_name=_("title"), max_length=255)
    version = models.PositiveSmallIntegerField(verbose_name=_("version"), default=1)
    isco08_code = models.CharField(verbose_name=_("ISCO-08 code"), max_length=4, validators=[isco08_validator])
    esco_uri = models.URLField(verbose_name=_("ESCO URI"), blank=True)
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=StandardStatus.choices, default=StandardStatus.DRAFT
    )
    approved_on = models.DateField(verbose_name=_("approved on"), null=True, blank=True)
    review_on = models.DateField(verbose_name=_("review on"), null=True, blank=True)
    developed_by = models.CharField(verbose_name=_("developed by"), max_length=255, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("occupational standard")
        verbose_name_plural = _("occupational standards")
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="%(app_label)s_%(class)s_code_version"),
            models.CheckConstraint(
                condition=models.Q(review_on__isnull=True)
                | models.Q(approved_on__isnull=True)
                | models.Q(review_on__gt=models.F("approved_on")),
                name="%(app_label)s_%(class)s_review_after_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} {self.title}"


class Duty(models.Model):
    """A duty / key activity of an occupational standard."""

    standard = models.ForeignKey(
        OccupationalStandard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="duties"
    )
    code = models.CharField(verbose_name=_("code"), max_length=32)
    title = models.CharField(verbose_name=_("title"), max_length=255)
    order = models.PositiveSmallIntegerField(verbose_name=_("order"), default=0)

    class Meta:
        verbose_name = _("duty")
        ordering = ["standard", "order", "code"]
        verbose_name_plural = _("duties")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="%(app_label)s_%(class)s_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Competence(models.Model):
    duty = models.ForeignKey(Duty, verbose_name=_("duty"), on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(verbose_name=_("code"), max_length=32)
    kind = models.CharField(verbose_name=_("kind"), max_length=32, choices=CompetenceKind.choices)
    description = models.TextField(verbose_name=_("description"), max_length=2000)
    order = models.PositiveSmallIntegerField(verbose_name=_("order"), default=0)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["duty", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "code"], name="%(app_label)s_%(class)s_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.kind})"
