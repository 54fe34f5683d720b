import datetime

from django.db import models

from registry.choices import (
    ACCREDITATION_IN_FORCE,
    EXTENTS_WITH_ASSESSMENT,
    AccreditationExtent,
    AccreditationKind,
    AccreditationStatus,
    EquivalencyStatus,
)

from .organisations import Municipality, Organisation
from .qualifications import LEVEL_VALIDATORS, Qualification


class AccreditationQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "AccreditationQuerySet":
        return self.filter(status__in=ACCREDITATION_IN_FORCE, valid_from__lte=day, valid_until__gte=day)

    def covering(self, qualification: Qualification) -> "AccreditationQuerySet":
        return self.filter(
            models.Q(qualification=qualification)
            | models.Q(qualification__isnull=True, nqf_level=qualification.nqf_level)
        )


class Accreditation(models.Model):
    """An accrediting agent's decision that a provider may deliver and/or assess a qualification.

    A programme accreditation names one qualification; an institutional one covers an NQF level.
    """

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="accreditations")
    qualification = models.ForeignKey(
        Qualification, null=True, blank=True, on_delete=models.PROTECT, related_name="accreditations"
    )
    nqf_level = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    agent = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="accreditations_granted")
    kind = models.CharField(max_length=16, choices=AccreditationKind.choices, default=AccreditationKind.PROGRAMME)
    extent = models.CharField(
        max_length=32, choices=AccreditationExtent.choices, default=AccreditationExtent.TRAINING_AND_ASSESSMENT
    )
    decision_number = models.CharField(max_length=64)
    valid_from = models.DateField()
    valid_until = models.DateField()
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="accreditations")
    sites = models.TextField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=32, choices=AccreditationStatus.choices, default=AccreditationStatus.APPLIED, db_index=True
    )
    status_reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccreditationQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_validity_period",
            ),
            models.CheckConstraint(
                condition=models.Q(qualification__isnull=False, nqf_level__isnull=True)
                | models.Q(qualification__isnull=True, nqf_level__isnull=False),
                name="%(app_label)s_%(class)s_qualification_or_level",
            ),
            models.UniqueConstraint(
                fields=["agent", "decision_number"], name="%(app_label)s_%(class)s_decision_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.status})"

    @property
    def includes_assessment(self) -> bool:
        return self.extent in EXTENTS_WITH_ASSESSMENT

    def in_force_on(self, day: datetime.date) -> bool:
        return self.status in ACCREDITATION_IN_FORCE and self.valid_from <= day <= self.valid_until

    def covers(self, qualification: Qualification) -> bool:
        if self.qualification_id is not None:
            return self.qualification_id == qualification.pk
        return self.nqf_level == qualification.nqf_level


class AccreditationCondition(models.Model):
    accreditation = models.ForeignKey(Accreditation, on_delete=models.CASCADE, related_name="conditions")
    description = models.TextField(max_length=2000)
    deadline = models.DateField()
    met = models.BooleanField(default=False)
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["accreditation", "deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(met=True) | models.Q(met_on__isnull=True),
                name="%(app_label)s_%(class)s_met_on_only_when_met",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description[:40]} by {self.deadline}"


class EquivalencyQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "EquivalencyQuerySet":
        return self.filter(status=EquivalencyStatus.GRANTED, valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )


class Equivalency(models.Model):
    """A ministry decision that a qualification awarded by a (foreign) awarding body equals a national one."""

    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="equivalencies")
    equivalent_to = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="recognised_equivalents")
    decided_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="equivalency_decisions")
    decision_number = models.CharField(max_length=64, unique=True)
    decided_on = models.DateField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=EquivalencyStatus.choices, default=EquivalencyStatus.GRANTED, db_index=True
    )
    status_reason = models.TextField(max_length=2000, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EquivalencyQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "id"]
        verbose_name_plural = "equivalencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_validity_period",
            ),
            models.CheckConstraint(
                condition=~models.Q(qualification=models.F("equivalent_to")),
                name="%(app_label)s_%(class)s_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number}"

    def in_force_on(self, day: datetime.date) -> bool:
        return (
            self.status == EquivalencyStatus.GRANTED
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )
