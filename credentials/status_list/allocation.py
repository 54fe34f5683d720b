"""Random status-list indexes, one per certificate, allocated inside the issuing transaction.

An index is drawn with `secrets` from the whole list (never sequential: the order of issuance, and so who was
certified with whom, cannot be read off neighbouring bits). The table's unique (list, index) constraint is the
guard: a concurrent issuer that drew the same index makes the INSERT fail inside a savepoint and the draw is
repeated. Nothing is locked: issuers on different lists or indexes never wait for each other.

A list takes new certificates until `fill_limit(size)` (3/8 of its bits) are used; the next one is opened then,
before the list is half full, so a random draw hits a free index at least 5 times in 8 and a list's herd stays
large (docs/decisions/0014-status-lists.md).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction

from core.bulk_copy import copy_insert
from credentials.models import Certificate, StatusList, StatusListEntry

DEFAULT_LIST_SIZE = 131_072  # the spec's minimum: 16 KiB of bits, a few hundred bytes gzipped when sparse
SINGLE_DRAW_ATTEMPTS = 64
BULK_DRAW_ATTEMPTS = 8


def list_size() -> int:
    """Bits in a newly opened list (`STATUS_LIST_SIZE`; tests set a small one). Lists already open keep theirs."""
    return int(getattr(settings, "STATUS_LIST_SIZE", DEFAULT_LIST_SIZE))


def fill_limit(size: int) -> int:
    """How many certificates a list takes before the next one opens: 3/8 of its bits (always under half)."""
    return max(1, size * 3 // 8)


class AllocationError(RuntimeError):
    pass


def _open_list(number: int) -> StatusList:
    # ON CONFLICT DO NOTHING: two issuers opening the same list both use the one row.
    StatusList.objects.bulk_create([StatusList(number=number, size=list_size())], ignore_conflicts=True)
    return StatusList.objects.get(number=number)


def _current_list() -> tuple[StatusList, int]:
    """The list new certificates go to, and how many entries it holds."""
    current = StatusList.objects.order_by("-number").first()
    if current is None:
        current = _open_list(1)
    used = current.entries.count()
    if used >= fill_limit(current.size):
        current = _open_list(current.number + 1)
        used = current.entries.count()
    return current, used


def _allocate_one(certificate: Certificate, status_list: StatusList) -> StatusListEntry:
    for _ in range(SINGLE_DRAW_ATTEMPTS):
        entry = StatusListEntry(
            certificate=certificate, status_list=status_list, index=secrets.randbelow(status_list.size)
        )
        try:
            with transaction.atomic():  # a savepoint: a collision must not abort the issuing transaction
                entry.save(force_insert=True)
        except IntegrityError:
            if StatusListEntry.objects.filter(certificate=certificate).exists():
                raise
            continue
        return entry
    raise AllocationError(f"no free index found in {status_list} after {SINGLE_DRAW_ATTEMPTS} draws")


def _allocate_many(certificates: Sequence[Certificate], status_list: StatusList) -> list[StatusListEntry]:
    for _ in range(BULK_DRAW_ATTEMPTS):
        taken = set(status_list.entries.values_list("index", flat=True))
        entries = []
        for certificate in certificates:
            index = secrets.randbelow(status_list.size)
            while index in taken:
                index = secrets.randbelow(status_list.size)
            taken.add(index)
            entries.append(StatusListEntry(certificate=certificate, status_list=status_list, index=index))
        try:
            with transaction.atomic():
                copy_insert(entries)  # COPY, as the certificates themselves (core/bulk_copy.py)
        except IntegrityError:  # a concurrent issuer took one of them meanwhile: draw again
            continue
        return entries
    raise AllocationError(f"could not place {len(certificates)} certificates in {status_list}")


def allocate_status_entries(certificates: Sequence[Certificate]) -> list[StatusListEntry]:
    """Give each (saved) certificate its random index. Call inside the issuing transaction: a rolled-back
    issuance returns its indexes too."""
    entries: list[StatusListEntry] = []
    remaining = list(certificates)
    while remaining:
        status_list, used = _current_list()
        room = fill_limit(status_list.size) - used
        chunk, remaining = remaining[:room], remaining[room:]
        if len(chunk) == 1:
            entries.append(_allocate_one(chunk[0], status_list))
        else:
            entries.extend(_allocate_many(chunk, status_list))
    return entries


def entry_for(certificate: Certificate) -> StatusListEntry:
    """The certificate's entry; one is allocated if it has none yet (a certificate made before status lists,
    not yet backfilled)."""
    entry = StatusListEntry.objects.select_related("status_list").filter(certificate_id=certificate.pk).first()
    if entry is None:
        with transaction.atomic():
            (entry,) = allocate_status_entries([certificate])
    return entry


def backfill_status_entries(*, batch: int = 1000) -> int:
    """Allocate an entry to every certificate that has none (run by `migrate`'s data migration and by
    `manage.py status_list_backfill`). Returns how many were allocated."""
    done = 0
    while True:
        with transaction.atomic():
            missing = list(Certificate.objects.filter(status_entry__isnull=True).order_by("pk")[:batch])
            if not missing:
                return done
            allocate_status_entries(missing)
            done += len(missing)
