"""The back office's workflows for training records and certificates (wired in credentials/admin.py):

- `ImportView`: a learner or results CSV; row errors on the page; a large file runs as a background task.
- `TaskView`: a background task's progress (the page reloads itself while it runs) and its outcome.
- `ResultsGridView`: a cohort's results, learners by modules; one module's results entered for everyone.
- `IssueCertificatesView`: a cohort's dry run (who gets a certificate, who not and why), then the issuance.
- `CertificateActionView`: revoke (the ministry: annul), suspend, reinstate, reissue after a name correction,
  and the ministry's release of its own revocation for a replacement.

Each view finds its record through the access policy (another organisation's answers 404, as a missing one),
refuses a role without the permission (403), and writes only through the services, which check everything
again; a refusal is shown on the page, translated, with nothing written.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from core import policy
from core.errors import DomainError
from credentials import models as m
from credentials import services as svc
from credentials import tasks
from credentials.admin_refusals import describe, describe_error, describe_reason
from credentials.choices import (
    LIVE_CERTIFICATE_STATUSES,
    CertificateStatus,
    EnrolmentStatus,
    ResultOutcome,
    RevocationReason,
    StatusAuthority,
)
from credentials.services import imports
from credentials.services.imports import MAX_BYTES, CsvImportError
from registry.choices import TaskKind, TaskState
from registry.models import TaskRecord

IMPORT_KINDS = (TaskKind.LEARNERS_IMPORT, TaskKind.RESULTS_IMPORT)
ISSUANCE_KINDS = (TaskKind.COHORT_ISSUANCE,)
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AdminPage(View):
    """A page of the admin site for `model_admin`'s model: the site's context, the model's breadcrumbs."""

    model_admin = None
    template_name = ""

    def page(self, request, title, status=200, **context):
        admin_site = self.model_admin.admin_site
        context = {
            **admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": title,
            **context,
        }
        return render(request, self.template_name, context, status=status)


def readable_or_404(user, queryset, pk):
    obj = policy.readable(user, queryset).filter(pk=pk).first()
    if obj is None:
        raise Http404(gettext("No such record among those you may see."))
    return obj


def refusal_messages(exc: DomainError) -> list[str]:
    """The refusal and, for a CSV, none of the row errors (they get a table of their own)."""
    return [describe_error(exc)]


def row_errors(items: list[dict]) -> list[dict]:
    """Row errors (line, field, code, message) with the message in the reader's language; never a value."""
    return [
        {
            "line": e.get("line"),
            "field": e.get("field"),
            "code": e.get("code"),
            "message": describe(e.get("code", ""), e.get("message", "")),
        }
        for e in items
    ]


# --- CSV import ------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            (TaskKind.LEARNERS_IMPORT, _("Learners (and their enrolments)")),
            (TaskKind.RESULTS_IMPORT, _("Module results")),
        ],
        initial=TaskKind.LEARNERS_IMPORT,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("CSV file (UTF-8)"),
        help_text=_("At most 5 MB and 20,000 rows. The first line names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (write nothing)"),
        required=False,
        help_text=_("Every row is checked and counted; nothing is saved."),
    )


