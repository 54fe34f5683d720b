from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import AuditAction

from .organisations import Organisation


class AuditEntryError(Exception):
    pass


class AuditEntry(models.Model):
    """Append-only record of a change, written by the services (so commands are audited too).

    Never updated nor deleted: `save()` on an existing row and `delete()` raise.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(verbose_name=_("action"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(verbose_name=_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(verbose_name=_("object ID"), max_length=64, db_index=True)
    object_repr = models.CharField(verbose_name=_("object name"), max_length=255, blank=True)
    before = models.JSONField(verbose_name=_("before"), null=True, blank=True)
    after = models.JSONField(verbose_name=_("after"), null=True, blank=True)
    reason = models.TextField(verbose_name=_("reason"), max_length=2000, blank=True)
    request_id = models.CharField(verbose_name=_("request ID"), max_length=64, blank=True)
    # indexed with id below (the order, and date ranges)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="registry_audit_object"),
            # The list's order (and its cursor): every page read off the index.
            models.Index(fields=["-created_at", "-id"], name="registry_audit_order"),
            # The newest entry of a kind of record, one probe (the impact figures' version, outcomes/published.py).
            models.Index(fields=["object_type", "id"], name="registry_audit_type_id"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditEntryError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryError("Audit entries are append-only.")
