"""The tracer study in the back office: read-only lists scoped by the access policy (core.policy), like every other
list there. Records are written through the API and the services (audited); here they are looked up.

- tracer answers and invitations: whoever reads the certificate (`tracer.read`: the ministry, the provider, the
  awarding body of the accreditation), each its own;
- employer surveys: the ministry, the graduate's provider and the employer that answered (`employer_survey.read`).

Another organisation's record answers as a missing one; URL lookups are limited to each list's filters
(`PolicyAdmin.lookup_allowed`), and foreign-key filters list only what the scoped list holds.
"""

from django.contrib import admin

from core.admin import PolicyAdmin
from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse


class OutcomesAdmin(PolicyAdmin):
    """Read-only: no add or change permission is named, and PolicyAdmin deletes nothing."""

    show_full_result_count = False


@admin.register(TracerResponse)
class TracerResponseAdmin(OutcomesAdmin):
    read_permission = "tracer.read"
    list_display = ["certificate", "wave", "employment_status", "work_municipality", "responded_on", "source"]
    list_filter = ["wave", "employment_status", "source", ("work_municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=certificate__serial_number", "employer_name"]
    list_select_related = ["certificate", "work_municipality"]
    date_hierarchy = "responded_on"


@admin.register(TracerInvitation)
class TracerInvitationAdmin(OutcomesAdmin):
    read_permission = "tracer.read"
    list_display = ["certificate", "wave", "expires_at", "used_at", "created_at"]
    list_filter = ["wave"]
    search_fields = ["=certificate__serial_number"]
    exclude = ["token_hash"]
    list_select_related = ["certificate"]


@admin.register(EmployerSurvey)
class EmployerSurveyAdmin(OutcomesAdmin):
    read_permission = "employer_survey.read"
    list_display = ["employer", "certificate", "graduate_satisfaction", "programme_satisfaction", "surveyed_on"]
    list_filter = ["graduate_satisfaction", ("employer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=certificate__serial_number", "employer__name"]
    list_select_related = ["employer", "certificate"]
