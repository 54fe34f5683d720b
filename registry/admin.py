"""The back office of the catalogue, accreditations, equivalencies, users and the audit trail (Django's admin
on core.admin's RegistryAdminSite).

Who sees what comes from core.policy (`PolicyAdmin`), never from hand-ticked Django permissions:
- the ministry (MESTI, NQA) keeps the catalogue: standards with their duties and competences, qualifications
  and their lifecycle (buttons and list actions calling `qualification_transition`), curricula whose modules'
  hours must add up (the service's refusal shows on the page), equivalencies, and decides accreditations;
- an awarding body records and decides its own accreditations only (`list_scope = "act"`): it never sees
  another body's in the back office, though the public catalogue lists them;
- everyone with a role reads the public catalogue; users, groups and API tokens are the ministry's (deleting
  a user or a group stays the operator's, a superuser's).

Every save and status change goes through registry.services (which re-check the role, the party rules and the
lifecycle and write the audit entry); nothing in the catalogue is deleted. Users, groups, tokens and
municipalities have no service: their admin saves are audited by `AuditedSavesMixin`.
"""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from core import policy
from core.admin import STATUS_CHANGE_FORM, PolicyAdmin, PolicyInline, lookup_offered, status_action
from core.api.pagination import ReversiblePaginator
from core.audit import REDACTED
from core.errors import DomainError
from core.forms import JSONField as JSONFormField
from core.roles import Role
from registry import models as m
from registry.admin_audit import ADMIN_REASON, AuditedSavesMixin, AuditTrailAdminMixin
from registry.choices import (
    ACCREDITATION_TRANSITIONS,
    QUALIFICATION_TRANSITIONS,
    AccreditationStatus,
    AuditAction,
    CompetenceKind,
    DeliveryMode,
    EquivalencyStatus,
    OrganisationKind,
    QualificationStatus,
)
from registry.models.accreditation import ACCREDITING_KINDS, DECIDING_KINDS
from registry.services import accreditation as accreditation_services
from registry.services import catalogue as catalogue_services
from registry.services.audit import audit_record

CATALOGUE_WRITE = "catalogue.write"

# registry.services' refusals as the back office tells them, in the reader's language (the services answer the
# API in English). A code not listed shows the service's own message.
REFUSALS = {
    "permission_denied": _("Your role may not do this."),
    "not_found": _("No such record among those you may see."),
    "invalid_transition": _("This status change is not possible from the record's current status."),
    "no_approved_curriculum": _("A qualification becomes available only with an approved curriculum."),
    "certification_end_required": _("Set the certification end date first."),
    "curriculum_not_draft": _("Only a draft curriculum's modules can change; publish a new version instead."),
    "standard_in_use": _(
        "Competences of this standard are mapped to curriculum modules; publish a new version of the standard."
    ),
    "conditions_unmet": _("Conditions are still unmet: grant it with conditions."),
    "conditions_missing": _("Granted with conditions needs at least one condition: list the conditions."),
    "reason_required": _("Give the reason for the decision."),
    "reference_required": _("Give the reference of the decision (case or letter number)."),
    "invalid_status": _("A new record cannot start in this status."),
    "use_transition": _("Change the status with the status buttons."),
    "invalid_party": _("An organisation or qualification of the wrong kind was named."),
}


