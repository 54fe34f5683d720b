"""The back office for training records and certificates (issue #12): a provider keeps its learners, cohorts,
enrolments and results, imports them from CSV, previews and issues a cohort's certificates, and revokes,
suspends, reinstates and reissues them; the ministry reads everything and annuls (revokes) any certificate; an
awarding body reads the certificates issued under its accreditations.

Built on the frame in core/admin.py (`PolicyAdmin`: lists, pages and buttons from core.policy). Here:
- **Every save is a service call** (`RegistryAdmin.save_model` -> `service_save`): the form parses and
  type-checks the fields, then the service (credentials.services) applies the rules, writes and audits, inside
  the admin's transaction. A refusal shows on the form, translated (credentials.admin_refusals), and nothing
  is written (core.admin's frame).
- **Workflows** (CSV import, results grid, cohort issuance with its dry run, certificate status changes, task
  progress) are views of their own in credentials.admin_views, wired under each model's admin URLs.
- **Nothing is deleted** (PolicyAdmin refuses every delete) and Django's own admin log is not written: the
  services' audit trail is the record (it names personal-data fields without their values; Django's log would
  keep a learner's name as the object's label). A page's "history" opens its audit trail.
- **Personal data** (personal number, date of birth, results, e-mail) is on the learner's and the result's
  pages, which only the owning provider and the ministry can open; never in a list column others see.
- **URL lookups** are limited to the filters each list offers (`ScopedLookupsMixin`): nobody filters a list on
  a field it does not show (a certificate's frozen results, say) to learn something one bit at a time.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.urls import path, re_path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import policy
from core.admin import PolicyAdmin
from core.api.pagination import ReversiblePaginator
from core.errors import DomainError
from credentials import admin_views as views
from credentials import models as m
from credentials import services as svc
from credentials.admin_refusals import describe_error
from credentials.choices import StatusAuthority
from registry.admin import OwnersAuditTrailMixin
from registry.models import CurriculumModule

# --- the pieces every admin here shares -------------------------------------------------------------------------


def translated(exc: DomainError) -> DomainError:
    """The service's refusal with its message in the reader's language, for the frame to show on the form."""
    return DomainError(exc.code, describe_error(exc), status_code=exc.status_code)


class ScopedLookupsMixin:
    """Only the lookups this list offers as filters (and `extra_lookups`) may appear in its URL; any other
    (`?snapshot__modules__0__outcome=fail`, `?learner__personal_number__startswith=11`) is refused (400)."""

    extra_lookups: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        allowed = set(self.extra_lookups)
        if self.date_hierarchy:
            allowed.add(self.date_hierarchy)
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                allowed.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                allowed.add(item[0])
            else:
                allowed.add(item)
        first = lookup.split(LOOKUP_SEP)[0]
        if first not in {name.split(LOOKUP_SEP)[0] for name in allowed}:
            return False
        return super().lookup_allowed(lookup, value, request)


class RegistryAdmin(ScopedLookupsMixin, OwnersAuditTrailMixin, PolicyAdmin):
    """Training records and certificates: scoped by the policy, saved by the services, never deleted.

    `service_save(request, obj, form, change)` returns what the service saved (`obj` holds the form's values,
    `self.fresh(obj)` the stored record); its refusal is shown on the form, translated (core.admin's frame
    rolls the save back and shows the form again)."""

    show_full_result_count = False  # "N results (M total)" would cost a second count over the whole scope
    paginator = ReversiblePaginator  # counted once per write (core.api.pagination), the last page from the other end
    change_form_template = "admin/policy_change_form.html"

    def service_save(self, request, obj, form, change):
        raise NotImplementedError

    def choice_labels(self, field_name: str) -> dict:
        key = f"{self.opts.model_name}_{field_name}" if field_name == "status" else field_name
        return views.CHOICE_LABELS.get(key, {})

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        labels = self.choice_labels(db_field.name)
        if labels:
            field.choices = [(value, labels.get(value, label)) for value, label in field.choices]
        return field

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return self.choice_labels("status").get(obj.status, obj.status)

    def save_model(self, request, obj, form, change):
        try:
            saved = self.service_save(request, obj, form, change)
        except DomainError as exc:
            raise translated(exc) from None
        if saved is not obj:
            obj.__dict__.update(saved.__dict__)  # the admin redirects to (and names) this object

    # The audit trail (written by the services) is the record; Django's admin log would keep a learner's name
    # as the object's label, and duplicate it.
    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def history_view(self, request, object_id, extra_context=None):
        """The audit trail is the history: open the record's page (which checks who may read it) at it."""
        info = (self.opts.app_label, self.opts.model_name)
        return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_change", args=[object_id]) + "#audit-trail")


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A foreign-key filter that offers only the related records present in the (scoped) list: another
    provider's cohorts never appear among the choices."""


