"""Reads for verification: one indexed lookup with the two rows the checks need joined in."""

from __future__ import annotations

from collections.abc import Iterable

from core import policy
from credentials.models import Certificate, VerificationEvent

# A value no certificate has (ids are 26 characters): a malformed id still runs the very same query, so
# unknown, malformed and revoked ids cost the same (no timing or query-count oracle).
NO_SUCH_ID = ""


# Only the columns the checks and the public facts read: fewer values to decode on the busiest path.
_CERTIFICATE_FIELDS = (
    "id",
    "serial_number",
    "verification_id",
    "qualification_id",
    "provider_id",
    "awarding_body_id",
    "holder_name",
    "snapshot",
    "awarded_on",
    "issued_on",
    "signature",
    "key_id",
    "signature_mac",
    "status",
    "status_changed_at",
)
_ACCREDITATION_FIELDS = tuple(
    f"accreditation__{name}"
    for name in (
        "provider_id",
        "qualification_id",
        "nqf_level",
        "extent",
        "decision_number",
        "valid_from",
        "valid_until",
        "status",
    )
)
_EQUIVALENCY_FIELDS = tuple(
    f"equivalency__{name}" for name in ("qualification_id", "decision_number", "valid_from", "valid_until")
)


def _verification_queryset(*extra_related: str, extra_fields: tuple[str, ...] = ()):
    return (
        Certificate.objects.select_related("accreditation", "equivalency", *extra_related)
        .only(*_CERTIFICATE_FIELDS, *_ACCREDITATION_FIELDS, *_EQUIVALENCY_FIELDS, *extra_fields)
        .order_by()
    )


def certificate_for_verification(verification_id: str | None) -> Certificate | None:
    return _verification_queryset().filter(verification_id=verification_id or NO_SUCH_ID).first()


def certificates_for_verification(verification_ids: Iterable[str]) -> dict[str, Certificate]:
    ids = sorted(set(verification_ids))
    if not ids:
        return {}
    return {c.verification_id: c for c in _verification_queryset().filter(verification_id__in=ids)}


def certificates_by_serial(serial_numbers: Iterable[str], *, anonymous: bool = False) -> dict[str, Certificate]:
    """With the date of birth digest frozen at issuance (compared, never returned; not the learner's record
    today, which its provider may have edited since: credentials/date_of_birth.py).

    `anonymous`: leave out the certificates their holders hid from anonymous lookups (credentials/holders), so such
    a lookup answers exactly as for a serial no certificate has: "does not match", counted towards the cap, in the
    same single query (a join, not a second lookup)."""
    serials = sorted(set(serial_numbers))
    if not serials:
        return {}
    queryset = _verification_queryset(extra_fields=("learner_id", "date_of_birth_digest"))
    queryset = queryset.filter(serial_number__in=serials)
    if anonymous:
        queryset = queryset.exclude(holder_preference__hidden_from_lookup=True)
    return {c.serial_number: c for c in queryset}


def verification_events_visible_to(user):
    """The verification log as the access policy lets `user` read it: the events of the certificates it may
    read, and a verifier organisation's own verifications."""
    return policy.readable(user, VerificationEvent.objects.select_related("certificate", "verifier_organisation"))