class OwnersAuditTrailMixin(AuditTrailAdminMixin):
    """Each record's audit trail at the end of its page, for the ministry and the organisation that may act on
    it (an awarding body on its own accreditations); not for those who only read the public catalogue."""

    def shows_audit_trail(self, request, obj) -> bool:
        if obj is None:
            return False
        if policy.acts_as_ministry(request.user):
            return True
        return obj._meta.label_lower in policy.ACT and policy.may_act(request.user, obj)

    def history_view(self, request, object_id, extra_context=None):
        """Django's history names who changed what: like the audit trail, for the ministry and the owner. A
        record outside the user's list answers as a missing one (Django's own redirect)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.shows_audit_trail(request, obj):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class CatalogueAdmin(OwnersAuditTrailMixin, PolicyAdmin):
    """The public catalogue: every role reads it, the ministry writes it through the services."""

    refusals = REFUSALS
    add_permission = CATALOGUE_WRITE
    change_permission = CATALOGUE_WRITE
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.JSONField: {"form_class": JSONFormField},  # deeply nested JSON is invalid input, not a 500
    }


# --- reference data, organisations ------------------------------------------------------------------------


@admin.register(m.Municipality)
class MunicipalityAdmin(AuditedSavesMixin, CatalogueAdmin):
    """The 38 municipalities: reference data (data/municipalities.csv), corrected by the operator only."""

    list_display = ["name_sq", "name_sr", "name_sr_cyrl", "name_en", "slug"]
    search_fields = ["slug", "name_sq", "name_sr", "name_sr_cyrl", "name_en"]

    def has_add_permission(self, request):
        return policy.is_unrestricted(request.user)

    def has_change_permission(self, request, obj=None):
        return policy.is_unrestricted(request.user)


@admin.register(m.Organisation)
class OrganisationAdmin(CatalogueAdmin):
    list_display = ["name", "short_name", "slug", "kind", "country", "municipality", "status"]
    list_filter = ["kind", "status", "country"]
    search_fields = ["name", "short_name", "slug", "registration_number"]
    autocomplete_fields = ["municipality"]

    def save_model(self, request, obj, form, change):
        data = self.changed_values(form, change=change)
        if change:
            saved = catalogue_services.organisation_update(actor=request.user, organisation=self.fresh(obj), data=data)
        else:
            saved = catalogue_services.organisation_create(actor=request.user, data=data)
        obj.__dict__.update(saved.__dict__)


# --- users, groups, API tokens: the ministry's -------------------------------------------------------------


class MinistryOnlyMixin:
    """Accounts are the ministry's (and the operator's): role, not Django permissions, decides. Deleting is
    the operator's alone (a superuser)."""

    def has_module_permission(self, request):
        return policy.acts_as_ministry(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.acts_as_ministry(request.user)

    def has_add_permission(self, request):
        return policy.acts_as_ministry(request.user)

    def has_change_permission(self, request, obj=None):
        return policy.acts_as_ministry(request.user)

    def has_delete_permission(self, request, obj=None):
        return policy.is_unrestricted(request.user)


@admin.register(m.User)
class UserAdmin(MinistryOnlyMixin, AuditedSavesMixin, AuditTrailAdminMixin, BaseUserAdmin):
    """Users with their organisation and role. Every change is audited: role, organisation, activity, groups
    and permissions with their values; names, e-mail and the password by field name only. The ministry's
    users manage accounts with roles; only a superuser sees or grants superuser, staff and Django permissions
    (they would bypass the role), and only a superuser changes a superuser's account."""

    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Registry"), {"fields": ("organisation", "role")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Registry"), {"fields": ("organisation", "role")}),)
    operator_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def lookup_allowed(self, lookup, value, request=None):
        # Never `?password__startswith=pbkdf2...`: only the list's own filters.
        return lookup_offered(self, lookup, request) and super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if policy.is_unrestricted(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options.get("fields", ()) if f not in self.operator_fields]})
            for name, options in fieldsets
        ]

    def get_list_filter(self, request):
        return [f for f in super().get_list_filter(request) if f != "is_staff" or request.user.is_superuser]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not policy.is_unrestricted(request.user):
            return False
        return super().has_change_permission(request, obj)

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


def audit_own_password_change(request) -> None:
    """A user changed their own password on the back office's form: audited like the ministry's change of someone
    else's (that it changed, never the hash)."""
    audit_record(
        actor=request.user,
        action=AuditAction.UPDATE,
        instance=request.user,
        before={"password": REDACTED},
        after={"password": REDACTED},
        reason=ADMIN_REASON,
    )