# --- learners -------------------------------------------------------------------------------------------------


class EnrolmentInline(admin.TabularInline):
    """The learner's enrolments, read here (each opens its own page)."""

    model = m.Enrolment
    fields = ["cohort", "status", "enrolled_on", "completed_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return policy.readable(request.user, super().get_queryset(request)).select_related("cohort")

    def has_view_permission(self, request, obj=None):
        return policy.may(request.user, "training.read")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


LEARNER_FIELDS = ["given_name", "family_name", "date_of_birth", "personal_number", "gender", "municipality", "email"]


@admin.register(m.Learner)
class LearnerAdmin(RegistryAdmin):
    read_permission = "training.read"
    add_permission = "training.write"
    change_permission = "training.write"
    fields = LEARNER_FIELDS
    search_fields = ["family_name", "given_name", "=personal_number"]
    list_select_related = ["provider", "municipality"]
    list_filter = ["gender", ("municipality", ScopedRelatedFilter)]
    ordering = ["family_name", "given_name", "id"]
    change_list_template = "admin/credentials/learner/change_list.html"

    def get_inlines(self, request, obj):
        return [EnrolmentInline] if obj is not None else []

    def get_list_display(self, request):
        # Names and municipality only: the personal number and date of birth are on the learner's own page.
        columns = ["family_name", "given_name", "municipality"]
        return [*columns, "provider"] if policy.acts_as_ministry(request.user) else columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, ("provider", ScopedRelatedFilter)] if policy.acts_as_ministry(request.user) else filters

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "provider"] if obj is not None else fields

    def get_fields(self, request, obj=None):
        return [*LEARNER_FIELDS, "provider"] if obj is not None else LEARNER_FIELDS

    def service_save(self, request, obj, form, change):
        data = self.changed_values(form, change=change)
        if change:
            return svc.learner_update(actor=request.user, learner=self.fresh(obj), data=data)
        return svc.learner_create(actor=request.user, provider=policy.acting_provider(request.user), data=data)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(views.ImportView.as_view(model_admin=self)), name="credentials_learner_import"),
            path(
                "import/<uuid:task_id>/",
                wrap(views.TaskView.as_view(model_admin=self, kinds=views.IMPORT_KINDS)),
                name="credentials_learner_import_task",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        may_import = policy.may(request.user, "training.write") and policy.acting_organisation_id(request.user)
        return super().changelist_view(request, {**(extra_context or {}), "may_import": bool(may_import)})


# --- cohorts --------------------------------------------------------------------------------------------------


class MentorsField(forms.CharField):
    """The cohort's mentors, one name per line (stored as a list of names)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


COHORT_FIELDS = ["code", "name", "curriculum", "start_date", "end_date", "delivery_mode", "municipality", "mentors"]


class CohortForm(forms.ModelForm):
    mentors = MentorsField(required=False, label=_("Mentors"), help_text=_("One name per line."))

    class Meta:
        model = m.Cohort
        fields = [*COHORT_FIELDS, "status"]


@admin.register(m.Cohort)
class CohortAdmin(RegistryAdmin):
    read_permission = "training.read"
    add_permission = "training.write"
    change_permission = "training.write"
    form = CohortForm
    search_fields = ["code", "name"]
    list_select_related = ["provider", "curriculum__qualification", "municipality"]
    list_filter = ["status", "delivery_mode", ("municipality", ScopedRelatedFilter)]
    change_form_template = "admin/credentials/cohort/change_form.html"

    def get_list_display(self, request):
        columns = ["code", "name", "curriculum", "delivery_label", "municipality", "start_date", "end_date"]
        columns.append("status_label")
        return [*columns, "provider"] if policy.acts_as_ministry(request.user) else columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, ("provider", ScopedRelatedFilter)] if policy.acts_as_ministry(request.user) else filters

    def get_fields(self, request, obj=None):
        return [*COHORT_FIELDS, "status", "provider"] if obj is not None else COHORT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "provider"] if obj is not None else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "curriculum" and field is not None:
            field.queryset = field.queryset.select_related("qualification")
        return field

    @admin.display(description=_("delivery mode"), ordering="delivery_mode")
    def delivery_label(self, obj):
        return self.choice_labels("delivery_mode").get(obj.delivery_mode, obj.delivery_mode)

    def service_save(self, request, obj, form, change):
        data = self.changed_values(form, change=change)
        if change:
            return svc.cohort_update(actor=request.user, cohort=self.fresh(obj), data=data)
        return svc.cohort_create(actor=request.user, provider=policy.acting_provider(request.user), data=data)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = views.cohort_tools(request, obj) if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/results/",
                wrap(views.ResultsGridView.as_view(model_admin=self)),
                name="credentials_cohort_results",
            ),
            path(
                "<int:pk>/issue/",
                wrap(views.IssueCertificatesView.as_view(model_admin=self)),
                name="credentials_cohort_issue",
            ),
            path(
                "<int:pk>/issue/<uuid:task_id>/",
                wrap(views.TaskView.as_view(model_admin=self, kinds=views.ISSUANCE_KINDS)),
                name="credentials_cohort_issue_task",
            ),
            *super().get_urls(),
        ]


# --- enrolments -----------------------------------------------------------------------------------------------


class ModuleResultInline(admin.TabularInline):
    """The enrolment's results, read here; recorded in the cohort's results grid (or by CSV)."""

    model = m.ModuleResult
    fields = ["module", "hours_theory", "hours_practice", "outcome", "assessed_on", "assessor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return policy.readable(request.user, super().get_queryset(request)).select_related("module")

    def has_view_permission(self, request, obj=None):
        return policy.may(request.user, "training.read")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EnrolmentForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=255, help_text=_("Why the status changes (kept in the audit).")
    )

    class Meta:
        model = m.Enrolment
        fields = ["learner", "cohort", "enrolled_on", "status"]


@admin.register(m.Enrolment)
class EnrolmentAdmin(RegistryAdmin):
    read_permission = "training.read"
    add_permission = "training.write"
    change_permission = "training.write"
    form = EnrolmentForm
    list_display = ["learner", "cohort", "status_label", "enrolled_on", "completed_on"]
    list_filter = ["status", ("cohort", ScopedRelatedFilter)]
    search_fields = ["learner__family_name", "learner__given_name", "cohort__code"]
    list_select_related = ["learner", "cohort"]
    autocomplete_fields = ["learner"]
    inlines = [ModuleResultInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["learner", "cohort", "enrolled_on"]
        fields = ["learner", "cohort", "enrolled_on", "completed_on", "status"]
        # The reason is a form field for the status change: a reader who may not change it sees no empty "reason".
        return [*fields, "reason"] if self.has_change_permission(request, obj) else fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "learner", "cohort", "enrolled_on", "completed_on"] if obj is not None else fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("cohort", "learner") and field is not None:
            field.queryset = policy.actionable(request.user, field.queryset)  # enrol only into your own cohorts
        return field

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            return svc.enrolment_create(
                actor=request.user, cohort=data["cohort"], learner=data["learner"], enrolled_on=data["enrolled_on"]
            )
        stored = self.fresh(obj)
        if data["status"] == stored.status:
            return stored
        return svc.enrolment_transition(
            actor=request.user, enrolment=stored, status=data["status"], reason=data.get("reason", "")
        )


# --- module results -------------------------------------------------------------------------------------------


class ModuleCodeFilter(SimpleListFilter):
    """Results by module code (M1, M2 ...), over the modules of the curricula of the cohorts in your scope."""

    title = _("module")
    parameter_name = "module_code"

    def lookups(self, request, model_admin):
        cohorts = policy.readable(request.user, m.Cohort.objects.all())
        codes = (
            CurriculumModule.objects.filter(curriculum__cohorts__in=cohorts)
            .order_by("order", "code")
            .values_list("code", flat=True)
            .distinct()
        )
        seen: dict[str, None] = {}
        for code in codes:
            seen.setdefault(code)
        return [(code, code) for code in seen]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(module__code=value) if value else queryset


RESULT_FIELDS = ["hours_theory", "hours_practice", "outcome", "assessed_on", "assessor"]


@admin.register(m.ModuleResult)
class ModuleResultAdmin(RegistryAdmin):
    """Results are personal data: only the provider that keeps them and the ministry open this list (policy)."""

    read_permission = "training.read"
    change_permission = "training.write"  # corrections; new results come through the grid or a CSV
    list_display = ["learner_name", "cohort_code", "module_code", "outcome_label", "hours_theory", "hours_practice"]
    list_filter = [ModuleCodeFilter, "outcome", ("enrolment__cohort", ScopedRelatedFilter)]
    search_fields = ["module__code", "enrolment__learner__family_name", "enrolment__learner__given_name"]
    list_select_related = ["enrolment__learner", "enrolment__cohort", "module"]
    ordering = ["enrolment__cohort", "enrolment__learner__family_name", "module__order", "id"]

    def get_fields(self, request, obj=None):
        return ["enrolment", "module", *RESULT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "enrolment", "module"]

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_label(self, obj):
        return self.choice_labels("outcome").get(obj.outcome, obj.outcome)

    @admin.display(description=_("learner"), ordering="enrolment__learner__family_name")
    def learner_name(self, obj):
        return obj.enrolment.learner.full_name

    @admin.display(description=_("cohort"), ordering="enrolment__cohort__code")
    def cohort_code(self, obj):
        return obj.enrolment.cohort.code

    @admin.display(description=_("module"), ordering="module__order")
    def module_code(self, obj):
        return obj.module.code

    def service_save(self, request, obj, form, change):
        stored = self.fresh(obj)
        data = self.changed_values(form, change=change)
        saved, _created = svc.module_result_record(
            actor=request.user, enrolment=stored.enrolment, module=stored.module, data=data
        )
        return saved


# --- certificates ---------------------------------------------------------------------------------------------

CERTIFICATE_FIELDS = [
    "serial_number",
    "verification_id",
    "holder_name",
    "qualification",
    "provider",
    "awarding_body",
    "accreditation",
    "equivalency",
    "awarded_on",
    "issued_on",
    "status_label",
    "decided_by",
    "reason_label",
    "status_reference",
    "status_changed_at",
    "supersedes",
    "superseded_by_link",
    "replaces_revoked",
]
# Only for whoever keeps the learner's record (the provider, the ministry): links into the training records.
TRAINING_LINKS = ["learner", "enrolment"]


@admin.register(m.Certificate)
class CertificateAdmin(RegistryAdmin):
    """Certificates are read here and changed only by their workflows (revoke, suspend, reinstate, reissue),
    each a service that ranks the ministry above the provider. Never edited, never deleted."""

    read_permission = "certificate.read"
    list_display = [
        "serial_number",
        "holder_name",
        "qualification",
        "provider",
        "status_label",
        "awarded_on",
        "issued_on",
    ]
    list_filter = ["status", "status_authority", ("qualification", ScopedRelatedFilter)]
    search_fields = ["=serial_number", "=verification_id", "holder_name"]
    list_select_related = ["qualification", "provider"]
    date_hierarchy = "issued_on"
    change_form_template = "admin/credentials/certificate/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is not None and (policy.acts_as_ministry(request.user) or policy.may_act(request.user, obj)):
            return [*CERTIFICATE_FIELDS, *TRAINING_LINKS]
        return CERTIFICATE_FIELDS

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return views.STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description=_("decided by"))
    def decided_by(self, obj):
        if obj.status_authority == StatusAuthority.MINISTRY:
            return _("the ministry (only the ministry can change this status)")
        return _("the provider")

    @admin.display(description=_("reason"))
    def reason_label(self, obj):
        return views.REASON_LABELS.get(obj.status_reason_code, obj.status_reason_code) or "-"

    @admin.display(description=_("superseded by"))
    def superseded_by_link(self, obj):
        newer = m.Certificate.objects.filter(supersedes=obj).only("pk", "serial_number").first()
        if newer is None:
            return "-"
        url = reverse("admin:credentials_certificate_change", args=[newer.pk])
        return format_html('<a href="{}">{}</a>', url, newer.serial_number)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.get_fields(request, obj)]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return (
            [*filters, ("provider", ScopedRelatedFilter)]
            if not policy.acting_organisation_id(request.user, policy.PROVIDER)
            else filters
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = views.certificate_tools(request, obj) if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            re_path(
                rf"^(?P<pk>[0-9]+)/(?P<action>{'|'.join(views.ACTIONS)})/$",
                wrap(views.CertificateActionView.as_view(model_admin=self)),
                name="credentials_certificate_action",
            ),
            *super().get_urls(),
        ]


# --- verification history --------------------------------------------------------------------------------------


@admin.register(m.VerificationEvent)
class VerificationEventAdmin(ScopedLookupsMixin, PolicyAdmin):
    """Who verified which certificate, when, how and with what outcome: a provider its certificates', an awarding
    body those under its accreditations, a verifier its own, the ministry all. Millions of rows: counted once per
    write (core.api.pagination), the last page read from the other end. No client address, even hashed."""

    read_permission = "verification.history"
    list_display = ["created_at", "outcome", "channel", "verifier_organisation", "certificate_link"]
    list_filter = ["outcome", "channel"]
    extra_lookups = ("certificate", "certificate__id__exact")
    paginator = ReversiblePaginator
    show_full_result_count = False
    list_select_related = ["verifier_organisation", "certificate"]
    fields = ["created_at", "outcome", "channel", "verifier_organisation", "certificate", "user_agent_family"]
    readonly_fields = fields

    @admin.display(description=_("certificate"), ordering="certificate__serial_number")
    def certificate_link(self, obj):
        if obj.certificate is None:
            return "-"
        url = reverse("admin:credentials_certificate_change", args=[obj.certificate_id])
        return format_html('<a href="{}">{}</a>', url, obj.certificate.serial_number)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not policy.may(request.user, "certificate.read"):  # a verifier: the serial, not a link it cannot open
            columns[-1] = "certificate"
        return columns


@admin.register(m.SerialCounter)
class SerialCounterAdmin(admin.ModelAdmin):
    """The serial counters: for the operator's own account only (they are the registry's bookkeeping)."""

    list_display = ["qualification", "year", "last_value"]
    list_select_related = ["qualification"]

    def has_module_permission(self, request):
        return policy.is_unrestricted(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.is_unrestricted(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
