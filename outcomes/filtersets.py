import django_filters

from outcomes.choices import EmploymentStatus, ResponseSource
from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse


class TracerResponseFilterSet(django_filters.FilterSet):
    certificate = django_filters.NumberFilter(field_name="certificate_id")
    serial_number = django_filters.CharFilter(field_name="certificate__serial_number")
    provider = django_filters.CharFilter(field_name="certificate__provider__slug")
    qualification = django_filters.CharFilter(field_name="certificate__qualification__code")
    cohort = django_filters.NumberFilter(field_name="enrolment__cohort_id")
    employer = django_filters.CharFilter(field_name="employer__slug")
    work_municipality = django_filters.CharFilter(field_name="work_municipality__slug")
    employment_status = django_filters.MultipleChoiceFilter(choices=EmploymentStatus.choices)
    source = django_filters.ChoiceFilter(choices=ResponseSource.choices)
    responded_after = django_filters.DateFilter(field_name="responded_on", lookup_expr="gte")
    responded_before = django_filters.DateFilter(field_name="responded_on", lookup_expr="lte")

    class Meta:
        model = TracerResponse
        fields = ["wave", "job_uses_qualification", "would_choose_again"]


class TracerInvitationFilterSet(django_filters.FilterSet):
    certificate = django_filters.NumberFilter(field_name="certificate_id")
    used = django_filters.BooleanFilter(field_name="used_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = TracerInvitation
        fields = ["wave"]


class EmployerSurveyFilterSet(django_filters.FilterSet):
    employer = django_filters.CharFilter(field_name="employer__slug")
    certificate = django_filters.NumberFilter(field_name="certificate_id")
    provider = django_filters.CharFilter(field_name="certificate__provider__slug")
    surveyed_after = django_filters.DateFilter(field_name="surveyed_on", lookup_expr="gte")
    surveyed_before = django_filters.DateFilter(field_name="surveyed_on", lookup_expr="lte")

    class Meta:
        model = EmployerSurvey
        fields = ["graduate_satisfaction", "programme_satisfaction"]
