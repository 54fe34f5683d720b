"""Django admin for the catalogue, users, groups and API tokens: search and filters everywhere, no deletes
in the catalogue, and every write audited (`registry.admin_audit.AuditedSavesMixin`; tokens by user, never
by key).

Rules that span several objects (curriculum hours, transitions) are enforced by the API's services; here the
modules and conditions are shown read-only so the admin cannot bypass them.
"""

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import models
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from core.api.pagination import ReversiblePaginator
from core.audit import REDACTED
from core.forms import JSONField as JSONFormField
from registry import models as m
from registry.admin_audit import ADMIN_REASON, AuditedSavesMixin, AuditTrailAdminMixin
from registry.choices import AuditAction
from registry.services.audit import audit_record


class AuditedAdmin(AuditedSavesMixin, AuditTrailAdminMixin, admin.ModelAdmin):
    """Saves run `full_clean()` (via the form) and write an audit entry; nothing is deleted; each change page
    ends with the object's audit trail."""

    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.JSONField: {"form_class": JSONFormField},  # deeply nested JSON is invalid input, not a 500
    }

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["name_sq", "name_sr", "name_sr_cyrl", "name_en", "slug"]
    search_fields = ["slug", "name_sq", "name_sr", "name_sr_cyrl", "name_en"]


@admin.register(m.Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "slug", "kind", "country", "municipality", "status"]
    list_filter = ["kind", "status", "country"]
    search_fields = ["name", "short_name", "slug", "registration_number"]
    autocomplete_fields = ["municipality"]


@admin.register(m.User)
class UserAdmin(AuditedSavesMixin, AuditTrailAdminMixin, BaseUserAdmin):
    """Users with their organisation and role. Every change is audited: role, organisation, activity, groups
    and permissions with their values; names, e-mail and the password by field name only."""

    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    fieldsets = BaseUserAdmin.fieldsets + (("Registry", {"fields": ("organisation", "role")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Registry", {"fields": ("organisation", "role")}),)

    def user_change_password(self, request, id, form_url=""):
        """The admin's "change password" form saves without `save_model`: audit it here (that it changed,
        never the hash)."""
        pk = unquote(id)
        before = m.User.objects.filter(pk=pk).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        user = m.User.objects.filter(pk=pk).first()
        if user is not None and before is not None and user.password != before:
            audit_record(
                actor=request.user,
                action=AuditAction.UPDATE,
                instance=user,
                before={"password": REDACTED},
                after={"password": REDACTED},
                reason=ADMIN_REASON,
            )
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedSavesMixin, AuditTrailAdminMixin, BaseGroupAdmin):
    """Groups and their permissions; every change audited."""


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(BaseTokenAdmin):
    """API tokens (DRF's admin, keyed by user). Creating and deleting one is audited on the user (its change
    page shows it), never with the key: a token's primary key is its key, so neither it nor `str(token)` may
    reach a log."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self._audit(request, obj, AuditAction.TOKEN_ISSUED, before=None, after={"api_token": "issued"})

    def delete_model(self, request, obj):
        self._audit(request, obj, AuditAction.TOKEN_REVOKED, before={"api_token": "issued"}, after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, AuditAction.TOKEN_REVOKED, before={"api_token": "issued"}, after=None)
        super().delete_queryset(request, queryset)

    def _audit(self, request, obj, action, *, before, after):
        audit_record(
            actor=request.user, action=action, instance=obj.user, before=before, after=after, reason=ADMIN_REASON
        )

    # Django's own admin log would keep the token's primary key and `str()`: the key. The audit log above is
    # the record of token changes.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None


class CompetenceInline(ReadOnlyInline):
    model = m.Competence
    fields = ["code", "kind", "description"]


@admin.register(m.Duty)
class DutyAdmin(AuditedAdmin):
    list_display = ["code", "title", "standard"]
    search_fields = ["code", "title", "standard__code"]
    inlines = [CompetenceInline]


class DutyInline(ReadOnlyInline):
    model = m.Duty
    fields = ["code", "title"]


@admin.register(m.OccupationalStandard)
class OccupationalStandardAdmin(AuditedAdmin):
    list_display = ["code", "version", "title", "isco08_code", "status", "approved_on", "review_on"]
    list_filter = ["status"]
    search_fields = ["code", "title", "isco08_code"]
    inlines = [DutyInline]


@admin.register(m.Qualification)
class QualificationAdmin(AuditedAdmin):
    list_display = [
        "code",
        "title_en",
        "nqf_level",
        "eqf_level",
        "hours_theory",
        "hours_practice",
        "awarding_body",
        "status",
    ]
    list_filter = ["status", "type", "nqf_level", "eqf_level", "awarding_body"]
    search_fields = ["code", "serial_prefix", "title_sq", "title_sr", "title_en"]
    readonly_fields = ["status"]
    filter_horizontal = ["standards"]


class CurriculumModuleInline(ReadOnlyInline):
    model = m.CurriculumModule
    fields = ["order", "code", "title", "kind", "hours_theory", "hours_practice", "credits", "mandatory"]


@admin.register(m.Curriculum)
class CurriculumAdmin(AuditedAdmin):
    list_display = ["qualification", "version", "status", "approved_on"]
    list_filter = ["status", "qualification"]
    search_fields = ["version", "title", "qualification__code"]
    inlines = [CurriculumModuleInline]


class ConditionInline(ReadOnlyInline):
    model = m.AccreditationCondition
    fields = ["description", "deadline", "met", "met_on"]


@admin.register(m.Accreditation)
class AccreditationAdmin(AuditedAdmin):
    list_display = [
        "decision_number",
        "provider",
        "qualification",
        "agent",
        "extent",
        "valid_from",
        "valid_until",
        "status",
    ]
    list_filter = ["status", "extent", "kind", "agent"]
    search_fields = ["decision_number", "provider__name", "qualification__code"]
    readonly_fields = ["status", "status_reason"]
    date_hierarchy = "valid_from"
    inlines = [ConditionInline]


@admin.register(m.Equivalency)
class EquivalencyAdmin(AuditedAdmin):
    list_display = ["decision_number", "qualification", "equivalent_to", "decided_on", "status"]
    list_filter = ["status"]
    search_fields = ["decision_number", "qualification__code", "equivalent_to__code"]
    readonly_fields = ["status", "status_reason"]


class AuditObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of record, from the installed models: the default filter asked the trail for its distinct
    values, a scan of every entry (70 ms at a million)."""

    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        return sorted((model._meta.label_lower, model._meta.label_lower) for model in apps.get_models())

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(m.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """A million entries and more: counted once per write (core.api.pagination), its last page read from the
    other end; dates filtered by range (a date hierarchy asked the whole trail for its distinct years: 0.3 s)."""

    list_display = ["created_at", "action", "object_type", "object_id", "object_repr", "actor", "organisation"]
    list_filter = ["action", AuditObjectTypeFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["object_repr", "object_id", "reason", "request_id"]
    paginator = ReversiblePaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
