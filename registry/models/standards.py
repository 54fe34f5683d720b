from django.core.validators import RegexValidator
from django.db import models

from registry.choices import CompetenceKind, StandardStatus

isco08_validator = RegexValidator(r"^\d{4}$", "ISCO-08 unit group codes have four digits.")


class OccupationalStandard(models.Model):
    """What a worker in an occupation must know and do, as approved by the authority."""

    code = models.CharField(max_length=32)
    title = models.CharField(max_length=255)
    version = models.PositiveSmallIntegerField(default=1)
    isco08_code = models.CharField("ISCO-08 code", max_length=4, validators=[isco08_validator])
    esco_uri = models.URLField("ESCO URI", blank=True)
    status = models.CharField(max_length=16, choices=StandardStatus.choices, default=StandardStatus.DRAFT)
    approved_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    developed_by = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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

    standard = models.ForeignKey(OccupationalStandard, on_delete=models.CASCADE, related_name="duties")
    code = models.CharField(max_length=32)
    title = models.CharField(max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["standard", "order", "code"]
        verbose_name_plural = "duties"
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="%(app_label)s_%(class)s_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Competence(models.Model):
    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(max_length=32)
    kind = models.CharField(max_length=32, choices=CompetenceKind.choices)
    description = models.TextField(max_length=2000)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["duty", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "code"], name="%(app_label)s_%(class)s_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.kind})"
