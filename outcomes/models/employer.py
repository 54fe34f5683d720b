from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from credentials.models import Certificate, Enrolment
from outcomes.choices import SATISFACTION_MAX, SATISFACTION_MIN
from registry.models import Organisation

SCORE_VALIDATORS = [MinValueValidator(SATISFACTION_MIN), MaxValueValidator(SATISFACTION_MAX)]


class EmployerSurvey(models.Model):
    """An employer's (often a municipality's) rating of one graduate it employs, and of the programme."""

    audit_redact = ("graduate_satisfaction",)  # a rating of a person: personal data

    employer = models.ForeignKey(
        Organisation, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="employer_surveys"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="employer_surveys"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="employer_surveys"
    )
    graduate_satisfaction = models.PositiveSmallIntegerField(
        verbose_name=_("graduate satisfaction"), validators=SCORE_VALIDATORS
    )
    programme_satisfaction = models.PositiveSmallIntegerField(
        verbose_name=_("programme satisfaction"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    surveyed_on = models.DateField(verbose_name=_("surveyed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer survey")
        verbose_name_plural = _("employer surveys")
        ordering = ["-surveyed_on", "-id"]
        indexes = [models.Index(fields=["-surveyed_on", "-id"], name="outcomes_survey_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "enrolment", "surveyed_on"], name="%(app_label)s_%(class)s_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(graduate_satisfaction__gte=1, graduate_satisfaction__lte=5),
                name="%(app_label)s_%(class)s_graduate_score",
            ),
            models.CheckConstraint(
                condition=models.Q(programme_satisfaction__isnull=True)
                | models.Q(programme_satisfaction__gte=1, programme_satisfaction__lte=5),
                name="%(app_label)s_%(class)s_programme_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} on {self.certificate_id}: {self.graduate_satisfaction}"

    @property
    def audit_label(self) -> str:
        return f"{self.employer_id} on {self.certificate_id}"
