"""Bitstring status lists (W3C Bitstring Status List v1.0; docs/decisions/0014-status-lists.md).

Every certificate holds one random index in one numbered list; the same index serves both purposes: bit `index`
of `/status/{number}/revocation` and of `/status/{number}/suspension`. The bits themselves are not stored: they
are the certificates' statuses (revoked or superseded: the revocation bit; suspended: the suspension bit), read
when a list is built, so a list can never disagree with the registry. What is stored is a version per purpose,
bumped in the transaction that changes a member's status: a built list is cached under its version, and the
very next fetch after a change builds it anew.
"""

from django.db import models

from .certificates import Certificate


class StatusList(models.Model):
    number = models.PositiveIntegerField(unique=True, help_text="The {n} of /status/{n}/{purpose}.")
    size = models.PositiveIntegerField(help_text="Bits in the list (at least 131,072 outside tests).")
    revocation_version = models.PositiveBigIntegerField(default=0)
    revocation_changed_at = models.DateTimeField(auto_now_add=True)
    suspension_version = models.PositiveBigIntegerField(default=0)
    suspension_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=8), name="%(app_label)s_%(class)s_size_min"),
        ]

    def __str__(self) -> str:
        return f"status list {self.number}"


class StatusListEntry(models.Model):
    """A certificate's place in a status list: unique per list and index, chosen at random at issuance."""

    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="status_entry")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="%(app_label)s_%(class)s_list_index"),
        ]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"
