"""The checks a verification shows, each ok / failed / skipped (the Europass verifier's model).

    signature      the stored snapshot (what was printed) carries a valid Ed25519 signature by a registry key,
                   and the row's serial and verification id are those inside the signed snapshot (a row whose
                   signature MAC matches was checked with the key when the MAC was made: ADR 0029)
    status         valid; or revoked / suspended / superseded, with the date of the change
    accreditation  the provider held an accreditation for this qualification, including assessment, on the
                   award date (a later suspension or expiry never invalidates a certificate: DESIGN.md rule 5)
    equivalency    for a foreign awarding body: a ministry equivalency in force on the award date;
                   skipped for a national awarding body
    token          only when a signed QR token was submitted: it verifies and describes this certificate

Checks read only the certificate row and the accreditation and equivalency joined to it (one query).

The signature check is memoised (`signature_memo`): an in-process LRU bounded in bytes, keyed by everything the
check reads (certificate id, verification id, serial number, signature, key id and a digest of the stored
snapshot), and emptied whenever the keyring changes. A snapshot never changes once issued (DESIGN.md rule 6), so a
repeat verification skips the Ed25519 verification and the JSON parsing; an altered row is a different key and is
checked anew. Status, accreditation and equivalency are never memoised: they are read on every verification.
"""

from __future__ import annotations

import datetime
import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from credentials.choices import CertificateStatus
from credentials.signing import load_keyring, verify_snapshot
from registry.choices import EXTENTS_WITH_ASSESSMENT, AccreditationStatus

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
DOMESTIC_COUNTRY = "XK"


@dataclass(frozen=True)
class Check:
    name: str
    result: str
    code: str
    message: str
    params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"check": self.name, "result": self.result, "code": self.code, "message": self.message}


def status_changed_on(certificate) -> datetime.date | None:
    changed = certificate.status_changed_at
    return timezone.localdate(changed) if changed else None


def deep_size(value, _getsizeof=sys.getsizeof) -> int:
    """Bytes a value holds: sys.getsizeof of it and of every dict, list, tuple, string, number and object
    attribute in it. A string shared by several entries (a dict key) is counted each time: an upper bound, as a
    budget needs. (Leaves are sized without a call of their own: this runs on every memo miss.)"""
    size = _getsizeof(value)
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            size += _getsizeof(key)
            size += deep_size(item) if type(item) in _CONTAINERS else _getsizeof(item)
    elif kind is list or kind is tuple:
        for item in value:
            size += deep_size(item) if type(item) in _CONTAINERS else _getsizeof(item)
    elif hasattr(value, "__dict__"):  # a Check
        size += deep_size(vars(value))
    return size


_CONTAINERS = frozenset({dict, list, tuple})


# What an OrderedDict entry costs besides its key and value (its link node and hash slot), rounded up.
ENTRY_OVERHEAD = 200
# Per process (each gunicorn worker has its own). An entry is charged ~8 kB (its key, the verdict and the part of
# the snapshot a verification shows, lookup.VERIFICATION_SNAPSHOT_KEYS; tracemalloc measures 6.2 kB of it, the
# whole parsed snapshot with its transcript 12.8 kB). 8 MiB hold about 1,000 certificates: the ones verified again
# soon (a scan, then the page; an employer's second look); in a registry of millions most verifications miss.
MEMO_BYTES = 8 * 1024 * 1024


class SignatureMemo:
    """An LRU of signature verdicts (and the snapshot they were given for), for one keyring, bounded in bytes:
    each entry is charged its measured size (`deep_size` of its key, snapshot and check) when it is stored, and
    the least recently used go until the total is within `max_bytes`. `maxsize`, when given, also bounds the
    number of entries (0: memoise nothing)."""

    def __init__(self, max_bytes: int = MEMO_BYTES, maxsize: int | None = None):
        self.max_bytes = max_bytes
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple, tuple[tuple[dict, Check], int]] = OrderedDict()
        self._bytes = 0
        self._keyring = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def keyring(self):
        """The keyring the entries were checked with (loaded by `get_or_compute` before it computes)."""
        return self._keyring

    @property
    def bytes(self) -> int:
        """What the entries held now are charged, in bytes."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @staticmethod
    def entry_size(key: tuple, entry: tuple[dict, Check]) -> int:
        return deep_size(key) + deep_size(entry) + ENTRY_OVERHEAD

    def get_or_compute(self, key: tuple, compute: Callable[[], tuple[dict, Check]]) -> tuple[dict, Check]:
        keyring = load_keyring()  # cached by the signing module; a new keyring (rotation, removal) empties the memo
        with self._lock:
            if keyring is not self._keyring:
                self._entries.clear()
                self._bytes = 0
                self._keyring = keyring
            stored = self._entries.get(key)
            if stored is not None:
                self._entries.move_to_end(key)
                return stored[0]
        entry = compute()
        if self.maxsize == 0:
            return entry
        size = self.entry_size(key, entry)
        with self._lock:
            if keyring is self._keyring and size <= self.max_bytes and key not in self._entries:
                self._entries[key] = (entry, size)
                self._bytes += size
                while self._bytes > self.max_bytes or (self.maxsize is not None and len(self._entries) > self.maxsize):
                    _, (_, evicted) = self._entries.popitem(last=False)
                    self._bytes -= evicted
        return entry


signature_memo = SignatureMemo(max_bytes=MEMO_BYTES)


def check_signature(certificate, *, keyring=None) -> Check:
    memoised = getattr(certificate, "signature_check", None)  # set by lookup.LookedUpCertificate
    if memoised is not None:
        return memoised
    snapshot = certificate.snapshot or {}
    if not snapshot_matches_row(certificate, snapshot):
        return Check("signature", FAILED, "snapshot_mismatch", "The record does not match its signed snapshot.")
    mac = getattr(certificate, "signature_mac", "")
    if not verify_snapshot(snapshot, certificate.signature, certificate.key_id, keyring=keyring, mac=mac):
        return Check("signature", FAILED, "signature_invalid", "The signature over the printed record does not verify.")
    return signature_ok(certificate.key_id)


def snapshot_matches_row(certificate, snapshot: dict) -> bool:
    """The row's serial and verification id are those inside its signed snapshot."""
    return (
        snapshot.get("verification_id") == certificate.verification_id
        and snapshot.get("serial_number") == certificate.serial_number
    )


