"""Verification: the registry's busiest path (DESIGN.md, "Verification").

Every entry point returns a `VerificationReport` and writes one `VerificationEvent` (a batch writes all of its
events in one INSERT). A verification by id (the page, `GET /api/v1/verifications/{id}`) costs ONE query: the
indexed lookup with the accreditation and equivalency joined in and the event INSERT in one statement
(lookup.py, ADR 0005); a scanned QR or a date of birth costs two (lookup, then the event); an API caller's token
adds one. Status is never cached: revoking a certificate makes the very next verification say so (only the
immutable signature check is memoised, checks.py).

Unknown, malformed and revoked ids take the same path: a malformed id is looked up as an id that cannot exist,
then logged, and only then refused. Public output (`VerificationReport.as_public_dict`) holds only what the
certificate prints on its front: never the personal number, date of birth, address or results.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from credentials.choices import VerificationChannel, VerificationOutcome
from credentials.date_of_birth import date_of_birth_matches
from credentials.signing import TokenError
from credentials.tokens import check_claims_match, verify_certificate_token

from . import selectors
from .checks import FAILED, Check, certificate_checks, status_changed_on, token_check_ok
from .events import Caller, verification_event_record, verification_events_record
from .lookup import EventValues, certificate_for_verification_logged, certificates_by_verification_id
from .parsing import (
    VerificationInputError,
    normalise_serial_number,
    normalise_verification_id,
    parse_date_of_birth,
    parse_scanned_text,
)

MAX_BATCH = 500
# Failed date-of-birth guesses allowed per serial number per day, whoever asks: guessing a date of birth
# (~20,000 plausible dates) must stay far out of reach even from many addresses.
DOB_ATTEMPTS_PER_SERIAL = 10
DOB_ATTEMPT_WINDOW = 24 * 3600
COMPARE_WITH_ID_CARD = (
    "Compare the holder's name with their ID card. This page proves the certificate exists; "
    "the ID card proves who is holding it."
)

# Catalogue msgids: the API renders them in the request's language (core.api.errors.translated).
TOKEN_MESSAGES = {
    "malformed": gettext_noop("The signed token in the QR code is damaged or incomplete."),
    "alg_not_allowed": gettext_noop("The signed token uses an algorithm this registry never uses."),
    "unknown_kid": gettext_noop("The signed token names a key this registry never published."),
    "bad_signature": gettext_noop("The signed token's signature does not verify: it was altered."),
    "key_not_valid_at_iat": gettext_noop("The signed token was made with a key outside the key's period of use."),
    "claims_mismatch": gettext_noop("The signed token does not describe the certificate on record."),
}


class CertificateNotFound(VerificationInputError):
    def __init__(self, *, field: str = "verification_id"):
        super().__init__(
            "not_found",
            "No certificate of this registry has this id. Check it was typed exactly as printed.",
            field=field,
            status_code=404,
        )


def token_error(exc: TokenError, *, field: str = "qr") -> VerificationInputError:
    return VerificationInputError(f"token_{exc.code}", TOKEN_MESSAGES.get(exc.code, str(exc)), field=field)


# A valid status whose checks do not all pass (VerificationReport.verdict).
NOT_CONFIRMED = "not_confirmed"


@dataclass
class VerificationReport:
    verification_id: str
    outcome: str
    certificate: object | None = None
    checks: list[Check] = field(default_factory=list)
    error: VerificationInputError | None = None
    date_of_birth_matches: bool | None = None
    verified_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def found(self) -> bool:
        return self.certificate is not None and self.error is None

    @property
    def valid(self) -> bool:
        return self.found and all(check.result != FAILED for check in self.checks)

    @property
    def verdict(self) -> str:
        """What a person is shown (the page's banner, the share page, the verifier's results table): the outcome,
        except that a certificate the registry lists as valid while its signature, its provider's accreditation
        or its equivalency check fails is `not_confirmed`, never "valid". (The API's `outcome` stays the status,
        with `valid` false beside it.)"""
        if self.outcome == VerificationOutcome.VALID and not self.valid:
            return NOT_CONFIRMED
        return self.outcome

    def public_facts(self) -> dict | None:
        if not self.found:
            return None
        certificate = self.certificate
        snap = certificate.snapshot or {}
        qualification = snap.get("qualification") or {}
        changed = status_changed_on(certificate)

        def org(data):
            data = data or {}
            return {key: data.get(key) for key in ("slug", "name", "short_name", "country")}

        equivalency = snap.get("equivalency")
        if equivalency:  # as printed: the ministry decision that makes a foreign award count as a national one
            equivalent_to = equivalency.get("equivalent_to") or {}
            equivalency = {
                "decision_number": equivalency.get("decision_number"),
                "decided_on": equivalency.get("decided_on"),
                "decided_by": org(equivalency.get("decided_by")),
                "equivalent_to": {"code": equivalent_to.get("code"), "title": equivalent_to.get("title") or {}},
            }

        return {
            "serial_number": certificate.serial_number,
            "verification_id": certificate.verification_id,
            "status": certificate.status,
            "status_changed_on": changed.isoformat() if changed else None,
            "holder_name": (snap.get("holder") or {}).get("full_name") or certificate.holder_name,
            "qualification": {
                "code": qualification.get("code"),
                "title": qualification.get("title") or {},
                "type": qualification.get("type"),
                "nqf_level": qualification.get("nqf_level"),
                "eqf_level": qualification.get("eqf_level"),
                "hours_theory": qualification.get("hours_theory"),
                "hours_practice": qualification.get("hours_practice"),
            },
            "provider": org(snap.get("provider")),
            "awarding_body": org(snap.get("awarding_body")),
            "equivalency": equivalency or None,
            "awarded_on": certificate.awarded_on.isoformat(),
            "issued_on": certificate.issued_on.isoformat(),
        }

    def as_public_dict(self) -> dict:
        """The JSON answer. Holds no personal data (see the module docstring). A date of birth that does not
        match answers with its outcome only: no verification id, no certificate, no checks (serials are
        sequential, so anything more would let anyone list every holder)."""
        if self.outcome == VerificationOutcome.DATE_OF_BIRTH_MISMATCH:
            return {
                "verification_id": None,
                "outcome": self.outcome,
                "valid": False,
                "verified_at": self.verified_at.isoformat(),
                "certificate": None,
                "checks": [],
                "date_of_birth_matches": False,
                "compare_with_id_card": None,
            }
        return {
            "verification_id": self.verification_id or None,
            "outcome": self.outcome,
            "valid": self.valid,
            "verified_at": self.verified_at.isoformat(),
            "certificate": self.public_facts(),
            "checks": [check.as_dict() for check in self.checks],
            "date_of_birth_matches": self.date_of_birth_matches,
            "compare_with_id_card": COMPARE_WITH_ID_CARD if self.found else None,
        }


def _outcome_for(certificate, error) -> str:
    if error is None:
        return certificate.status
    if isinstance(error, CertificateNotFound):
        return VerificationOutcome.NOT_FOUND
    if certificate is not None and error.code.startswith("token_"):
        # A bad token naming a real certificate (logged against it: someone altered or swapped a QR code).
        return VerificationOutcome.TOKEN_MISMATCH
    return VerificationOutcome.MALFORMED


def _report(
    *, verification_id: str, certificate, error, token: str | None = None, field_name: str = "verification_id"
) -> VerificationReport:
    """Checks for a looked-up certificate (no queries). A submitted token must verify and match."""
    if error is None and certificate is None:
        error = CertificateNotFound(field=field_name)
    checks: list[Check] = []
    if error is None:
        checks = certificate_checks(certificate)
        if token is not None:
            try:
                check_claims_match(verify_certificate_token(token, verification_id=verification_id), certificate)
            except TokenError as exc:
                error = token_error(exc, field=field_name)
            else:
                checks.append(token_check_ok())
    return VerificationReport(
        verification_id=verification_id,
        outcome=_outcome_for(certificate, error),
        certificate=certificate if error is None else None,
        checks=checks if error is None else [],
        error=error,
    )


def _log(report: VerificationReport, *, caller: Caller, channel: str, certificate_id: int | None) -> None:
    verification_event_record(
        caller=caller,
        channel=channel,
        outcome=report.outcome,
        certificate_id=certificate_id,
        verification_id_tried=report.verification_id,
    )


def verify_by_id(*, verification_id, caller: Caller, channel: str = VerificationChannel.API) -> VerificationReport:
    """Verify a typed or linked verification id (the page and `GET /api/v1/verifications/{id}`): one statement
    looks the certificate up and logs the event (lookup.py)."""
    error: VerificationInputError | None = None
    normalised = ""
    try:
        normalised = normalise_verification_id(verification_id)
    except VerificationInputError as exc:
        error = exc
    verified_at = timezone.now()
    certificate = certificate_for_verification_logged(
        normalised,
        EventValues(
            verification_id_tried=normalised,
            malformed=error is not None,
            channel=channel,
            verifier_organisation_id=caller.organisation_id,
            created_at=verified_at,
            ip_hash=caller.ip_hash,
            user_agent_family=caller.user_agent_family,
            log=not caller.is_bot,
        ),
    )
    report = _report(verification_id=normalised, certificate=certificate, error=error)
    report.verified_at = verified_at
    return report


def verify_scanned(*, text, caller: Caller, channel: str = VerificationChannel.QR) -> VerificationReport:
    """Verify what a QR scanner returned. A signed token in the fragment must verify and match the record:
    a forged or altered token is refused (and logged against the certificate it names)."""
    error: VerificationInputError | None = None
    normalised, token = "", None
    try:
        scanned = parse_scanned_text(text)
        normalised, token = scanned.verification_id, scanned.token
    except VerificationInputError as exc:
        error = exc
    certificate = selectors.certificate_for_verification(normalised)
    report = _report(verification_id=normalised, certificate=certificate, error=error, token=token, field_name="qr")
    _log(report, caller=caller, channel=channel, certificate_id=certificate.pk if certificate else None)
    return report


def _dob_attempts_key(serial_number: str) -> str:
    return f"verification:dob-failures:{serial_number}"


def _dob_locked(serial_number: str) -> bool:
    return (cache.get(_dob_attempts_key(serial_number)) or 0) >= DOB_ATTEMPTS_PER_SERIAL


def _dob_failed(serial_number: str) -> None:
    key = _dob_attempts_key(serial_number)
    if not cache.add(key, 1, DOB_ATTEMPT_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, DOB_ATTEMPT_WINDOW)


def _too_many_dob_attempts() -> VerificationInputError:
    return VerificationInputError(
        "too_many_attempts",
        "Too many dates of birth were tried for this serial number today; try again tomorrow.",
        field="date_of_birth",
        status_code=429,
    )


def _parse_serial_and_dob(serial_raw, dob_raw):
    """(serial, date of birth, error)."""
    try:
        return normalise_serial_number(serial_raw), parse_date_of_birth(dob_raw), None
    except VerificationInputError as exc:
        return "", None, exc


def _dob_report(serial: str, dob, certificate, error) -> VerificationReport:
    """The answer to "does this date of birth belong to the holder of this serial?". A serial no certificate has
    answers exactly as a date that does not match (same outcome, same cost, same count towards the cap): the
    answer is "matches" or "does not match", nothing else. A serial at its cap is refused before any comparison."""
    if error is None and _dob_locked(serial):
        error = _too_many_dob_attempts()
    if error is not None:
        return VerificationReport(verification_id="", outcome=_outcome_for(certificate, error), error=error)
    # Compared with the date the certificate was issued for (credentials/date_of_birth.py), never returned.
    if certificate is None or not date_of_birth_matches(certificate, dob):
        _dob_failed(serial)
        return VerificationReport(
            verification_id="", outcome=VerificationOutcome.DATE_OF_BIRTH_MISMATCH, date_of_birth_matches=False
        )
    return VerificationReport(
        verification_id=certificate.verification_id,
        outcome=certificate.status,
        certificate=certificate,
        checks=certificate_checks(certificate),
        date_of_birth_matches=True,
    )


def _capped(report: VerificationReport) -> bool:
    return report.error is not None and report.error.code == "too_many_attempts"


def _dob_event_certificate_id(report: VerificationReport) -> int | None:
    """Only a match is logged against its certificate: a failed match keeps neither the certificate nor its
    verification id, so the caller's own event log cannot tell a wrong date from an unknown serial."""
    return report.certificate.pk if report.date_of_birth_matches else None


