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
A `DomainError` a service raises while saving rolls the save back and shows the form again with the error
on its fields (or above the form): nothing is written, nothing answers 500.

More for the back office:
- `list_scope = "act"`: the list and pages hold only what the user may change (`policy.actionable`), e.g. an
  awarding body's own accreditations although the catalogue is public.
- `save_via_service(request, form, formsets, change)`: when a save needs the inline rows too (a curriculum's
  modules, an accreditation's conditions), implement this instead of `save_model`: it is called once, with
  the validated form and formsets, and returns the saved object; the inlines are never saved by Django.
- `status_action(target, label, ...)`: a list action (and a button on the change page, with
  `change_form_template = STATUS_CHANGE_FORM`) that asks for a reason, then calls
  `perform_transition(request, obj, target, reason)` for each selected record: the service decides, each
  refusal is shown, the others go through.
- `RegistryAdminSite.register_screen(...)`: a page of the back office that is not a model (the verifier's
  "Check candidates"), listed on the index for the roles its permission names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core import policy
from core.errors import DomainError


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._screens: list[Screen] = []

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and policy.role_of(user) is not None)

    # Called with the request after a user changed their own password on the site's form: every write to an account
    # is audited (DESIGN.md), and the audit trail is registry's (registry.admin sets this; core imports no app).
    password_changed = None

    def password_change(self, request, extra_context=None):
        before = request.user.password
        response = super().password_change(request, extra_context)
        if request.method == "POST" and request.user.password != before and self.password_changed is not None:
            self.password_changed(request)
        return response

    def register_screen(self, *, app_label: str, slug: str, title, view, permission: str) -> None:
        """A page at /admin/<app_label>/<slug>/ (more under it: `view` gets the rest of the path as `rest`),
        shown on the index under its app for users whose role has `permission`; others get 403."""
        self._screens.append(Screen(app_label=app_label, slug=slug, title=title, view=view, permission=permission))

    def get_urls(self):
        urls = []
        for screen in self._screens:
            view = self.admin_view(screen.as_view())
            name = f"{screen.app_label}_{screen.slug}"
            urls += [
                path(f"{screen.app_label}/{screen.slug}/", view, {"rest": ""}, name=name),
                path(f"{screen.app_label}/{screen.slug}/<path:rest>", view, name=f"{name}_more"),
            ]
        return urls + super().get_urls()

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        screens = [s for s in self._screens if policy.may(request.user, s.permission)]
        for screen in screens:
            if app_label is not None and screen.app_label != app_label:
                continue
            entry = {
                "name": screen.title,
                "object_name": screen.slug,
                "perms": {"view": True},
                "admin_url": reverse(f"{self.name}:{screen.app_label}_{screen.slug}"),
                "add_url": None,
                "view_only": True,
                "model": None,
            }
            app = next((a for a in app_list if a["app_label"] == screen.app_label), None)
            if app is None:
                from django.apps import apps

                config = apps.get_app_config(screen.app_label)
                app = {
                    "name": config.verbose_name,
                    "app_label": screen.app_label,
                    "app_url": reverse(f"{self.name}:app_list", kwargs={"app_label": screen.app_label}),
                    "has_module_perms": True,
                    "models": [],
                }
                app_list.append(app)
            app["models"].insert(0, entry)
        return app_list


@dataclass
class Screen:
    app_label: str
    slug: str
    title: str
    view: object
    permission: str

    def as_view(self):
        def view(request, rest=""):
            if not policy.may(request.user, self.permission):
                raise PermissionDenied
            return self.view(request, rest)

        return view