admin.site.password_changed = audit_own_password_change

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(MinistryOnlyMixin, AuditedSavesMixin, AuditTrailAdminMixin, BaseGroupAdmin):
    """Groups and their permissions (the operator's; roles decide what a user may): every change audited."""

    def has_module_permission(self, request):
        return policy.is_unrestricted(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.is_unrestricted(request.user)

    def has_add_permission(self, request):
        return policy.is_unrestricted(request.user)

    def has_change_permission(self, request, obj=None):
        return policy.is_unrestricted(request.user)


admin.site.unregister(TokenProxy)


def _token_label(token) -> str:
    """What the back office calls an API token: its user's name. DRF's `str(token)` is the key, a credential,
    which Django's admin prints in the titles, breadcrumbs and messages of the token's pages (change, delete,
    history, "was added"): the ministry, which issues and revokes tokens, would read every client's key and could
    act as that provider. `TokenProxy` exists only for this admin."""
    return token.user.get_username() if token.user_id else "-"


TokenProxy.__str__ = _token_label


@admin.register(TokenProxy)
class TokenAdmin(MinistryOnlyMixin, BaseTokenAdmin):
    """API tokens (DRF's admin, keyed by user). Creating and deleting (revoking) one is audited on the user (its
    change page shows it), never with the key: a token's primary key is its key, so neither it nor
    `str(token)` may reach a log. The ministry issues and revokes them."""

    def has_delete_permission(self, request, obj=None):
        return policy.acts_as_ministry(request.user)  # revoking a token deletes it: nothing else is lost

    def get_list_display(self, request):
        # A key is a credential: the ministry issues and revokes tokens without seeing them (the operator
        # still does, as before; `manage.py issue_api_token` prints a new one for its client).
        columns = list(super().get_list_display(request))
        return columns if policy.is_unrestricted(request.user) else [c for c in columns if c != "key"]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup_offered(self, lookup, request) and super().lookup_allowed(lookup, value, request)

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


# --- occupational standards: duties with their competences ----------------------------------------------


def _competence_lines(duty: m.Duty) -> str:
    return "\n".join(f"{c.code} | {c.kind} | {c.description}" for c in duty.competences.all())


def _parse_competences(text: str) -> list[dict]:
    competences = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3 or not all(parts):
            raise forms.ValidationError(
                _("Line %(line)s: write code | kind | description."), params={"line": number}, code="format"
            )
        if parts[1] not in CompetenceKind.values:
            raise forms.ValidationError(
                _("Line %(line)s: the kind is one of %(kinds)s."),
                params={"line": number, "kinds": ", ".join(CompetenceKind.values)},
                code="kind",
            )
        competences.append({"code": parts[0], "kind": parts[1], "description": parts[2]})
    return competences


class DutyForm(forms.ModelForm):
    competence_lines = forms.CharField(
        label=_("Competences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("One per line: code | kind (knowledge, skill, autonomy_responsibility) | description."),
    )

    class Meta:
        model = m.Duty
        fields = ["code", "title", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["competence_lines"].initial = _competence_lines(self.instance)

    def clean_competence_lines(self):
        return _parse_competences(self.cleaned_data.get("competence_lines") or "")


class DutyInline(PolicyInline):
    model = m.Duty
    form = DutyForm
    fields = ["code", "title", "order", "competence_lines"]

    @admin.display(description=_("Competences"))
    def competence_lines(self, obj):
        """The read-only view (every role but the ministry): the same lines the form edits."""
        return _competence_lines(obj) if obj is not None and obj.pk else ""


@admin.register(m.OccupationalStandard)
class OccupationalStandardAdmin(CatalogueAdmin):
    list_display = ["code", "version", "title", "isco08_code", "status", "approved_on", "review_on"]
    list_filter = ["status"]
    search_fields = ["code", "title", "isco08_code"]
    inlines = [DutyInline]

    def save_via_service(self, request, form, formsets, change):
        data = self.changed_values(form, change=change)
        duties = None
        if not change or any(formset.has_changed() for formset in formsets):
            duties = [
                {
                    **{k: row.cleaned_data[k] for k in ("code", "title", "order")},
                    "competences": row.cleaned_data["competence_lines"],
                }
                for formset in formsets
                for row in formset.forms
                if row.cleaned_data and not row.cleaned_data.get("DELETE")
            ]
        if change:
            return catalogue_services.occupational_standard_update(
                actor=request.user, standard=self.fresh(form.instance), data=data, duties=duties
            )
        return catalogue_services.occupational_standard_create(actor=request.user, data=data, duties=duties)


# --- qualifications and their lifecycle --------------------------------------------------------------------


@admin.register(m.Qualification)
class QualificationAdmin(CatalogueAdmin):
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
    list_select_related = ["awarding_body"]
    change_form_template = STATUS_CHANGE_FORM
    transitions = QUALIFICATION_TRANSITIONS
    actions = [
        status_action(QualificationStatus.APPROVED, _("Approve")),
        status_action(QualificationStatus.AVAILABLE, _("Make available")),
        status_action(QualificationStatus.NO_LONGER_AWARDED, _("No longer award")),
        status_action(QualificationStatus.CERTIFICATION_CLOSED, _("Close certification")),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "owner":
            field.queryset = field.queryset.filter(
                kind__in=[OrganisationKind.MINISTRY, OrganisationKind.QUALIFICATION_AUTHORITY]
            )
        elif db_field.name == "awarding_body":
            field.queryset = field.queryset.filter(
                kind__in=[
                    OrganisationKind.AWARDING_BODY,
                    OrganisationKind.QUALIFICATION_AUTHORITY,
                    OrganisationKind.MINISTRY,
                ]
            )
        return field

    def save_model(self, request, obj, form, change):
        data = self.changed_values(form, change=change)
        standards = list(form.cleaned_data["standards"]) if "standards" in form.cleaned_data else None
        if change:
            saved = catalogue_services.qualification_update(
                actor=request.user,
                qualification=self.fresh(obj),
                data=data,
                standards=standards if "standards" in form.changed_data else None,
            )
        else:
            saved = catalogue_services.qualification_create(actor=request.user, data=data, standards=standards)
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        pass  # the service set the standards; no inlines

    def perform_transition(self, request, obj, target, reason):
        catalogue_services.qualification_transition(actor=request.user, qualification=obj, status=target, reason=reason)


# --- curricula: modules whose hours add up ---------------------------------------------------------------


class CurriculumForm(forms.ModelForm):
    delivery_modes = forms.MultipleChoiceField(
        label=_("Delivery modes"), choices=DeliveryMode.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = m.Curriculum
        fields = ["qualification", "version", "title", "delivery_modes", "developed_by", "status", "approved_on"]


class CurriculumModuleInline(PolicyInline):
    model = m.CurriculumModule
    fields = ["order", "code", "title", "title_en", "kind", "hours_theory", "hours_practice", "credits", "mandatory"]


MODULE_FIELDS = ("order", "code", "title", "title_en", "kind", "hours_theory", "hours_practice", "credits", "mandatory")


@admin.register(m.Curriculum)
class CurriculumAdmin(CatalogueAdmin):
    """A curriculum's mandatory modules must add up to its qualification's hours of theory and practice
    (600 + 600 for the SEN Level 5): the service checks it and the page shows its answer. Modules change only
    while the curriculum is a draft; their learning outcomes and mapped competences are kept."""

    form = CurriculumForm
    list_display = ["qualification", "version", "status", "approved_on"]
    list_filter = ["status", "qualification"]
    search_fields = ["version", "title", "qualification__code"]
    list_select_related = ["qualification"]
    inlines = [CurriculumModuleInline]

    def save_via_service(self, request, form, formsets, change):
        data = self.changed_values(form, change=change)
        modules = None
        if not change or any(formset.has_changed() for formset in formsets):
            modules = []
            for formset in formsets:
                for row in formset.forms:
                    if not row.cleaned_data or row.cleaned_data.get("DELETE"):
                        continue
                    module = {name: row.cleaned_data[name] for name in MODULE_FIELDS}
                    existing = row.instance if row.instance.pk else None
                    if existing is not None:  # keep what the form does not show
                        module["competences"] = list(existing.competences.values_list("pk", flat=True))
                        module["learning_outcomes"] = [
                            {
                                "code": lo.code,
                                "description": lo.description,
                                "assessment_criteria": lo.assessment_criteria,
                                "order": lo.order,
                            }
                            for lo in existing.learning_outcomes.all()
                        ]
                    modules.append(module)
        try:
            if change:
                return catalogue_services.curriculum_update(
                    actor=request.user, curriculum=self.fresh(form.instance), data=data, modules=modules
                )
            return catalogue_services.curriculum_create(actor=request.user, data=data, modules=modules or [])
        except DomainError as exc:
            if exc.code != "hours_mismatch":
                raise
            raise hours_mismatch(
                form.cleaned_data.get("qualification") or form.instance.qualification, modules
            ) from exc


def hours_mismatch(qualification, modules: list[dict]) -> DomainError:
    """The service's "hours do not add up", told in the reader's language with the sums (same rule:
    catalogue_services.check_curriculum_hours)."""
    mandatory = [module for module in modules if module.get("mandatory", True)]
    theory = sum(module.get("hours_theory", 0) for module in mandatory)
    practice = sum(module.get("hours_practice", 0) for module in mandatory)
    message = _(
        "The mandatory modules' hours do not add up to the qualification's: theory %(theory)s h of "
        "%(expected_theory)s h, practice %(practice)s h of %(expected_practice)s h."
    ) % {
        "theory": theory,
        "expected_theory": qualification.hours_theory,
        "practice": practice,
        "expected_practice": qualification.hours_practice,
    }
    return DomainError("hours_mismatch", str(message))


# --- accreditations: recorded and decided by the accrediting agent --------------------------------------------


class ConditionInline(PolicyInline):
    model = m.AccreditationCondition
    fields = ["description", "deadline", "met", "met_on"]


@admin.register(m.Accreditation)
class AccreditationAdmin(OwnersAuditTrailMixin, PolicyAdmin):
    """The ministry sees and decides every accreditation; an awarding body (OCN London, Pearson) only those it
    grants, as their agent (its own organisation, set for it). Status changes are the list actions and the
    change page's buttons: grant, grant with conditions, suspend, withdraw, expire (a reason for suspending
    and withdrawing); certificates already issued are never touched (rule 5)."""

    refusals = REFUSALS
    read_permission = "accreditation.record"
    add_permission = "accreditation.record"
    change_permission = "accreditation.record"
    list_scope = "act"
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
    list_filter = ["status", "extent", "kind"]
    search_fields = ["decision_number", "provider__name", "qualification__code"]
    list_select_related = ["provider", "qualification", "agent"]
    readonly_fields = ["status_reason"]
    date_hierarchy = "valid_from"
    inlines = [ConditionInline]
    change_form_template = STATUS_CHANGE_FORM
    transitions = ACCREDITATION_TRANSITIONS
    actions = [
        status_action(AccreditationStatus.GRANTED, _("Grant")),
        status_action(AccreditationStatus.GRANTED_WITH_CONDITIONS, _("Grant with conditions")),
        status_action(AccreditationStatus.SUSPENDED, _("Suspend"), reason_required=True),
        status_action(AccreditationStatus.WITHDRAWN, _("Withdraw"), reason_required=True),
        status_action(AccreditationStatus.EXPIRED, _("Mark expired")),
    ]
    new_statuses = (
        AccreditationStatus.APPLIED,
        AccreditationStatus.GRANTED,
        AccreditationStatus.GRANTED_WITH_CONDITIONS,
    )

    def _own_agent_id(self, request):
        """The awarding body a non-ministry user records for (None: the ministry chooses the agent)."""
        return None if policy.acts_as_ministry(request.user) else policy.acting_organisation_id(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("status")  # changed by the actions, never by editing
        if self._own_agent_id(request) is not None:
            fields.append("agent")
        return fields

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return filters + ["agent"] if self._own_agent_id(request) is None else filters

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        agent_id = self._own_agent_id(request)
        if agent_id is None or obj is not None:
            return form_class

        class OwnAgentForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.instance.agent_id = agent_id  # validated with the party rules like any agent

        return OwnAgentForm

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [(v, label) for v, label in AccreditationStatus.choices if v in self.new_statuses]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        agent_id = self._own_agent_id(request)
        if db_field.name == "provider":
            field.queryset = field.queryset.filter(kind=OrganisationKind.PROVIDER)
        elif db_field.name == "agent":
            field.queryset = field.queryset.filter(kind__in=ACCREDITING_KINDS)
        elif db_field.name == "qualification" and agent_id is not None:
            field.queryset = field.queryset.filter(awarding_body_id=agent_id)  # the party rule, as choices
        return field

    def save_via_service(self, request, form, formsets, change):
        data = self.changed_values(form, change=change)
        municipalities = None
        if not change or "municipalities" in form.changed_data:
            municipalities = list(form.cleaned_data.get("municipalities") or [])
        conditions = None
        if not change or any(formset.has_changed() for formset in formsets):
            conditions = [
                {name: row.cleaned_data[name] for name in ("description", "deadline", "met", "met_on")}
                for formset in formsets
                for row in formset.forms
                if row.cleaned_data and not row.cleaned_data.get("DELETE")
            ]
        if change:
            return accreditation_services.accreditation_update(
                actor=request.user,
                accreditation=self.fresh(form.instance),
                data=data,
                conditions=conditions,
                municipalities=municipalities,
            )
        if (agent_id := self._own_agent_id(request)) is not None:
            data["agent"] = m.Organisation.objects.get(pk=agent_id)
        return accreditation_services.accreditation_create(
            actor=request.user, data=data, conditions=conditions, municipalities=municipalities
        )

    def perform_transition(self, request, obj, target, reason):
        accreditation_services.accreditation_transition(
            actor=request.user, accreditation=obj, status=target, reason=reason
        )


# --- equivalencies: ministry decisions ----------------------------------------------------------------------


EQUIVALENCY_TRANSITIONS = accreditation_services.EQUIVALENCY_TRANSITIONS


@admin.register(m.Equivalency)
class EquivalencyAdmin(CatalogueAdmin):
    add_permission = "equivalency.decide"
    change_permission = "equivalency.decide"
    list_display = ["decision_number", "qualification", "equivalent_to", "decided_on", "status"]
    list_filter = ["status"]
    search_fields = ["decision_number", "qualification__code", "equivalent_to__code"]
    list_select_related = ["qualification", "equivalent_to"]
    readonly_fields = ["status", "status_reason"]
    change_form_template = STATUS_CHANGE_FORM
    transitions = EQUIVALENCY_TRANSITIONS
    actions = [
        status_action(EquivalencyStatus.GRANTED, _("Reinstate")),
        status_action(EquivalencyStatus.SUSPENDED, _("Suspend"), reason_required=True),
        status_action(EquivalencyStatus.WITHDRAWN, _("Withdraw"), reason_required=True),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "decided_by":
            field.queryset = field.queryset.filter(kind__in=DECIDING_KINDS)
        return field

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if (organisation_id := policy.acting_organisation_id(request.user, Role.MINISTRY)) is not None:
            initial.setdefault("decided_by", organisation_id)
        return initial

    def save_model(self, request, obj, form, change):
        data = self.changed_values(form, change=change)
        if change:
            saved = accreditation_services.equivalency_update(
                actor=request.user, equivalency=self.fresh(obj), data=data
            )
        else:
            saved = accreditation_services.equivalency_create(actor=request.user, data=data)
        obj.__dict__.update(saved.__dict__)

    def perform_transition(self, request, obj, target, reason):
        accreditation_services.equivalency_transition(actor=request.user, equivalency=obj, status=target, reason=reason)


# --- the audit trail and background work ---------------------------------------------------------------------


# The apps whose records the audit trail names (API tokens are audited on their user).
AUDITED_APPS = ("auth", "registry", "credentials", "outcomes")


class AuditObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of record, from the installed models: the default filter asked the trail for its distinct
    values, a scan of every entry (70 ms at a million)."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        # The reader's name of each kind of record, its code after it (two models may share a name).
        return sorted(
            (
                (model._meta.label_lower, f"{capfirst(model._meta.verbose_name)} ({model._meta.label_lower})")
                for model in apps.get_models()
                if model._meta.app_label in AUDITED_APPS
            ),
            key=lambda lookup: str(lookup[1]).lower(),
        )

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(m.AuditEntry)
class AuditEntryAdmin(PolicyAdmin):
    """The ministry's (`audit.read`). A million entries and more: counted once per write
    (core.api.pagination), its last page read from the other end; dates filtered by range (a date hierarchy
    asked the whole trail for its distinct years: 0.3 s)."""

    read_permission = "audit.read"
    extra_lookups = ("object_id",)  # the audit trail's "all in the audit log" link names its object
    list_display = ["created_at", "action", "object_type", "object_id", "object_repr", "actor", "organisation"]
    list_filter = ["action", AuditObjectTypeFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["object_repr", "object_id", "reason", "request_id"]
    paginator = ReversiblePaginator
    show_full_result_count = False


@admin.register(m.TaskRecord)
class TaskRecordAdmin(PolicyAdmin):
    """Background work (ADR 0009) and how far it got: an organisation's own tasks, all of them for the
    ministry. The page refreshes nothing by itself; reload it to see the progress."""

    read_permission = "task.read"
    list_display = ["created_at", "kind", "state", "stage", "progress", "organisation", "finished_at"]
    list_filter = ["kind", "state"]
    fields = [
        "kind",
        "state",
        "stage",
        "progress",
        "organisation",
        "owner",
        "result",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    list_select_related = ["organisation"]

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.done} / {obj.total}" if obj.total else str(obj.done)
