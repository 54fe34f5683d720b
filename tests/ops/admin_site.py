"""A throwaway admin site whose model admins use the audit trail mixin (test URLconf)."""

from django.contrib import admin
from django.urls import path

from registry import models as m
from registry.admin_audit import AuditTrailAdminMixin

site = admin.AdminSite(name="ops_admin")


class OrganisationAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    fieldsets = [(None, {"fields": ["slug", "name", "kind"]})]


class QualificationAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    audit_trail_limit = 2


site.register(m.Organisation, OrganisationAdmin)
site.register(m.Qualification, QualificationAdmin)
site.register(m.AuditEntry)

urlpatterns = [path("ops-admin/", site.urls)]
