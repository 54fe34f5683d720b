"""The checks a verification shows, each ok / failed / skipped (the Europass verifier's model).

    signature      the stored snapshot (what was printed) carries a valid Ed25519 signature by a registry key,
                   and the row's serial and verification id are those inside the signed snapshot
    status         valid; or revoked / suspended / superseded, with the date of the change
    accreditation  the provider held an accreditation for this qualification, including assessment, on the
                   award date (a later suspension or expiry never invalidates a certificate: DESIGN.md rule 5)
    equivalency    for a foreign awarding body: a ministry equivalency in force on the award date;
                   skipped for a national awarding body
    token          only when a signed QR token was submitted: it verifies and describes this certificate

Checks read only the certificate row and the accreditation and equivalency joined to it (one query).

The signature check is memoised (`signature_memo`): a bounded in-process LRU keyed by everything the check reads
(certificate id, verification id, serial number, signature, key id and a digest of the stored snapshot), and
emptied whenever the keyring changes. A snapshot never changes once issued (DESIGN.md rule 6), so a repeat
verification skips the Ed25519 verification and the JSON parsing; an altered row is a different key and is
checked anew. Status, accreditation and equivalency are never memoised: they are read on every verification.
"""

from __future__ import annotations

import datetime
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


class SignatureMemo:
    """A bounded LRU of signature verdicts (and the parsed snapshot they were given for), for one keyring."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple, tuple[dict, Check]] = OrderedDict()
        self._keyring = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get_or_compute(self, key: tuple, compute: Callable[[], tuple[dict, Check]]) -> tuple[dict, Check]:
        keyring = load_keyring()  # cached by the signing module; a new keyring (rotation, removal) empties the memo
        with self._lock:
            if keyring is not self._keyring:
                self._entries.clear()
                self._keyring = keyring
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        entry = compute()
        with self._lock:
            if keyring is self._keyring and self.maxsize > 0:
                self._entries[key] = entry
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)
        return entry


# About 1 kB per entry (the parsed snapshot): a few MB per worker at most.
signature_memo = SignatureMemo(maxsize=4096)


def check_signature(certificate) -> Check:
    memoised = getattr(certificate, "signature_check", None)  # set by lookup.LookedUpCertificate
    if memoised is not None:
        return memoised
    snapshot = certificate.snapshot or {}
    if (
        snapshot.get("verification_id") != certificate.verification_id
        or snapshot.get("serial_number") != certificate.serial_number
    ):
        return Check("signature", FAILED, "snapshot_mismatch", "The record does not match its signed snapshot.")
    if not verify_snapshot(snapshot, certificate.signature, certificate.key_id):
        return Check("signature", FAILED, "signature_invalid", "The signature over the printed record does not verify.")
    return Check(
        "signature",
        OK,
        "signature_valid",
        f"The printed record is signed by the registry (key {certificate.key_id}).",
        {"key_id": certificate.key_id},
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
