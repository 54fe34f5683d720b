"""Signature MACs for certificates that have none, or a stale one (ADR 0029): rows issued before the MAC existed,
and every row after a SECRET_KEY rotation. A row gets a MAC only once its signature is checked with the key, and
only when the row's serial and verification id are those inside its signed snapshot; a row that fails keeps no
MAC (every verification of it asks the key, and fails). Nothing printed or signed changes: no audit entry per
row, one count in the answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from credentials.models import Certificate
from credentials.signing import load_keyring, mac_for_snapshot

CHUNK = 1000


@dataclass(frozen=True)
class MacRefreshResult:
    checked: int
    made: int  # new or changed MACs
    unverifiable: int  # rows whose signature does not verify (or whose ids differ from their snapshot's)


def certificates_refresh_signature_macs(*, progress=None, chunk: int = CHUNK) -> MacRefreshResult:
    """Check every certificate's MAC; make it again wherever it is missing or stale. `progress(stage, done,
    total)` as the imports take it. Runs in chunks by id, each in its own transaction (a registry of millions
    need not be locked for the whole run; a row issued meanwhile already has its MAC)."""
    keyring = load_keyring()
    total = Certificate.objects.count()
    checked = made = unverifiable = 0
    last_id = 0
    columns = ("id", "serial_number", "verification_id", "snapshot", "signature", "key_id", "signature_mac")
    while True:
        rows = list(Certificate.objects.filter(id__gt=last_id).order_by("id").values_list(*columns)[:chunk])
        if not rows:
            break
        last_id = rows[-1][0]
        changed = []
        for pk, serial, verification_id, snapshot, signature, key_id, stored in rows:
            same_ids = (
                isinstance(snapshot, dict)
                and snapshot.get("serial_number") == serial
                and snapshot.get("verification_id") == verification_id
            )
            mac = mac_for_snapshot(snapshot, signature, key_id, keyring=keyring) if same_ids else ""
            if not mac:
                unverifiable += 1
            if mac != stored:
                changed.append(Certificate(id=pk, signature_mac=mac))
        with transaction.atomic():
            Certificate.objects.bulk_update(changed, ["signature_mac"])
        checked += len(rows)
        made += sum(1 for certificate in changed if certificate.signature_mac)
        if progress is not None:
            progress("signature MACs", min(checked, total), max(total, checked))
    return MacRefreshResult(checked=checked, made=made, unverifiable=unverifiable)
