"""Django admin for training records and certificates: read-only.

Every write to these records has rules across models (issuance, serials, signatures, scoping) and must be
audited, so it goes through credentials.services (API, import command, seed). The admin shows the records,
their audit trail, and lets staff search; it cannot add, change or delete anything.
"""

from django.contrib import admin

from core.api.pagination import ReversiblePaginator
from credentials import models as m
from registry.admin_audit import AuditTrailAdminMixin


class ReadOnlyAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModuleResultInline(admin.TabularInline):
    model = m.ModuleResult
    fields = ["module", "hours_theory", "hours_practice", "outcome", "assessed_on", "assessor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Learner)
class LearnerAdmin(ReadOnlyAdmin):
    # The personal number and date of birth (personal data) show on the change page only.
    list_display = ["family_name", "given_name", "provider", "municipality", "created_at"]
    list_filter = ["provider", "gender"]
    search_fields = ["given_name", "family_name", "=personal_number"]
    list_select_related = ["provider", "municipality"]


@admin.register(m.Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "provider",
        "curriculum",
        "delivery_mode",
        "municipality",
        "start_date",
        "end_date",
        "status",
    ]
    list_filter = ["status", "delivery_mode", "provider"]
    search_fields = ["code", "name"]
    list_select_related = ["provider", "curriculum__qualification", "municipality"]


@admin.register(m.Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["learner", "cohort", "status", "enrolled_on", "completed_on"]
    list_filter = ["status"]
    search_fields = ["learner__given_name", "learner__family_name", "cohort__code"]
    list_select_related = ["learner", "cohort"]
    inlines = [ModuleResultInline]


@admin.register(m.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    """Certificates are never deleted nor edited here: revoke, suspend or reissue through the API (the
    services check who outranks whose status decision; an edit here would bypass them)."""

    list_display = [
        "serial_number",
        "holder_name",
        "qualification",
        "provider",
        "status",
        "status_authority",
        "awarded_on",
        "issued_on",
    ]
    list_filter = ["status", "status_authority", "provider", "qualification"]
    search_fields = ["serial_number", "verification_id", "holder_name"]
    list_select_related = ["qualification", "provider"]
    date_hierarchy = "issued_on"


@admin.register(m.SerialCounter)
class SerialCounterAdmin(ReadOnlyAdmin):
    list_display = ["qualification", "year", "last_value"]
    list_select_related = ["qualification"]


@admin.register(m.VerificationEvent)
class VerificationEventAdmin(ReadOnlyAdmin):
    """Millions of events: counted once per write (core.api.pagination), the last page read from the other end."""

    list_display = ["created_at", "outcome", "channel", "verifier_organisation", "certificate"]
    list_filter = ["outcome", "channel"]
    paginator = ReversiblePaginator
    show_full_result_count = False
    list_select_related = ["verifier_organisation", "certificate"]
