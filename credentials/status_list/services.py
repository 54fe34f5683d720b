"""Keeping the lists in step with certificate status: the lifecycle services call `status_list_changed` in the
transaction that changes a status, which bumps the version of each purpose whose bit flipped. A list is built
from the statuses themselves (lists.py), cached under its version, so the very next fetch after the commit
builds the new list; a rolled-back change rolls its bump back too."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from credentials.choices import CertificateStatus
from credentials.models import Certificate, StatusList

from .allocation import entry_for
from .entries import REVOCATION, SUSPENSION

# Which bit each status sets. Superseded counts as revoked (the old certificate is no longer to be relied on);
# reinstatement (back to valid) clears the suspension bit.
STATUS_BITS: dict[str, frozenset[str]] = {
    CertificateStatus.VALID: frozenset(),
    CertificateStatus.SUSPENDED: frozenset({SUSPENSION}),
    CertificateStatus.REVOKED: frozenset({REVOCATION}),
    CertificateStatus.SUPERSEDED: frozenset({REVOCATION}),
}


def statuses_setting(purpose: str) -> list[str]:
    """The certificate statuses whose bit is set in a list of this purpose."""
    return [status for status, purposes in STATUS_BITS.items() if purpose in purposes]


def status_list_changed(*, certificate: Certificate, before: str) -> None:
    """The certificate's status went from `before` to `certificate.status`: bump the version of each list
    purpose whose bit flipped. Call inside the status change's transaction."""
    flipped = STATUS_BITS[before] ^ STATUS_BITS[certificate.status]
    if not flipped:
        return
    entry = entry_for(certificate)
    now = timezone.now()
    updates = {}
    for purpose in flipped:
        updates[f"{purpose}_version"] = F(f"{purpose}_version") + 1
        updates[f"{purpose}_changed_at"] = now
    StatusList.objects.filter(pk=entry.status_list_id).update(**updates)
