import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from registry.choices import (
    CurriculumStatus,
    DeliveryMode,
    ModuleKind,
    QualificationStatus,
    QualificationType,
)

from .organisations import Organisation
from .standards import Competence, OccupationalStandard

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(8)]
isced_f_validator = RegexValidator(r"^\d{4}$", _("ISCED-F 2013 detailed fields have four digits."))
serial_prefix_validator = RegexValidator(
    r"^[A-Z0-9]+(-[A-Z0-9]+)*$", _("Upper-case letters and digits separated by single hyphens.")
)


class Qualification(models.Model):
    code = models.CharField(verbose_name=_("code"), max_length=32, unique=True)
    serial_prefix = models.CharField(
        verbose_name=_("serial prefix"),
        max_length=24,
        unique=True,
        validators=[serial_prefix_validator],
        help_text=_("Starts every certificate serial number, e.g. L5-SEN gives L5-SEN-2026-000123."),
    )
    title_sq = models.CharField(verbose_name=_("title in Albanian"), max_length=255)
    title_sr = models.CharField(verbose_name=_("title in Serbian"), max_length=255, blank=True)
    title_en = models.CharField(verbose_name=_("title in English"), max_length=255)
    type = models.CharField(
        verbose_name=_("type"), max_length=32, choices=QualificationType.choices, default=QualificationType.VOCATIONAL
    )
    nqf_level = models.PositiveSmallIntegerField(verbose_name=_("NQF level"), validators=LEVEL_VALIDATORS)
    eqf_level = models.PositiveSmallIntegerField(verbose_name=_("EQF level"), validators=LEVEL_VALIDATORS)
    credits = models.PositiveSmallIntegerField(verbose_name=_("credits"), default=0)
    isced_f_code = models.CharField(
        verbose_name=_("ISCED-F code"),
        max_length=4,
        blank=True,
        validators=[isced_f_validator],
        help_text=_("The detailed field of education (ISCED-F 2013), e.g. 0113; needed for the Europass dataset."),
    )
    hours_theory = models.PositiveIntegerField(verbose_name=_("hours of theory"))
    hours_practice = models.PositiveIntegerField(verbose_name=_("hours of practice"))
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_qualifications"
    )
    awarding_body = models.ForeignKey(
        Organisation, verbose_name=_("awarding body"), on_delete=models.PROTECT, related_name="awarded_qualifications"
    )
    standards = models.ManyToManyField(
        OccupationalStandard, verbose_name=_("standards"), blank=True, related_name="qualifications"
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=32,
        choices=QualificationStatus.choices,
        default=QualificationStatus.DRAFT,
        db_index=True,
    )
    operational_start = models.DateField(verbose_name=_("in operation from"), null=True, blank=True)
    operational_end = models.DateField(verbose_name=_("in operation until"), null=True, blank=True)
    certification_end = models.DateField(verbose_name=_("certification ends on"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    supersedes_is_equivalent = models.BooleanField(verbose_name=_("equivalent to the one it supersedes"), default=False)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nqf_level__gte=1, nqf_level__lte=8), name="%(app_label)s_%(class)s_nqf_level"
            ),
            models.CheckConstraint(
                condition=models.Q(eqf_level__gte=1, eqf_level__lte=8), name="%(app_label)s_%(class)s_eqf_level"
            ),
            models.CheckConstraint(
                condition=models.Q(operational_end__isnull=True)
                | models.Q(operational_start__isnull=True)
                | models.Q(operational_end__gte=models.F("operational_start")),
                name="%(app_label)s_%(class)s_operational_period",
            ),
            models.CheckConstraint(
                condition=models.Q(certification_end__isnull=True)
                | models.Q(operational_end__isnull=True)
                | models.Q(certification_end__gte=models.F("operational_end")),
                name="%(app_label)s_%(class)s_certification_after_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"

    @property
    def hours_total(self) -> int:
        return self.hours_theory + self.hours_practice

    def title(self, lang: str = "sq") -> str:
        return {"sq": self.title_sq, "sr": self.title_sr or self.title_sq, "en": self.title_en}.get(lang, self.title_sq)

    def certifiable_on(self, day: datetime.date) -> bool:
        """Whether a certificate may carry this award date (rule 1 of DESIGN.md)."""
        if self.status == QualificationStatus.AVAILABLE:
            return (self.operational_start is None or day >= self.operational_start) and (
                self.certification_end is None or day <= self.certification_end
            )
        if self.status == QualificationStatus.NO_LONGER_AWARDED:
            # Learners already enrolled may still be certified until the certification window closes.
            return self.certification_end is not None and day <= self.certification_end
        return False

    def open_for_enrolment_on(self, day: datetime.date) -> bool:
        return self.status == QualificationStatus.AVAILABLE and (
            self.operational_end is None or day <= self.operational_end
        )


class Curriculum(models.Model):
    """A versioned programme that leads to a qualification."""

    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="curricula"
    )
    version = models.CharField(verbose_name=_("version"), max_length=32)
    title = models.CharField(verbose_name=_("title"), max_length=255, blank=True)
    delivery_modes = models.JSONField(
        verbose_name=_("delivery modes"),
        default=list,
        help_text=format_lazy(_("Any of {modes}."), modes=", ".join(DeliveryMode.values)),
    )
    developed_by = models.CharField(verbose_name=_("developed by"), max_length=255, blank=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=CurriculumStatus.choices,
        default=CurriculumStatus.DRAFT,
        db_index=True,
    )
    approved_on = models.DateField(verbose_name=_("approved on"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("curriculum")
        ordering = ["qualification", "version"]
        verbose_name_plural = _("curricula")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "version"], name="%(app_label)s_%(class)s_version"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification.code} curriculum {self.version}"


class CurriculumModule(models.Model):
    curriculum = models.ForeignKey(
        Curriculum, verbose_name=_("curriculum"), on_delete=models.CASCADE, related_name="modules"
    )
    code = models.CharField(verbose_name=_("code"), max_length=32)
    title = models.CharField(verbose_name=_("title"), max_length=255)
    title_en = models.CharField(verbose_name=_("title in English"), max_length=255, blank=True)
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=ModuleKind.choices)
    hours_theory = models.PositiveIntegerField(verbose_name=_("hours of theory"), default=0)
    hours_practice = models.PositiveIntegerField(verbose_name=_("hours of practice"), default=0)
    credits = models.PositiveSmallIntegerField(verbose_name=_("credits"), default=0)
    mandatory = models.BooleanField(verbose_name=_("mandatory"), default=True)
    order = models.PositiveSmallIntegerField(verbose_name=_("order"), default=0)
    competences = models.ManyToManyField(Competence, verbose_name=_("competences"), blank=True, related_name="modules")

    class Meta:
        verbose_name = _("curriculum module")
        verbose_name_plural = _("curriculum modules")
        ordering = ["curriculum", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "code"], name="%(app_label)s_%(class)s_code"),
            models.CheckConstraint(
                condition=models.Q(hours_theory__gt=0) | models.Q(hours_practice__gt=0),
                name="%(app_label)s_%(class)s_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class LearningOutcome(models.Model):
    module = models.ForeignKey(
        CurriculumModule, verbose_name=_("module"), on_delete=models.CASCADE, related_name="learning_outcomes"
    )
    code = models.CharField(verbose_name=_("code"), max_length=32)
    description = models.TextField(verbose_name=_("description"), max_length=2000)
    assessment_criteria = models.JSONField(verbose_name=_("assessment criteria"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(verbose_name=_("order"), default=0)

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["module", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["module", "code"], name="%(app_label)s_%(class)s_code"),
        ]

    def __str__(self) -> str:
        return self.code
