"""Bitstring status lists (W3C Bitstring Status List v1.0; docs/decisions/0014-status-lists.md).

Every certificate holds one random index in one numbered list; the same index serves both purposes: bit `index`
of `/status/{number}/revocation` and of `/status/{number}/suspension`. The bits themselves are not stored: they
are the certificates' statuses (revoked or superseded: the revocation bit; suspended: the suspension bit), read
when a list is built, so a list can never disagree with the registry. What is stored is a version per purpose,
bumped in the transaction that changes a member's status: a built list is cached under its version, and the
very next fetch after a change builds it anew.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .certificates import Certificate


class StatusList(models.Model):
    number = models.PositiveIntegerField(
        verbose_name=_("number"), unique=True, help_text=_("The {n} of /status/{n}/{purpose}.")
    )
    size = models.PositiveIntegerField(
        verbose_name=_("size"), help_text=_("Bits in the list (at least 131,072 outside tests).")
    )
    revocation_version = models.PositiveBigIntegerField(verbose_name=_("revocation version"), default=0)
    revocation_changed_at = models.DateTimeField(verbose_name=_("revocation changed at"), auto_now_add=True)
    suspension_version = models.PositiveBigIntegerField(verbose_name=_("suspension version"), default=0)
    suspension_changed_at = models.DateTimeField(verbose_name=_("suspension changed at"), auto_now_add=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=8), name="%(app_label)s_%(class)s_size_min"),
        ]

    def __str__(self) -> str:
        return f"status list {self.number}"


class StatusListEntry(models.Model):
    """A certificate's place in a status list: unique per list and index, chosen at random at issuance."""

    certificate = models.OneToOneField(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="status_entry"
    )
    status_list = models.ForeignKey(
        StatusList, verbose_name=_("status list"), on_delete=models.PROTECT, related_name="entries"
    )
    index = models.PositiveIntegerField(verbose_name=_("index"))

    class Meta:
        verbose_name = _("status list entry")
        verbose_name_plural = _("status list entries")
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="%(app_label)s_%(class)s_list_index"),
        ]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"