class ImportView(AdminPage):
    """All or nothing (docs/csv-import.md): a file with any bad row imports nothing and the page lists every bad
    row (line, column, what is wrong; never the row's values). A file of more rows than BACKGROUND_THRESHOLD runs
    as a background task and the page shows its progress."""

    template_name = "admin/credentials/import.html"
    # The help under the form names the file's columns as the import reads them (the same in every language).
    COLUMNS = {
        "learner_columns": imports.LEARNER_COLUMNS,
        "learner_optional": imports.LEARNER_OPTIONAL,
        "result_columns": imports.RESULT_COLUMNS,
        "result_optional": imports.RESULT_OPTIONAL,
    }

    def page(self, request, title, status=200, **context):
        columns = {name: ", ".join(names) for name, names in self.COLUMNS.items()}
        return super().page(request, title, status, columns=columns, **context)

    def dispatch(self, request, *args, **kwargs):
        if not policy.may(request.user, "training.write"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(request, _("Import from CSV"), form=ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, _("Import from CSV"), form=form, status=400)
        kind, dry_run = form.cleaned_data["kind"], form.cleaned_data["dry_run"]
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_BYTES + 1)  # one byte over is enough to refuse a file that is too large
        service, count = tasks.IMPORTS[kind]
        try:
            provider = policy.acting_provider(request.user)
            rows = count(content)
            if rows > settings.BACKGROUND_THRESHOLD:
                record = tasks.training_import_start(
                    actor=request.user, kind=kind, provider=provider, content=content, dry_run=dry_run, rows=rows
                )
                return HttpResponseRedirect(reverse("admin:credentials_learner_import_task", args=[record.pk]))
            report = service(actor=request.user, provider=provider, content=content, dry_run=dry_run)
        except CsvImportError as exc:
            errors = row_errors(exc.extra.get("row_errors", []))
            return self.page(
                request, _("Import from CSV"), form=ImportForm(initial={"kind": kind}), row_errors=errors, status=400
            )
        except DomainError as exc:
            return self.page(
                request, _("Import from CSV"), form=form, refusals=refusal_messages(exc), status=exc.status_code
            )
        return self.page(
            request, _("Import from CSV"), form=ImportForm(initial={"kind": kind}), report=report.as_dict()
        )


# --- background tasks ------------------------------------------------------------------------------------------


class TaskView(AdminPage):
    """A task's page: its progress while it runs (a small script reloads the page; nothing inline, CSP), then
    its outcome: an import's report or row errors, a cohort issuance's (or its dry run's) lists."""

    template_name = "admin/credentials/task.html"
    kinds: tuple = ()

    def get(self, request, task_id, pk=None):
        if not policy.may(request.user, "task.read"):
            raise PermissionDenied
        records = TaskRecord.objects.defer("payload").filter(kind__in=self.kinds)
        record = readable_or_404(request.user, records, task_id)
        context = {"task": record, "running": record.state in (TaskState.QUEUED, TaskState.RUNNING)}
        if record.kind == TaskKind.COHORT_ISSUANCE:
            cohort = readable_or_404(request.user, m.Cohort.objects.all(), record.params.get("cohort"))
            if pk is not None and cohort.pk != pk:
                raise Http404
            context.update(cohort=cohort, **issuance_context(request, cohort, record.result))
            context["may_confirm"] = policy.may(request.user, "certificate.issue") and policy.may_act(
                request.user, cohort
            )
            title = _("Certificates of cohort %(code)s") % {"code": cohort.code}
        else:
            context["report"] = record.result
            title = _("Import from CSV")
        if record.error:
            context["refusals"] = [describe(record.error.get("code", ""), record.error.get("message", ""))]
            context["row_errors"] = row_errors(record.error.get("row_errors", []))
        if record.total:
            context["percent"] = min(100, round(100 * record.done / record.total))
        return self.page(request, title, **context)


# --- results grid ----------------------------------------------------------------------------------------------


class ResultRowForm(forms.Form):
    """One learner's result in one module."""

    hours_theory = forms.IntegerField(label=_("Hours of theory"), min_value=0, required=False)
    hours_practice = forms.IntegerField(label=_("Hours of practice"), min_value=0, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[])
    assessed_on = forms.DateField(
        label=_("Assessed on"), required=False, input_formats=DATE_FORMATS, widget=date_input()
    )
    assessor = forms.CharField(label=_("Assessor"), required=False, max_length=255)

    def __init__(self, *args, module=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (ResultOutcome.PENDING, _("Pending")),
            (ResultOutcome.PASS, _("Pass")),
            (ResultOutcome.FAIL, _("Fail")),
        ]
        self.fields["hours_theory"].widget.attrs.update(max=module.hours_theory, size=4)
        self.fields["hours_practice"].widget.attrs.update(max=module.hours_practice, size=4)


RESULT_FIELDS = ("hours_theory", "hours_practice", "outcome", "assessed_on", "assessor")


def _values(result) -> dict:
    if result is None:
        return {
            "hours_theory": 0,
            "hours_practice": 0,
            "outcome": ResultOutcome.PENDING,
            "assessed_on": None,
            "assessor": "",
        }
    return {name: getattr(result, name) for name in RESULT_FIELDS}