def verify_by_serial_and_date_of_birth(
    *, serial_number, date_of_birth, caller: Caller, channel: str = VerificationChannel.API
) -> VerificationReport:
    """Does this date of birth belong to the holder of this serial? The answer is only yes or no; the
    certificate's facts come back only with a yes. Failed guesses per serial (known or not) are capped per day;
    a refused (capped) guess is not logged, as a throttled request is not."""
    serial, dob, error = _parse_serial_and_dob(serial_number, date_of_birth)
    # A certificate its holder hid from anonymous lookups is not found by an anonymous caller (selectors).
    anonymous = caller.organisation_id is None
    certificate = selectors.certificates_by_serial([serial] if serial else [], anonymous=anonymous).get(serial)
    report = _dob_report(serial, dob, certificate, error)
    if not _capped(report):
        _log(report, caller=caller, channel=channel, certificate_id=_dob_event_certificate_id(report))
    return report


def verify_batch(*, items: list[dict], caller: Caller) -> list[VerificationReport]:
    """Up to MAX_BATCH items, each `{"verification_id"}`, `{"qr"}` or `{"serial_number", "date_of_birth"}`:
    two lookups (by id, by serial) and one INSERT for all the events, whatever the batch size."""
    if not items:
        raise VerificationInputError("empty", "The batch has no items.", field="items")
    if len(items) > MAX_BATCH:
        raise VerificationInputError(
            "batch_too_large",
            format_lazy(_("A batch has at most {max} items; this one has {length}."), max=MAX_BATCH, length=len(items)),
            field="items",
        )
    parsed = []  # (kind, key, token, dob, error)
    for item in items:
        if item.get("serial_number") is not None or item.get("date_of_birth") is not None:
            serial, dob, error = _parse_serial_and_dob(item.get("serial_number"), item.get("date_of_birth"))
            parsed.append(("dob", serial, None, dob, error))
            continue
        try:
            if item.get("qr") is not None:
                scanned = parse_scanned_text(item["qr"])
                parsed.append(("qr", scanned.verification_id, scanned.token, None, None))
            else:
                parsed.append(("id", normalise_verification_id(item.get("verification_id")), None, None, None))
        except VerificationInputError as exc:
            parsed.append(("qr" if item.get("qr") is not None else "id", "", None, None, exc))

    by_id = certificates_by_verification_id(p[1] for p in parsed if p[0] != "dob" and p[1])
    by_serial = selectors.certificates_by_serial(p[1] for p in parsed if p[0] == "dob" and p[1])
    reports, events = [], []
    for kind, key, token, dob, error in parsed:
        if kind == "dob":  # the cap counts every item, so a batch cannot guess past it
            report = _dob_report(key, dob, by_serial.get(key) if key else None, error)
            certificate_id = _dob_event_certificate_id(report)
        else:
            certificate = by_id.get(key) if key else None
            field_name = "qr" if kind == "qr" else "verification_id"
            report = _report(
                verification_id=key, certificate=certificate, error=error, token=token, field_name=field_name
            )
            certificate_id = certificate.pk if certificate else None
        reports.append(report)
        if not caller.is_bot and not _capped(report):
            events.append((certificate_id, report.verification_id, report.outcome))
    verification_events_record(caller=caller, channel=VerificationChannel.BATCH, rows=events)
    return reports
