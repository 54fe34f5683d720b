import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import (
    ACCREDITATION_IN_FORCE,
    EXTENTS_WITH_ASSESSMENT,
    AccreditationExtent,
    AccreditationKind,
    AccreditationStatus,
    EquivalencyStatus,
    OrganisationKind,
)

from .organisations import Municipality, Organisation
from .qualifications import LEVEL_VALIDATORS, Qualification

# Who may be an accrediting agent, and who decides equivalency (the party rules of DESIGN.md "Authority").
ACCREDITING_KINDS = (OrganisationKind.AWARDING_BODY, OrganisationKind.QUALIFICATION_AUTHORITY)
DECIDING_KINDS = (OrganisationKind.MINISTRY, OrganisationKind.QUALIFICATION_AUTHORITY)


class AccreditationQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "AccreditationQuerySet":
        return self.filter(status__in=ACCREDITATION_IN_FORCE, valid_from__lte=day, valid_until__gte=day)

    def covering(self, qualification: Qualification) -> "AccreditationQuerySet":
        """Programme accreditations of the qualification, and institutional ones at its level granted by its
        own awarding body (Pearson's institutional accreditation never covers NQA's qualifications)."""
        return self.filter(
            models.Q(qualification=qualification)
            | models.Q(
                qualification__isnull=True,
                nqf_level=qualification.nqf_level,
                agent_id=qualification.awarding_body_id,
            )
        )


class Accreditation(models.Model):
    """An accrediting agent's decision that a provider may deliver and/or assess a qualification.

    A programme accreditation names one qualification; an institutional one covers an NQF level.
    """

    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="accreditations"
    )
    qualification = models.ForeignKey(
        Qualification,
        verbose_name=_("qualification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accreditations",
    )
    nqf_level = models.PositiveSmallIntegerField(
        verbose_name=_("NQF level"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    agent = models.ForeignKey(
        Organisation,
        verbose_name=_("accrediting agent"),
        on_delete=models.PROTECT,
        related_name="accreditations_granted",
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=16, choices=AccreditationKind.choices, default=AccreditationKind.PROGRAMME
    )
    extent = models.CharField(
        verbose_name=_("scope"),
        max_length=32,
        choices=AccreditationExtent.choices,
        default=AccreditationExtent.TRAINING_AND_ASSESSMENT,
    )
    decision_number = models.CharField(verbose_name=_("decision number"), max_length=64)
    valid_from = models.DateField(verbose_name=_("valid from"))
    valid_until = models.DateField(verbose_name=_("valid until"))
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), blank=True, related_name="accreditations"
    )
    sites = models.TextField(verbose_name=_("training sites"), max_length=2000, blank=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=32,
        choices=AccreditationStatus.choices,
        default=AccreditationStatus.APPLIED,
        db_index=True,
    )
    status_reason = models.TextField(verbose_name=_("status reason"), max_length=2000, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = AccreditationQuerySet.as_manager()

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
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
        return f"{self.decision_number} ({self.get_status_display()})"  # the reader's language

    @property
    def audit_label(self) -> str:
        """`object_repr` in the audit log: one language whoever acted (the status code)."""
        return f"{self.decision_number} ({self.status})"

    @property
    def includes_assessment(self) -> bool:
        return self.extent in EXTENTS_WITH_ASSESSMENT

    def in_force_on(self, day: datetime.date) -> bool:
        return self.status in ACCREDITATION_IN_FORCE and self.valid_from <= day <= self.valid_until

    def covers(self, qualification: Qualification) -> bool:
        if self.qualification_id is not None:
            return self.qualification_id == qualification.pk
        return self.nqf_level == qualification.nqf_level and self.agent_id == qualification.awarding_body_id

    def party_errors(self) -> dict[str, list[str]]:
        """The party rules: a provider is accredited, by an accrediting agent, for a qualification that agent
        awards (NQA for national qualifications, an awarding body for its own). Checked by `clean()` (so the
        admin meets them) and by the services (which answer `invalid_party`)."""
        errors: dict[str, list[str]] = {}
        provider = self.provider if self.provider_id else None
        agent = self.agent if self.agent_id else None
        if provider is not None and provider.kind != OrganisationKind.PROVIDER:
            errors["provider"] = [_("Only providers are accredited.")]
        if agent is not None and agent.kind not in ACCREDITING_KINDS:
            errors["agent"] = [_("The accrediting agent must be the qualification authority or an awarding body.")]
        elif agent is not None and self.qualification_id and self.qualification.awarding_body_id != agent.pk:
            errors["qualification"] = [_("An accrediting agent accredits only for qualifications it awards.")]
        return errors

    def clean(self) -> None:
        super().clean()
        if errors := self.party_errors():
            raise ValidationError(errors, code="invalid_party")


class AccreditationCondition(models.Model):
    accreditation = models.ForeignKey(
        Accreditation, verbose_name=_("accreditation"), on_delete=models.CASCADE, related_name="conditions"
    )
    description = models.TextField(verbose_name=_("description"), max_length=2000)
    deadline = models.DateField(verbose_name=_("deadline"))
    met = models.BooleanField(verbose_name=_("condition met"), default=False)
    met_on = models.DateField(verbose_name=_("met on"), null=True, blank=True)

    class Meta:
        verbose_name = _("accreditation condition")
        verbose_name_plural = _("accreditation conditions")
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

    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification"), on_delete=models.PROTECT, related_name="equivalencies"
    )
    equivalent_to = models.ForeignKey(
        Qualification, verbose_name=_("equivalent to"), on_delete=models.PROTECT, related_name="recognised_equivalents"
    )
    decided_by = models.ForeignKey(
        Organisation, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="equivalency_decisions"
    )
    decision_number = models.CharField(verbose_name=_("decision number"), max_length=64, unique=True)
    decided_on = models.DateField(verbose_name=_("decided on"))
    valid_from = models.DateField(verbose_name=_("valid from"))
    valid_until = models.DateField(verbose_name=_("valid until"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("status"),
        max_length=16,
        choices=EquivalencyStatus.choices,
        default=EquivalencyStatus.GRANTED,
        db_index=True,
    )
    status_reason = models.TextField(verbose_name=_("status reason"), max_length=2000, blank=True)
    notes = models.TextField(verbose_name=_("notes"), max_length=4000, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = EquivalencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("equivalency")
        ordering = ["-decided_on", "id"]
        verbose_name_plural = _("equivalencies")
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

    def party_errors(self) -> dict[str, list[str]]:
        """A ministry decision that a foreign awarding body's qualification equals a national one."""
        errors: dict[str, list[str]] = {}
        if self.decided_by_id and self.decided_by.kind not in DECIDING_KINDS:
            errors["decided_by"] = [_("Equivalency is a ministry decision.")]
        if self.qualification_id and not self.qualification.awarding_body.is_foreign:
            errors["qualification"] = [_("Equivalency is decided for qualifications of foreign awarding bodies.")]
        if self.equivalent_to_id and self.equivalent_to.awarding_body.is_foreign:
            errors["equivalent_to"] = [_("Must be a national qualification.")]
        return errors

    def clean(self) -> None:
        super().clean()
        if errors := self.party_errors():
            raise ValidationError(errors, code="invalid_party")

    def in_force_on(self, day: datetime.date) -> bool:
        return (
            self.status == EquivalencyStatus.GRANTED
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )
