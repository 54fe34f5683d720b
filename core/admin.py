"""The back office's frame: one admin site that every role signs in to, and a ModelAdmin base whose lists,
pages and buttons come from the access policy (core.policy), never from hand-ticked Django permissions.

- `RegistryAdminSite`: anyone with a working role (`policy.role_of`) may enter, staff flag or not; an
  inactive account or organisation may not (the login form says so the same way as a wrong password).
- `PolicyAdmin`: the list is `policy.readable()`; a page opens only for a record the user may read (others
  answer as missing); nothing is added, changed or deleted unless a subclass says which permission allows it
  (`add_permission`, `change_permission`) and routes the save through a service. Foreign-key choices are
  narrowed to what the user may read, so a form cannot even offer another provider's cohort.

Subclasses set `read_permission` (a name from `policy.PERMISSIONS`) and, for writes, override
`save_model` to call the service (the service re-checks everything: the admin is one more client of it).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core import policy


class RoleAuthenticationForm(AdminAuthenticationForm):
    """Admin login for every role: the account needs a working role, not Django's staff flag."""

    def confirm_login_allowed(self, user):
        # Skip AdminAuthenticationForm's staff check; keep AuthenticationForm's (inactive accounts).
        AuthenticationForm.confirm_login_allowed(self, user)
        if not policy.may_sign_in(user) or policy.role_of(user) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class RegistryAdminSite(admin.AdminSite):
    site_header = _("Kosovo qualification and credential registry")
    site_title = _("Credential registry")
    index_title = _("Back office")
    login_form = RoleAuthenticationForm

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and policy.role_of(user) is not None)


class PolicyAdmin(admin.ModelAdmin):
    """A ModelAdmin scoped by the policy. Read-only unless a subclass names the permissions that allow writes."""

    read_permission: str | None = None  # e.g. "training.read"; None: the public catalogue (any signed-in role)
    add_permission: str | None = None
    change_permission: str | None = None

    def _may(self, request, permission: str | None) -> bool:
        return permission is not None and policy.may(request.user, permission)

    def get_queryset(self, request):
        return policy.readable(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if self.read_permission is not None and not policy.may(request.user, self.read_permission):
            return False
        return obj is None or policy.may_read(request.user, obj)

    def has_add_permission(self, request):
        return self._may(request, self.add_permission)

    def has_change_permission(self, request, obj=None):
        if not self._may(request, self.change_permission):
            return False
        return obj is None or policy.may_act(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing in the registry is deleted from a screen (certificates never)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = policy.readable(request.user, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = policy.readable(request.user, field.queryset)
        return field