@functools.lru_cache(maxsize=64)
def signature_ok(key_id: str) -> Check:
    """The passed signature check (one per key: a Check is frozen, so the same one serves every certificate)."""
    return Check(
        "signature",
        OK,
        "signature_valid",
        f"The printed record is signed by the registry (key {key_id}).",
        {"key_id": key_id},
    )


def check_status(certificate) -> Check:
    status = certificate.status
    on = status_changed_on(certificate)
    params = {"date": on.isoformat() if on else None}
    when = f" on {on.isoformat()}" if on else ""
    if status == CertificateStatus.VALID:
        return Check("status", OK, "status_valid", "The certificate is valid.")
    if status == CertificateStatus.REVOKED:
        return Check("status", FAILED, "status_revoked", f"The certificate was revoked{when}.", params)
    if status == CertificateStatus.SUSPENDED:
        return Check("status", FAILED, "status_suspended", f"The certificate is suspended{when}.", params)
    return Check(
        "status",
        FAILED,
        "status_superseded",
        f"The certificate was replaced by a newer certificate{when}; ask the holder for the new one.",
        params,
    )


def check_accreditation(certificate) -> Check:
    accreditation = certificate.accreditation
    awarded_on = certificate.awarded_on
    snapshot = certificate.snapshot or {}
    printed = snapshot.get("accreditation") or {}
    agent = (printed.get("agent") or {}).get("name") or ""
    params = {"decision_number": accreditation.decision_number, "agent": agent, "date": awarded_on.isoformat()}
    level = (snapshot.get("qualification") or {}).get("nqf_level")
    covers = (
        accreditation.qualification_id == certificate.qualification_id
        if accreditation.qualification_id is not None
        else accreditation.nqf_level == level
    )
    if accreditation.provider_id != certificate.provider_id or not covers:
        return Check(
            "accreditation",
            FAILED,
            "accreditation_not_for_this_certificate",
            "The accreditation on record is not the provider's for this qualification.",
            params,
        )
    if accreditation.status == AccreditationStatus.APPLIED:
        return Check(
            "accreditation", FAILED, "accreditation_never_granted", "The provider's accreditation was never granted."
        )
    if accreditation.extent not in EXTENTS_WITH_ASSESSMENT:
        return Check(
            "accreditation",
            FAILED,
            "accreditation_without_assessment",
            "The provider was not accredited to assess this qualification.",
            params,
        )
    if not accreditation.valid_from <= awarded_on <= accreditation.valid_until:
        return Check(
            "accreditation",
            FAILED,
            "accreditation_not_in_force_on_award_date",
            f"The provider's accreditation {accreditation.decision_number} was not in force on {awarded_on}.",
            params,
        )
    return Check(
        "accreditation",
        OK,
        "accreditation_in_force_on_award_date",
        f"The provider was accredited ({accreditation.decision_number}, {agent}) on the award date {awarded_on}.",
        params,
    )


def check_equivalency(certificate) -> Check:
    snapshot = certificate.snapshot or {}
    country = (snapshot.get("awarding_body") or {}).get("country") or DOMESTIC_COUNTRY
    equivalency = certificate.equivalency
    awarded_on = certificate.awarded_on
    if equivalency is None:
        if country == DOMESTIC_COUNTRY:
            return Check(
                "equivalency", SKIPPED, "equivalency_not_needed", "A national qualification needs no equivalency."
            )
        return Check(
            "equivalency",
            FAILED,
            "equivalency_missing",
            "A qualification of a foreign awarding body needs a ministry equivalency; none is recorded.",
        )
    params = {"decision_number": equivalency.decision_number, "date": awarded_on.isoformat()}
    in_period = equivalency.valid_from <= awarded_on and (
        equivalency.valid_until is None or awarded_on <= equivalency.valid_until
    )
    if equivalency.qualification_id != certificate.qualification_id or not in_period:
        return Check(
            "equivalency",
            FAILED,
            "equivalency_not_in_force_on_award_date",
            f"The equivalency {equivalency.decision_number} did not cover this qualification on {awarded_on}.",
            params,
        )
    return Check(
        "equivalency",
        OK,
        "equivalency_in_force_on_award_date",
        f"The ministry's equivalency {equivalency.decision_number} covered this qualification on {awarded_on}.",
        params,
    )


def certificate_checks(certificate) -> list[Check]:
    return [
        check_signature(certificate),
        check_status(certificate),
        check_accreditation(certificate),
        check_equivalency(certificate),
    ]


def token_check_ok() -> Check:
    return Check("token", OK, "token_matches", "The signed QR token verifies and describes this certificate.")
