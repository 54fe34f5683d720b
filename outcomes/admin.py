"""Read-mostly admin for the tracer study: records are written through the API/services (audited);
the admin is for looking things up."""

from django.contrib import admin

from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TracerResponse)
class TracerResponseAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "wave", "employment_status", "work_municipality", "responded_on", "source"]
    list_filter = ["wave", "employment_status", "source", "work_municipality"]
    search_fields = ["certificate__serial_number", "employer_name"]
    list_select_related = ["certificate", "work_municipality"]
    date_hierarchy = "responded_on"


@admin.register(TracerInvitation)
class TracerInvitationAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "wave", "expires_at", "used_at", "created_at"]
    list_filter = ["wave"]
    search_fields = ["certificate__serial_number"]
    exclude = ["token_hash"]
    list_select_related = ["certificate"]


@admin.register(EmployerSurvey)
class EmployerSurveyAdmin(ReadOnlyAdmin):
    list_display = ["employer", "certificate", "graduate_satisfaction", "programme_satisfaction", "surveyed_on"]
    list_filter = ["graduate_satisfaction", "employer"]
    search_fields = ["certificate__serial_number", "employer__name"]
    list_select_related = ["employer", "certificate"]