class ResultsGridView(AdminPage):
    """Learners by modules. Click a module's code to enter that module's results for the whole cohort: every
    changed row is recorded by `module_result_record` in one transaction, all or nothing."""

    template_name = "admin/credentials/results_grid.html"

    def setup_cohort(self, request, pk):
        cohort = readable_or_404(request.user, m.Cohort.objects.select_related("curriculum", "provider"), pk)
        self.cohort = cohort
        self.may_edit = policy.may(request.user, "training.write") and policy.may_act(request.user, cohort)
        self.modules = list(cohort.curriculum.modules.order_by("order", "code"))
        self.enrolments = list(
            m.Enrolment.objects.filter(cohort=cohort)
            .select_related("learner")
            .prefetch_related("results")
            .order_by("learner__family_name", "learner__given_name", "pk")
        )
        certified = set(
            m.Certificate.objects.filter(enrolment__cohort=cohort, status__in=LIVE_CERTIFICATE_STATUSES).values_list(
                "enrolment_id", flat=True
            )
        )
        for e in self.enrolments:
            e.certified = e.pk in certified
            e.locked = e.certified or e.status == EnrolmentStatus.WITHDRAWN
            e.by_module = {r.module_id: r for r in e.results.all()}

    def module_from(self, request):
        code = request.GET.get("module")
        if not code:
            return None
        for module in self.modules:
            if module.code == code:
                return module
        raise Http404(gettext("No module with this code in the cohort's curriculum."))

    def rows(self, module, data=None):
        rows = []
        for e in self.enrolments:
            initial = _values(e.by_module.get(module.pk))
            posted = data is not None and f"e{e.pk}-outcome" in data  # a row left out of the POST is unchanged
            form = ResultRowForm(data if posted else None, prefix=f"e{e.pk}", initial=initial, module=module)
            if e.locked:
                for field in form.fields.values():
                    field.disabled = True
            rows.append({"enrolment": e, "form": form, "initial": initial})
        return rows

    def get(self, request, pk):
        self.setup_cohort(request, pk)
        module = self.module_from(request)
        if module is None:
            grid = [
                {"enrolment": e, "cells": [e.by_module.get(mod.pk) for mod in self.modules]} for e in self.enrolments
            ]
            return self.page(
                request, self.title(), cohort=self.cohort, modules=self.modules, grid=grid, may_edit=self.may_edit
            )
        if not self.may_edit:
            raise PermissionDenied
        return self.edit_page(request, module, self.rows(module))

    def title(self, module=None):
        if module is None:
            return _("Results of cohort %(code)s") % {"code": self.cohort.code}
        return _("Results of cohort %(cohort)s in module %(module)s") % {
            "cohort": self.cohort.code,
            "module": module.code,
        }

    def edit_page(self, request, module, rows, status=200, **context):
        return self.page(
            request,
            self.title(module),
            cohort=self.cohort,
            module=module,
            rows=rows,
            editing=True,
            status=status,
            **context,
        )

    def post(self, request, pk):
        self.setup_cohort(request, pk)
        module = self.module_from(request)
        if module is None or not self.may_edit:
            raise PermissionDenied if module is not None else Http404
        rows = self.rows(module, request.POST)
        posted = [row for row in rows if row["form"].is_bound and not row["enrolment"].locked]
        if not all(row["form"].is_valid() for row in posted):
            return self.edit_page(request, module, rows, status=400)
        changed = [
            row
            for row in posted
            if any(row["form"].cleaned_data[name] != row["initial"][name] for name in RESULT_FIELDS)
        ]
        refused = 0
        with transaction.atomic():
            for row in changed:
                data = dict(row["form"].cleaned_data)
                data["hours_theory"] = data["hours_theory"] or 0
                data["hours_practice"] = data["hours_practice"] or 0
                try:
                    svc.module_result_record(actor=request.user, enrolment=row["enrolment"], module=module, data=data)
                except DomainError as exc:
                    refused += 1
                    row["form"].add_error(None, describe_error(exc))
                    for name in exc.fields:
                        if name in row["form"].fields:
                            row["form"].add_error(name, "")
            if refused:
                transaction.set_rollback(True)
        if refused:
            return self.edit_page(request, module, rows, status=400, refused=refused)
        messages.success(
            request,
            _("%(count)s result(s) of module %(module)s recorded.") % {"count": len(changed), "module": module.code},
        )
        return HttpResponseRedirect(reverse("admin:credentials_cohort_results", args=[self.cohort.pk]))