class PolicyAdmin(admin.ModelAdmin):
    """A ModelAdmin scoped by the policy. Read-only unless a subclass names the permissions that allow writes."""

    read_permission: str | None = None  # e.g. "training.read"; None: the public catalogue (any signed-in role)
    add_permission: str | None = None
    change_permission: str | None = None
    list_scope = "read"  # "act": only what the user may change (policy.actionable), pages and lists alike
    save_as = False

    def _may(self, request, permission: str | None) -> bool:
        return permission is not None and policy.may(request.user, permission)

    def _object_scoped(self) -> bool:
        """Whether the policy has an act scope for this model (the catalogue has none: the role decides)."""
        return self.model._meta.label_lower in policy.ACT

    extra_lookups: tuple[str, ...] = ()  # URL lookups allowed besides the list's own filters

    def lookup_allowed(self, lookup, value, request=None):
        """Only the lookups the list offers as filters (and `extra_lookups`): Django's admin allows any lookup
        on a model's own fields in the URL, which lets a reader test a value it cannot see one bit at a time."""
        return lookup_offered(self, lookup, request) and super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.list_scope == "act":
            return policy.actionable(request.user, queryset) if self._object_scoped() else queryset.none()
        return policy.readable(request.user, queryset)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if self.read_permission is not None and not policy.may(request.user, self.read_permission):
            return False
        if obj is None:
            return True
        if self.list_scope == "act":
            return self._object_scoped() and policy.may_act(request.user, obj)
        return policy.may_read(request.user, obj)

    def has_add_permission(self, request):
        return self._may(request, self.add_permission)

    def has_change_permission(self, request, obj=None):
        if not self._may(request, self.change_permission):
            return False
        if obj is None or not self._object_scoped():
            return True
        return policy.may_act(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing in the registry is deleted from a screen (certificates never)

    @staticmethod
    def readable_choices(user, queryset):
        """The choices a form may offer: what the policy lets `user` read. A kind of record the policy has no
        scope for (users, say) is offered to the operator only: deny by default."""
        label = queryset.model._meta.label_lower
        if label in policy.READ or label in policy.PUBLIC_RECORDS:
            return policy.readable(user, queryset)
        return queryset if policy.is_unrestricted(user) else queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.readable_choices(request.user, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self.readable_choices(request.user, field.queryset)
        return field

    # --- saves through the services ------------------------------------------------------------------

    def save_via_service(self, request, form, formsets, change):
        """Override to save with the inline rows; return the saved object. None: `save_model` saved it."""
        return None

    def _uses_save_via_service(self) -> bool:
        return type(self).save_via_service is not PolicyAdmin.save_via_service

    def save_model(self, request, obj, form, change):
        if self._uses_save_via_service():
            return  # saved in save_related, once the inline rows are validated too
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not self._uses_save_via_service():
            return super().save_related(request, form, formsets, change)
        saved = self.save_via_service(request, form, formsets, change)
        if saved is not None and saved is not form.instance:
            form.instance.__dict__.update(saved.__dict__)  # the admin redirects and logs with this object
        for formset in formsets:  # the service wrote the rows; the admin's change message reads these
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    refusals: dict = {}  # a service refusal's code -> what the reader is told, in their language (gettext_lazy)

    def describe_refusal(self, exc: DomainError) -> str:
        """The service's refusal in the reader's language: `refusals[code]`, else the service's own message."""
        return str(self.refusals.get(exc.code, exc.message))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A refusal from the service rolls the save back (the view is atomic) and shows the form again with
        the service's message: above the form, and on the fields it names."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as exc:
            if request.method != "POST" or getattr(request, "_service_error", None) is not None:
                raise
            if isinstance(exc, ValidationError):  # a service's full_clean() of a row the form did not show
                fields = exc.message_dict if hasattr(exc, "error_dict") else {}
                exc = DomainError("invalid", "; ".join(exc.messages), fields=fields)
            request._service_error = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class
        translated = error.code in self.refusals
        message = self.describe_refusal(error)

        class ServiceRefused(form_class):
            def clean(self):
                cleaned = super().clean()
                self.add_error(None, message)
                for name, problems in (error.fields or {}).items():
                    on_field = name in self.fields
                    if translated and not on_field:
                        continue  # the translated message above says it
                    for problem in problems if isinstance(problems, list | tuple) else [problems]:
                        self.add_error(name if on_field else None, message if translated else str(problem))
                return cleaned

        return ServiceRefused

    @staticmethod
    def changed_values(form, *, change: bool) -> dict:
        """The model fields of `form` to hand a service: all of them when adding, the changed ones otherwise
        (many-to-many relations left out: pass them to the service on their own)."""
        m2m = {f.name for f in form._meta.model._meta.many_to_many}
        names = form.changed_data if change else list(form.cleaned_data)
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data and name not in m2m}

    @staticmethod
    def fresh(obj):
        """The record as stored: the form has already written the new values onto `obj`."""
        return type(obj)._default_manager.get(pk=obj.pk)

    # --- status changes: list actions and change-page buttons ------------------------------------------

    status_field = "status"
    transitions: dict = {}  # {status: {next statuses}} (registry.choices)
    # A subclass with status actions sets `change_form_template = STATUS_CHANGE_FORM` for the buttons (or puts
    # `{% include "admin/status_buttons.html" %}` in its own change form's object tools).

    def perform_transition(self, request, obj, target: str, reason: str):
        """Call the service. Refusals raise DomainError (shown per record)."""
        raise NotImplementedError

    def status_buttons(self, request, obj) -> list[tuple[str, str]]:
        """(action name, label) of each status change allowed from `obj`'s status, for its change page."""
        if obj is None or not self.has_change_permission(request, obj):
            return []
        current = getattr(obj, self.status_field, None)
        buttons = []
        for name, (func, _name, description) in self.get_actions(request).items():
            target = getattr(func, "status_target", None)
            if target is not None and target in self.transitions.get(current, ()):
                buttons.append((name, description))
        return buttons

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["status_buttons"] = self.status_buttons(request, obj)
        context["changelist_url"] = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


STATUS_CHANGE_FORM = "admin/policy_change_form.html"


def lookup_offered(model_admin, lookup: str, request) -> bool:
    """Whether `lookup` (from a list's URL) is one of the list's filters, its date hierarchy or its
    `extra_lookups`: compared by the first field of the lookup (`status__exact` is the `status` filter's)."""
    allowed = set(getattr(model_admin, "extra_lookups", ()))
    if model_admin.date_hierarchy:
        allowed.add(model_admin.date_hierarchy)
    filters = model_admin.get_list_filter(request) if request is not None else model_admin.list_filter
    for item in filters:
        if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            allowed.add(item.parameter_name)
        elif isinstance(item, list | tuple):
            allowed.add(item[0])
        elif isinstance(item, str):
            allowed.add(item)
    first = lookup.split("__")[0]
    return first in {name.split("__")[0] for name in allowed}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


def status_action(target: str, label, *, reason_required: bool = False, reason_label=None):
    """A list action that moves the selected records to `target` through `perform_transition`, after a page
    that asks for the reason (and shows what is about to change). Each record is decided by the service."""

    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if reason_required:
            form.fields["reason"].required = True
        if reason_label:
            form.fields["reason"].label = reason_label
        if "confirm" in request.POST and form.is_valid():
            done, refused = 0, 0
            for obj in queryset:
                try:
                    modeladmin.perform_transition(request, obj, target, form.cleaned_data["reason"])
                except DomainError as exc:
                    refused += 1
                    modeladmin.message_user(request, f"{obj}: {modeladmin.describe_refusal(exc)}", messages.ERROR)
                else:
                    done += 1
            if done:
                modeladmin.message_user(
                    request,
                    _("%(count)s changed: %(label)s.") % {"count": done, "label": label},
                    messages.SUCCESS,
                )
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": label,
            "subtitle": None,
            "objects": list(queryset),
            "opts": modeladmin.opts,
            "form": form,
            "action_name": action.__name__,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "label": label,
            "media": modeladmin.media,
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, "admin/status_action_confirm.html", context)

    action.__name__ = f"status_{target}"
    action.status_target = target
    return admin.action(description=label, permissions=["change"])(action)


class PolicyInline(admin.TabularInline):
    """Rows edited with their parent (a curriculum's modules, an accreditation's conditions): whoever may
    change the parent may edit them, nobody else; the parent's service writes them (`save_via_service`)."""

    extra = 0

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        parent = self._parent_admin()
        return parent.has_add_permission(request) if obj is None else parent.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)
