"""The admin's audit: every save and delete writes an entry (`AuditedSavesMixin`), and each change page shows
the object's audit trail (`AuditTrailAdminMixin`).

Usage (registry/admin.py, credentials/admin.py ...): put the mixin first in the bases.

    from registry.admin_audit import AuditTrailAdminMixin

    @admin.register(m.Qualification)
    class QualificationAdmin(AuditTrailAdminMixin, AuditedAdmin):
        ...

The change page (never the add page) then ends with a collapsible "Audit trail" section: the object's
latest entries (`audit_trail_limit`, 50 by default), newest first, with time, action, actor and
organisation, the changed fields (before -> after), the reason and the request id, plus a link to all of
them in the audit entry list when AuditEntry is registered in the same admin site. It is read-only and
works with or without declared `fieldsets`. It costs two queries per change page, whatever the trail's
length. Values the services redacted (personal data, see `audit_redact`) show as "[redacted]": the
trail shows that a personal number changed, never what it was.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_changes, audit_snapshot, audit_values, m2m_values, redact
from registry.choices import AuditAction
from registry.models import AuditEntry
from registry.services.audit import audit_record

FIELD = "audit_trail"
MAX_VALUE = 80
ADMIN_REASON = "admin"


class AuditedSavesMixin:
    """Audit every admin write through `audit_record`: an addition with all its fields, a change with the
    fields that changed (many-to-many relations such as groups and permissions as ids), a deletion with what
    was deleted. Personal data appears by field name only (the model's `audit_redact`), found changed by its
    real value. Put it before `admin.ModelAdmin` in the bases."""

    def _audited_relations(self, form, obj) -> list[str]:
        return [f.name for f in obj._meta.many_to_many if f.name in form.fields]

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            original = type(obj)._default_manager.get(pk=obj.pk)
            before = {**audit_values(original), **m2m_values(original, self._audited_relations(form, obj))}
        obj._audit_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Many-to-many relations are saved here, after `save_model`: the entry is written once they are.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", None)
        after = {**audit_values(obj), **m2m_values(obj, self._audited_relations(form, obj))}
        if before is None:
            audit_record(
                actor=request.user,
                action=AuditAction.CREATE,
                instance=obj,
                after=redact(obj, after),
                reason=ADMIN_REASON,
            )
            return
        b, a = audit_changes(obj, before, after)
        if b or a:
            audit_record(
                actor=request.user, action=AuditAction.UPDATE, instance=obj, before=b, after=a, reason=ADMIN_REASON
            )

    def delete_model(self, request, obj):
        # Written first: the object has no primary key once deleted (both happen in the admin's transaction).
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_deletion(self, request, obj):
        audit_record(
            actor=request.user,
            action=AuditAction.DELETE,
            instance=obj,
            before=audit_snapshot(obj),
            reason=ADMIN_REASON,
        )


class AuditTrailAdminMixin:
    """`shows_audit_trail(request, obj)` decides who sees the section (by default anyone who opens the page;
    the back office narrows it to the ministry and the record's owner, registry.admin.OwnersAuditTrailMixin)."""

    audit_trail_limit = 50

    def shows_audit_trail(self, request, obj) -> bool:
        return obj is not None

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.shows_audit_trail(request, obj) and FIELD not in fields:
            fields.append(FIELD)
        return fields

    def get_fields(self, request, obj=None):
        # Keep it out of the default fieldset: it gets its own section at the end.
        return [name for name in super().get_fields(request, obj) if name != FIELD]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options.get("fields", ()) if f != FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if not self.shows_audit_trail(request, obj):
            return fieldsets
        return [*fieldsets, (_("Audit trail"), {"classes": ["collapse"], "fields": [FIELD]})]

    @admin.display(description=_("Audit trail"))
    def audit_trail(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        total = entries.count()
        if not total:
            return _("No audit entries.")
        latest = entries.select_related("actor", "organisation").order_by("-created_at", "-id")[
            : self.audit_trail_limit
        ]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            (
                (
                    entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    entry.get_action_display(),
                    entry.actor.get_username() if entry.actor else _("system"),
                    str(entry.organisation) if entry.organisation else "",
                    _changes(entry, type(obj)),
                    entry.reason,
                    entry.request_id,
                )
                for entry in latest
            ),
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("When"),
            _("Action"),
            _("Who"),
            _("Organisation"),
            _("Changes"),
            _("Reason"),
            _("Request id"),
        )
        footer = self._audit_trail_footer(obj, total, len(latest))
        return format_html("<table>{}{}</table>{}", header, rows, footer)

    def _audit_trail_footer(self, obj, total: int, shown: int):
        if total > shown:
            text = ngettext("%(shown)s of %(total)s entry", "%(shown)s of %(total)s entries", total) % {
                "shown": shown,
                "total": total,
            }
        else:
            text = ngettext("%(total)s entry", "%(total)s entries", total) % {"total": total}
        if AuditEntry not in self.admin_site._registry:
            return format_html("<p>{}</p>", text)
        try:
            url = reverse(f"{self.admin_site.name}:registry_auditentry_changelist")
        except NoReverseMatch:
            return format_html("<p>{}</p>", text)
        query = urlencode({"object_type": obj._meta.label_lower, "object_id": str(obj.pk)})
        return format_html('<p>{} (<a href="{}?{}">{}</a>)</p>', text, url, query, _("all in the audit log"))


def _empty_as_dash(value):
    if isinstance(value, dict):
        return {key: _empty_as_dash(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_empty_as_dash(item) for item in value]
    return "-" if value is None else value


def _short(value) -> str:
    if isinstance(value, dict | list):  # child rows: shown as JSON, a notation, with the admin's "-" for empty
        text = json.dumps(_empty_as_dash(value), ensure_ascii=False, default=str)
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _label_and_shown(model, name: str):
    """A field's label in the reader's language and a function showing its values (a choice's label, not its
    code); names that are not fields of the model (`api_token`, child rows) stay as recorded."""
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if field is not None and field.auto_created and not field.concrete:  # child rows: a standard's duties
        return capfirst(field.related_model._meta.verbose_name_plural), _short
    if field is None or not hasattr(field, "verbose_name"):
        return name, _short
    choices = {str(value): label for value, label in (getattr(field, "flatchoices", None) or ())}
    return capfirst(field.verbose_name), lambda value: _short(choices.get(str(value), value))


def _changes(entry: AuditEntry, model=None) -> str:
    """`field: before -> after` per changed field, one per line (escaped by the caller's format_html)."""
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    names = list(after) + [name for name in before if name not in after]
    lines = []
    for name in names:
        label, shown = _label_and_shown(model, name)
        if name in before and name in after:
            lines.append(f"{label}: {shown(before[name])} -> {shown(after[name])}")
        elif name in after:
            lines.append(f"{label}: {shown(after[name])}")
        else:
            lines.append(f"{label}: {shown(before[name])} -> ({gettext('removed')})")
    return "; ".join(lines)
