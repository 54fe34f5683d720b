from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from credentials.models import Certificate, Enrolment
from outcomes.choices import (
    EMPLOYED_STATUSES,
    SATISFACTION_MAX,
    SATISFACTION_MIN,
    CompetenceArea,
    EmploymentStatus,
    ResponseSource,
)
from registry.models import Municipality, Organisation

WAVE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(120)]


def validate_skills_satisfaction(value) -> None:
    """{competence area: score 1-5}; unknown areas and out-of-range scores are refused."""
    if not isinstance(value, dict):
        raise ValidationError(_("Give an object of competence area to score (1-5)."))
    errors = []
    for area, score in value.items():
        if area not in CompetenceArea.values:
            errors.append(
                _("Unknown competence area %(area)s; use one of %(areas)s.")
                % {"area": repr(area), "areas": ", ".join(CompetenceArea.values)}
            )
        elif isinstance(score, bool) or not isinstance(score, int) or not SATISFACTION_MIN <= score <= SATISFACTION_MAX:
            errors.append(_("The score for %(area)s must be a whole number from 1 to 5.") % {"area": area})
    if errors:
        raise ValidationError(errors)


class TracerResponse(models.Model):
    """A graduate's answers in one wave of the tracer study (e.g. 6 and 12 months after the award).

    Personal data: who answered what is never public; only aggregated, suppressed statistics are.
    The response is tied to the enrolment as well as the certificate, so a reissued certificate
    (same enrolment) keeps one response per graduate per wave.
    """

    # The answers are personal data: an audit entry names the fields that changed, never their values.
    audit_redact = (
        "employment_status",
        "employer",
        "employer_name",
        "work_municipality",
        "months_to_first_job",
        "job_uses_qualification",
        "skills_satisfaction",
        "skills_mean",
        "would_choose_again",
    )

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="tracer_responses"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="tracer_responses"
    )
    wave = models.PositiveSmallIntegerField(
        verbose_name=_("wave"), validators=WAVE_VALIDATORS, help_text=_("Months after the award.")
    )
    employment_status = models.CharField(
        verbose_name=_("employment status"), max_length=32, choices=EmploymentStatus.choices, db_index=True
    )
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracer_responses",
    )
    employer_name = models.CharField(verbose_name=_("employer name"), max_length=255, blank=True)
    work_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("work municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracer_responses",
    )
    months_to_first_job = models.PositiveSmallIntegerField(
        verbose_name=_("months to first job"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    job_uses_qualification = models.BooleanField(verbose_name=_("job uses qualification"), null=True, blank=True)
    skills_satisfaction = models.JSONField(
        verbose_name=_("skills satisfaction"),
        default=dict,
        blank=True,
        validators=[validate_skills_satisfaction],
        help_text=_("Competence area -> 1-5."),
    )
    skills_mean = models.DecimalField(
        verbose_name=_("skills mean"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Mean of the area scores (derived)."),
    )
    would_choose_again = models.BooleanField(verbose_name=_("would choose again"), null=True, blank=True)
    responded_on = models.DateField(verbose_name=_("responded on"))
    source = models.CharField(verbose_name=_("source"), max_length=16, choices=ResponseSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tracer response")
        verbose_name_plural = _("tracer responses")
        ordering = ["-responded_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "wave"], name="%(app_label)s_%(class)s_one_per_wave"),
            models.CheckConstraint(
                condition=models.Q(wave__gte=1, wave__lte=120), name="%(app_label)s_%(class)s_wave_range"
            ),
            models.CheckConstraint(
                condition=models.Q(skills_mean__isnull=True) | models.Q(skills_mean__gte=1, skills_mean__lte=5),
                name="%(app_label)s_%(class)s_skills_mean_range",
            ),
            models.CheckConstraint(
                condition=models.Q(months_to_first_job__isnull=True) | models.Q(months_to_first_job__lte=120),
                name="%(app_label)s_%(class)s_months_range",
            ),
        ]
        indexes = [
            models.Index(fields=["certificate", "wave"], name="outcomes_tracer_cert_wave"),
            models.Index(fields=["-responded_on", "-id"], name="outcomes_tracer_order"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} wave {self.wave}: {self.employment_status}"

    @property
    def audit_label(self) -> str:
        return f"certificate {self.certificate_id} wave {self.wave}"

    @property
    def is_employed(self) -> bool:
        return self.employment_status in EMPLOYED_STATUSES

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not self.is_employed and (self.employer_id or self.employer_name):
            errors["employer"] = _("Only an employed graduate has an employer.")
        if self.certificate_id and self.enrolment_id and self.certificate.enrolment_id != self.enrolment_id:
            errors["enrolment"] = _("The enrolment must be the certificate's.")
        if errors:
            raise ValidationError(errors)


class TracerInvitation(models.Model):
    """A one-time link that lets a graduate answer one wave without an account.

    Only a SHA-256 of the random token is stored; the token itself is shown once, at creation.
    """

    audit_redact = ("token_hash",)

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="tracer_invitations"
    )
    wave = models.PositiveSmallIntegerField(verbose_name=_("wave"), validators=WAVE_VALIDATORS)
    token_hash = models.CharField(verbose_name=_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    used_at = models.DateTimeField(verbose_name=_("used at"), null=True, blank=True)
    response = models.OneToOneField(
        TracerResponse,
        verbose_name=_("response"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation",
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
        verbose_name = _("tracer invitation")
        verbose_name_plural = _("tracer invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True, response__isnull=True)
                | models.Q(used_at__isnull=False, response__isnull=False),
                name="%(app_label)s_%(class)s_used_with_response",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} for {self.certificate_id} wave {self.wave}"
