"""Filters for training records and certificates: every foreign key, status, and date ranges.

Foreign keys to scoped records (learner, cohort, enrolment ...) filter by id without looking the id up,
so a filter never tells a provider whether another provider's record exists. Organisations and
municipalities filter by slug, as in the catalogue.
"""

import django_filters as filters
from django import forms

from credentials.choices import CertificateStatus, CohortStatus, EnrolmentStatus, Gender, ResultOutcome
from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from registry.choices import DeliveryMode
from registry.filtersets import UtcDateTimeFilter
from registry.models import Municipality, Organisation


def _org(field_name: str, label: str) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field_name, queryset=Organisation.objects.all(), to_field_name="slug", label=label
    )


def _municipality(field_name: str = "municipality") -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field_name, queryset=Municipality.objects.all(), to_field_name="slug", label="Municipality (slug)"
    )


MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A database id: a whole number in the bigint range (a decimal or a huge number is a 400, not a 500)."""

    field_class = forms.IntegerField


def _id(field_name: str, label: str) -> IdFilter:
    return IdFilter(field_name=field_name, label=label, min_value=1, max_value=MAX_ID)


def _date_range(field_name: str, what: str) -> tuple[filters.DateFilter, filters.DateFilter]:
    return (
        filters.DateFilter(field_name=field_name, lookup_expr="gte", label=f"{what} on or after (YYYY-MM-DD)"),
        filters.DateFilter(field_name=field_name, lookup_expr="lte", label=f"{what} on or before (YYYY-MM-DD)"),
    )


class LearnerFilterSet(filters.FilterSet):
    provider = _org("provider", "Provider (slug)")
    municipality = _municipality()
    gender = filters.ChoiceFilter(choices=Gender.choices)
    personal_number = filters.CharFilter(label="Personal number (exact)")
    born_after, born_before = _date_range("date_of_birth", "Born")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    cohort = _id("enrolments__cohort", "Enrolled in this cohort (id)")

    class Meta:
        model = Learner
        fields = ["provider", "municipality", "gender", "personal_number", "cohort"]


class CohortFilterSet(filters.FilterSet):
    provider = _org("provider", "Provider (slug)")
    curriculum = _id("curriculum", "Curriculum (id)")
    qualification = _id("curriculum__qualification", "Qualification (id)")
    municipality = _municipality()
    status = filters.ChoiceFilter(choices=CohortStatus.choices)
    delivery_mode = filters.ChoiceFilter(choices=DeliveryMode.choices)
    start_after, start_before = _date_range("start_date", "Starts")
    end_after, end_before = _date_range("end_date", "Ends")
    active_on = filters.DateFilter(method="filter_active_on", label="Running on this date (YYYY-MM-DD)")

    class Meta:
        model = Cohort
        fields = ["provider", "curriculum", "qualification", "municipality", "status", "delivery_mode", "code"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, end_date__gte=value)


class EnrolmentFilterSet(filters.FilterSet):
    learner = _id("learner", "Learner (id)")
    cohort = _id("cohort", "Cohort (id)")
    provider = _org("cohort__provider", "Provider (slug)")
    status = filters.ChoiceFilter(choices=EnrolmentStatus.choices)
    enrolled_after, enrolled_before = _date_range("enrolled_on", "Enrolled")
    completed_after, completed_before = _date_range("completed_on", "Completed")

    class Meta:
        model = Enrolment
        fields = ["learner", "cohort", "provider", "status"]


class ModuleResultFilterSet(filters.FilterSet):
    enrolment = _id("enrolment", "Enrolment (id)")
    module = _id("module", "Curriculum module (id)")
    learner = _id("enrolment__learner", "Learner (id)")
    cohort = _id("enrolment__cohort", "Cohort (id)")
    outcome = filters.ChoiceFilter(choices=ResultOutcome.choices)
    assessed_after, assessed_before = _date_range("assessed_on", "Assessed")

    class Meta:
        model = ModuleResult
        fields = ["enrolment", "module", "learner", "cohort", "outcome"]


class CertificateFilterSet(filters.FilterSet):
    learner = _id("learner", "Learner (id)")
    enrolment = _id("enrolment", "Enrolment (id)")
    cohort = _id("enrolment__cohort", "Cohort (id)")
    qualification = _id("qualification", "Qualification (id)")
    curriculum = _id("curriculum", "Curriculum (id)")
    accreditation = _id("accreditation", "Accreditation (id)")
    equivalency = _id("equivalency", "Equivalency (id)")
    supersedes = _id("supersedes", "Superseded certificate (id)")
    provider = _org("provider", "Provider (slug)")
    awarding_body = _org("awarding_body", "Awarding body (slug)")
    status = filters.MultipleChoiceFilter(choices=CertificateStatus.choices)
    awarded_after, awarded_before = _date_range("awarded_on", "Awarded")
    issued_after, issued_before = _date_range("issued_on", "Issued")

    class Meta:
        model = Certificate
        fields = [
            "learner",
            "enrolment",
            "cohort",
            "qualification",
            "curriculum",
            "accreditation",
            "equivalency",
            "supersedes",
            "provider",
            "awarding_body",
            "status",
            "serial_number",
            "verification_id",
        ]