# --- cohort issuance -------------------------------------------------------------------------------------------


class AwardDateForm(forms.Form):
    awarded_on = forms.DateField(label=_("Award date"), input_formats=DATE_FORMATS, widget=date_input(), required=False)

    def clean_awarded_on(self):
        day = self.cleaned_data.get("awarded_on") or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(describe("award_date_in_future"))
        return day


def issuance_context(request, cohort, result: dict | None) -> dict:
    """The lists of a cohort issuance's answer (`CohortIssueResult.as_dict()`), ready for the page."""
    if not result:
        return {}
    return {
        "result": result,
        "refused": [
            {**entry, "reasons": [describe_reason(r) for r in entry.get("reasons", [])]}
            for entry in result.get("refused", [])
        ],
        "certificate_url": reverse("admin:credentials_certificate_changelist"),
    }


class IssueCertificatesView(AdminPage):
    """GET: the dry run for an award date (who would get a certificate, who already has one, whose certificate
    was revoked, who is not eligible and why). POST: issue, then the list of certificates issued. A cohort of more
    enrolments than BACKGROUND_THRESHOLD runs both as background tasks."""

    template_name = "admin/credentials/issue.html"

    def dispatch(self, request, pk, *args, **kwargs):
        self.cohort = readable_or_404(request.user, m.Cohort.objects.select_related("curriculum__qualification"), pk)
        if not (policy.may(request.user, "certificate.issue") and policy.may_act(request.user, self.cohort)):
            raise PermissionDenied
        self.large = self.cohort.enrolments.count() > settings.BACKGROUND_THRESHOLD
        return super().dispatch(request, pk, *args, **kwargs)

    def title(self):
        return _("Issue the certificates of cohort %(code)s") % {"code": self.cohort.code}

    def get(self, request, pk):
        form = AwardDateForm(request.GET or None)
        if request.GET and not form.is_valid():
            return self.page(request, self.title(), cohort=self.cohort, form=form, status=400)
        if self.large:
            return self.page(request, self.title(), cohort=self.cohort, form=form or AwardDateForm(), large=True)
        awarded_on = form.cleaned_data["awarded_on"] if request.GET else timezone.localdate()
        form = AwardDateForm(initial={"awarded_on": awarded_on})
        try:
            result = svc.cohort_issue_certificates(
                actor=request.user, cohort=self.cohort, awarded_on=awarded_on, dry_run=True
            )
        except DomainError as exc:
            return self.page(
                request,
                self.title(),
                cohort=self.cohort,
                form=form,
                refusals=refusal_messages(exc),
                status=exc.status_code,
            )
        context = issuance_context(request, self.cohort, result.as_dict())
        return self.page(request, self.title(), cohort=self.cohort, form=form, awarded_on=awarded_on, **context)

    def post(self, request, pk):
        form = AwardDateForm(request.POST)
        if not form.is_valid():
            return self.page(request, self.title(), cohort=self.cohort, form=form, status=400)
        awarded_on = form.cleaned_data["awarded_on"]
        dry_run = request.POST.get("action") == "preview"
        try:
            if self.large:
                record = tasks.cohort_issuance_start(
                    actor=request.user, cohort=self.cohort, awarded_on=awarded_on, dry_run=dry_run
                )
                return HttpResponseRedirect(
                    reverse("admin:credentials_cohort_issue_task", args=[self.cohort.pk, record.pk])
                )
            if dry_run:
                return HttpResponseRedirect(
                    reverse("admin:credentials_cohort_issue", args=[self.cohort.pk])
                    + f"?awarded_on={awarded_on.isoformat()}"
                )
            result = svc.cohort_issue_certificates(actor=request.user, cohort=self.cohort, awarded_on=awarded_on)
        except DomainError as exc:
            return self.page(
                request,
                self.title(),
                cohort=self.cohort,
                form=form,
                refusals=refusal_messages(exc),
                status=exc.status_code,
            )
        if result.issued:
            messages.success(request, _("%(count)s certificate(s) issued.") % {"count": len(result.issued)})
        else:
            messages.warning(request, _("No certificate was issued."))
        context = issuance_context(request, self.cohort, result.as_dict())
        return self.page(
            request,
            self.title(),
            cohort=self.cohort,
            form=AwardDateForm(initial={"awarded_on": awarded_on}),
            awarded_on=awarded_on,
            **context,
        )


