from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from credentials.choices import CohortStatus, EnrolmentStatus, Gender, ResultOutcome
from registry.choices import DeliveryMode
from registry.models import Curriculum, CurriculumModule, Municipality, Organisation


def validate_language(value: str) -> None:
    """One of settings.LANGUAGES (checked when used, so the list can grow without a migration)."""
    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError(_("Use one of %(languages)s.") % {"languages": ", ".join(dict(settings.LANGUAGES))})


personal_number_validator = RegexValidator(r"^\d{10}$", _("A Kosovo personal number has exactly 10 digits."))


class Learner(models.Model):
    """A person trained by a provider. Names exactly as on the ID card, in any script.

    Records are per provider: a provider never sees another provider's learners (see ADR 0003).
    """

    # Every field about the person is personal data: an audit entry names it, never shows its value.
    audit_redact = ("given_name", "family_name", "date_of_birth", "personal_number", "gender", "municipality", "email")

    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="learners"
    )
    given_name = models.CharField(verbose_name=_("given name"), max_length=100)
    family_name = models.CharField(verbose_name=_("family name"), max_length=100)
    date_of_birth = models.DateField(verbose_name=_("date of birth"))  # personal data
    # personal data
    personal_number = models.CharField(
        verbose_name=_("personal number"), max_length=10, validators=[personal_number_validator]
    )
    gender = models.CharField(
        verbose_name=_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learners",
    )
    email = models.EmailField(verbose_name=_("email"), blank=True)  # personal data
    # The language the registry writes to the holder in (e-mails, the private page's default).
    # Blank: the registry's default (settings.LANGUAGE_CODE).
    language = models.CharField(verbose_name=_("language"), max_length=8, blank=True, validators=[validate_language])
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["provider", "family_name", "given_name", "id"], name="credentials_learner_prov_order"),
            models.Index(fields=["family_name", "given_name", "id"], name="credentials_learner_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "personal_number"], name="%(app_label)s_%(class)s_personal_number"
            ),
            models.CheckConstraint(
                condition=models.Q(personal_number__regex=r"^[0-9]{10}$"),
                name="%(app_label)s_%(class)s_personal_number_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def audit_label(self) -> str:
        """`object_repr` in the audit log: the name is personal data there."""
        return f"learner {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Cohort(models.Model):
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="cohorts"
    )
    curriculum = models.ForeignKey(
        Curriculum, verbose_name=_("curriculum"), on_delete=models.PROTECT, related_name="cohorts"
    )
    code = models.CharField(verbose_name=_("code"), max_length=32)
    name = models.CharField(verbose_name=_("name"), max_length=255, blank=True)
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(verbose_name=_("end date"))
    delivery_mode = models.CharField(verbose_name=_("delivery mode"), max_length=16, choices=DeliveryMode.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    mentors = models.JSONField(
        verbose_name=_("mentors"), default=list, blank=True, help_text=_("Names of the cohort's mentors.")
    )
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=CohortStatus.choices, default=CohortStatus.PLANNED
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "code"]
        indexes = [models.Index(fields=["provider", "-start_date", "code"], name="credentials_cohort_prov_order")]
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="%(app_label)s_%(class)s_code"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="%(app_label)s_%(class)s_period"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Enrolment(models.Model):
    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        verbose_name=_("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    enrolled_on = models.DateField(verbose_name=_("enrolled on"))
    completed_on = models.DateField(verbose_name=_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "learner"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "cohort"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True) | models.Q(completed_on__gte=models.F("enrolled_on")),
                name="%(app_label)s_%(class)s_completed_after_enrolled",
            ),
        ]

    def __str__(self) -> str:
        """What the back office shows (a title, a result's enrolment): the learner's name and the cohort's code.
        Reads both; lists that show many select them with it."""
        return f"{self.learner} · {self.cohort}"

    @property
    def audit_label(self) -> str:
        """`object_repr` in the audit log: ids only, the learner's name is personal data there."""
        return f"learner {self.learner_id} in cohort {self.cohort_id}"


class ModuleResult(models.Model):
    """A learner's result in one module: hours attended and the assessment outcome. Personal data."""

    audit_redact = ("hours_theory", "hours_practice", "outcome", "assessed_on", "assessor")

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="results"
    )
    module = models.ForeignKey(
        CurriculumModule, verbose_name=_("module"), on_delete=models.PROTECT, related_name="results"
    )
    hours_theory = models.PositiveIntegerField(verbose_name=_("hours of theory"), default=0)
    hours_practice = models.PositiveIntegerField(verbose_name=_("hours of practice"), default=0)
    outcome = models.CharField(
        verbose_name=_("outcome"), max_length=16, choices=ResultOutcome.choices, default=ResultOutcome.PENDING
    )
    assessed_on = models.DateField(verbose_name=_("assessed on"), null=True, blank=True)
    assessor = models.CharField(verbose_name=_("assessor"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("module result")
        verbose_name_plural = _("module results")
        ordering = ["enrolment", "module__order"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(
                condition=models.Q(outcome="pending") | models.Q(assessed_on__isnull=False),
                name="%(app_label)s_%(class)s_assessed_on_when_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}: {self.outcome}"

    @property
    def audit_label(self) -> str:
        return f"module {self.module_id} of enrolment {self.enrolment_id}"
