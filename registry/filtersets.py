import datetime

import django_filters as filters
from django.db.models import Q

from registry.choices import DeliveryMode
from registry.models import (
    Accreditation,
    AuditEntry,
    Curriculum,
    Equivalency,
    Municipality,
    OccupationalStandard,
    Organisation,
    Qualification,
)


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time compared in UTC: any offset Python accepts (up to 24 h) works, while PostgreSQL
    refuses offsets beyond 15:59 if it receives them as written. Shared by every date-time filter of the API."""

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


def _org_filter(field_name: str, label: str) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field_name, queryset=Organisation.objects.all(), to_field_name="slug", label=label
    )


class MunicipalityFilterSet(filters.FilterSet):
    class Meta:
        model = Municipality
        fields = ["slug"]


class OrganisationFilterSet(filters.FilterSet):
    municipality = filters.ModelChoiceFilter(queryset=Municipality.objects.all(), to_field_name="slug")

    class Meta:
        model = Organisation
        fields = ["kind", "status", "country", "municipality"]


class OccupationalStandardFilterSet(filters.FilterSet):
    class Meta:
        model = OccupationalStandard
        fields = ["status", "code", "version", "isco08_code"]


class QualificationFilterSet(filters.FilterSet):
    owner = _org_filter("owner", "Owner (slug)")
    awarding_body = _org_filter("awarding_body", "Awarding body (slug)")
    standard = filters.NumberFilter(field_name="standards", label="Occupational standard id")
    valid_on = filters.DateFilter(method="filter_valid_on", label="Operational on this date (YYYY-MM-DD)")

    class Meta:
        model = Qualification
        fields = ["status", "type", "nqf_level", "eqf_level", "owner", "awarding_body", "supersedes", "standard"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(
            Q(operational_start__isnull=True) | Q(operational_start__lte=value),
            Q(operational_end__isnull=True) | Q(operational_end__gte=value),
        )


class CurriculumFilterSet(filters.FilterSet):
    delivery_mode = filters.ChoiceFilter(choices=DeliveryMode.choices, method="filter_delivery_mode")

    class Meta:
        model = Curriculum
        fields = ["qualification", "status", "version"]

    def filter_delivery_mode(self, queryset, name, value):
        return queryset.filter(delivery_modes__icontains=f'"{value}"')


class AccreditationFilterSet(filters.FilterSet):
    provider = _org_filter("provider", "Provider (slug)")
    agent = _org_filter("agent", "Accrediting agent (slug)")
    municipality = filters.ModelChoiceFilter(
        field_name="municipalities", queryset=Municipality.objects.all(), to_field_name="slug"
    )
    valid_on = filters.DateFilter(method="filter_valid_on", label="In force on this date (YYYY-MM-DD)")

    class Meta:
        model = Accreditation
        fields = ["provider", "agent", "qualification", "nqf_level", "status", "kind", "extent", "municipality"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.in_force_on(value)


class EquivalencyFilterSet(filters.FilterSet):
    decided_by = _org_filter("decided_by", "Deciding body (slug)")
    valid_on = filters.DateFilter(method="filter_valid_on", label="In force on this date (YYYY-MM-DD)")

    class Meta:
        model = Equivalency
        fields = ["qualification", "equivalent_to", "decided_by", "status"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.in_force_on(value)


class AuditEntryFilterSet(filters.FilterSet):
    organisation = _org_filter("organisation", "Acting organisation (slug)")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor", "organisation", "request_id"]