def cohort_tools(request, cohort) -> dict:
    """The buttons of a cohort's page: results, issuance, downloads (only what the user may use)."""
    user = request.user
    tools = [(_("Results"), reverse("admin:credentials_cohort_results", args=[cohort.pk]))]
    if policy.may(user, "certificate.issue") and policy.may_act(user, cohort):
        tools.append((_("Issue certificates"), reverse("admin:credentials_cohort_issue", args=[cohort.pk])))
    has_valid = policy.readable(
        user, m.Certificate.objects.filter(enrolment__cohort=cohort, status=CertificateStatus.VALID)
    ).exists()
    if has_valid and policy.may(user, "training.read"):
        tools.append((_("Download certificates (ZIP)"), reverse("cohort-certificates-zip", args=[cohort.pk])))
        tools.append((_("Print certificates (one PDF)"), reverse("cohort-certificates-pdf", args=[cohort.pk])))
    return {"cohort_tools": tools}


# --- certificate workflows -------------------------------------------------------------------------------------


REASON_LABELS = {
    RevocationReason.ISSUED_IN_ERROR: _("Issued in error"),
    RevocationReason.FRAUD: _("Fraud"),
    RevocationReason.ANNULMENT_DECISION: _("Annulment decision"),
    RevocationReason.COURT_ORDER: _("Court order"),
    RevocationReason.OTHER: _("Other"),
}


class ReasonForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=[])
    reference = forms.CharField(
        label=_("Reference of the decision"), max_length=255, help_text=_("Case, decision or letter number.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = list(REASON_LABELS.items())


class SuspendForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = False


class ReferenceForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the decision"), max_length=255, required=False)


class ReleaseForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the decision"), max_length=255)


class ReissueForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100, help_text=_("As on the ID card."))
    family_name = forms.CharField(label=_("Family name"), max_length=100, help_text=_("As on the ID card."))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


STATUS_LABELS = {
    CertificateStatus.VALID: _("valid"),
    CertificateStatus.SUSPENDED: _("suspended"),
    CertificateStatus.REVOKED: _("revoked"),
    CertificateStatus.SUPERSEDED: _("superseded"),
}

# The choices' labels as a person reads them (the choice classes keep English labels: the API's schema and the
# statistics use them).
CHOICE_LABELS = {
    "gender": {"female": _("Female"), "male": _("Male"), "other": _("Other"), "undisclosed": _("Not disclosed")},
    "delivery_mode": {"in_person": _("In person"), "online": _("Online"), "hybrid": _("Hybrid")},
    "cohort_status": {"planned": _("Planned"), "running": _("Running"), "finished": _("Finished")},
    "enrolment_status": {"active": _("Active"), "completed": _("Completed"), "withdrawn": _("Withdrawn")},
    "outcome": {"pending": _("Pending"), "pass": _("Pass"), "fail": _("Fail")},
}


# action: (permission, form, service, statuses it applies to, button label)
ACTIONS = {
    "revoke": ("certificate.change_status", ReasonForm, svc.certificate_revoke, LIVE_CERTIFICATE_STATUSES, _("Revoke")),
    "suspend": (
        "certificate.change_status",
        SuspendForm,
        svc.certificate_suspend,
        (CertificateStatus.VALID,),
        _("Suspend"),
    ),
    "reinstate": (
        "certificate.change_status",
        ReferenceForm,
        svc.certificate_reinstate,
        (CertificateStatus.SUSPENDED,),
        _("Reinstate"),
    ),
    "reissue": (
        "certificate.reissue",
        ReissueForm,
        svc.certificate_reissue,
        LIVE_CERTIFICATE_STATUSES,
        _("Reissue (correct the name)"),
    ),
    "allow-replacement": (
        "certificate.change_status",
        ReleaseForm,
        svc.certificate_allow_replacement,
        (CertificateStatus.REVOKED,),
        _("Allow a replacement"),
    ),
}
ACTION_HELP = {
    "revoke": _("Revocation is final: the certificate verifies as revoked from now on. It is never deleted."),
    "suspend": _("The certificate verifies as suspended until it is reinstated or revoked."),
    "reinstate": _("The certificate verifies as valid again."),
    "reissue": _(
        "A new certificate with a new serial number and the corrected name supersedes this one, which then "
        "verifies as superseded. What else was printed stays as it was awarded."
    ),
    "allow-replacement": _(
        "The certificate stays revoked; its provider may then issue a new certificate that names it."
    ),
}


def _label(action: str, user):
    if action == "revoke" and policy.acts_as_ministry(user):
        return _("Annul (revoke)")
    return ACTIONS[action][4]


def available_actions(user, certificate) -> list[str]:
    """The workflows a button is shown for: the role has the permission, the record is the user's to act on, its
    status allows it. (The services decide; a hidden button is only a convenience.)"""
    names = []
    for name, (permission, _form, _service, statuses, _title) in ACTIONS.items():
        if certificate.status not in statuses or not policy.may(user, permission):
            continue
        if not policy.may_act(user, certificate):
            continue
        if (
            certificate.status != CertificateStatus.VALID
            and certificate.status_authority == StatusAuthority.MINISTRY
            and not policy.acts_as_ministry(user)
        ):
            continue  # the ministry's decision stands: the services would refuse (decided_by_ministry)
        if name == "allow-replacement" and not (
            policy.acts_as_ministry(user) and certificate.status_authority == StatusAuthority.MINISTRY
        ):
            continue
        names.append(name)
    return names


def certificate_tools(request, certificate) -> dict:
    user = request.user
    tools = [
        (_label(name, user), reverse("admin:credentials_certificate_action", args=[certificate.pk, name]))
        for name in available_actions(user, certificate)
    ]
    # The PDF prints the transcript (results): for the provider that keeps them and the ministry only (the API's rule).
    if policy.may(user, "certificate.transcript") and policy.may_read(user, certificate):
        tools.append((_("Download PDF"), reverse("certificate-pdf", args=[certificate.pk])))
    if policy.may(user, "verification.history"):
        url = reverse("admin:credentials_verificationevent_changelist") + f"?certificate__id__exact={certificate.pk}"
        tools.append((_("Verification history"), url))
    return {"certificate_tools": tools}


class CertificateActionView(AdminPage):
    template_name = "admin/credentials/certificate_action.html"

    def dispatch(self, request, pk, action, *args, **kwargs):
        pk = int(pk)
        if action not in ACTIONS:
            raise Http404
        self.action = action
        self.permission, self.form_class, self.service, _statuses, _title = ACTIONS[action]
        self.certificate = readable_or_404(request.user, m.Certificate.objects.select_related("qualification"), pk)
        if not policy.may(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, pk, action, *args, **kwargs)

    def show(self, request, form, status=200, **context):
        title = _("%(action)s certificate %(serial)s") % {
            "action": _label(self.action, request.user),
            "serial": self.certificate.serial_number,
        }
        return self.page(
            request,
            title,
            status=status,
            form=form,
            certificate=self.certificate,
            action=self.action,
            action_label=_label(self.action, request.user),
            help=ACTION_HELP[self.action],
            **context,
        )

    def get(self, request, pk, action):
        initial = {}
        if action == "reissue":
            holder = self.certificate.snapshot.get("holder", {})
            initial = {"given_name": holder.get("given_name", ""), "family_name": holder.get("family_name", "")}
        return self.show(request, self.form_class(initial=initial))

    def post(self, request, pk, action):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.show(request, form, status=400)
        try:
            done = self.service(actor=request.user, certificate=self.certificate, **form.cleaned_data)
        except DomainError as exc:
            return self.show(request, form, status=exc.status_code, refusals=refusal_messages(exc))
        if action == "reissue":
            messages.success(
                request,
                _("Certificate %(new)s issued; %(old)s is superseded.")
                % {"new": done.serial_number, "old": self.certificate.serial_number},
            )
        else:
            messages.success(
                request,
                _("Certificate %(serial)s is now %(status)s.")
                % {"serial": done.serial_number, "status": STATUS_LABELS[done.status]},
            )
        return HttpResponseRedirect(reverse("admin:credentials_certificate_change", args=[done.pk]))
