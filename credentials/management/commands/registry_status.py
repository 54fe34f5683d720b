"""What the registry holds and whether it can sign: the first command an operator runs.

Counts only (never a name or any personal data), so its output can go into a ticket or a chat. Exits
with status 1 when no key can sign certificates or the PDF seal is missing or expired (ADR 0013), so it also
serves as a monitoring probe.
"""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from credentials.choices import CertificateStatus, VerificationOutcome
from credentials.models import Certificate, Learner, VerificationEvent
from credentials.pdf.seal import SealError, load_seal
from credentials.signing import SigningError, load_keyring
from registry.choices import OrganisationKind, QualificationStatus
from registry.models import Accreditation, Organisation, Qualification


def _by(queryset, field: str, choices) -> dict[str, int]:
    counts = dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())
    return {value: counts.get(value, 0) for value in choices.values}


def registry_counts(*, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    recent = VerificationEvent.objects.filter(created_at__gt=now - datetime.timedelta(hours=24))
    certificates = _by(Certificate.objects.all(), "status", CertificateStatus)
    verifications = _by(recent, "outcome", VerificationOutcome)
    return {
        "organisations": _by(Organisation.objects.all(), "kind", OrganisationKind),
        "qualifications": _by(Qualification.objects.all(), "status", QualificationStatus),
        "accreditations_in_force": Accreditation.objects.in_force_on(today).count(),
        "learners": Learner.objects.count(),
        "certificates": {"total": sum(certificates.values()), **certificates},
        "verifications_last_24h": {"total": sum(verifications.values()), **verifications},
    }


def signing_status(*, now: datetime.datetime | None = None) -> dict:
    """The active key id and age, and the retired keys (still published for checking)."""
    now = now or timezone.now()
    try:
        keyring = load_keyring()
    except SigningError as exc:
        return {"ok": False, "error": str(exc), "active_kid": None, "active_age_days": None, "retired": []}
    active = keyring.keys.get(keyring.active_kid) if keyring.active_kid else None
    retired = sorted(
        (entry for entry in keyring.keys.values() if not entry.active),
        key=lambda entry: entry.not_after or now,
        reverse=True,
    )
    return {
        "ok": active is not None and keyring.active_private is not None,
        "error": "" if active is not None else "no active signing key",
        "active_kid": active.kid if active else None,
        "active_age_days": (now - active.not_before).days if active and active.not_before else None,
        "retired": [
            {"kid": entry.kid, "retired_at": entry.not_after.isoformat() if entry.not_after else None}
            for entry in retired
        ],
    }


def seal_status(*, now: datetime.datetime | None = None) -> dict:
    """The PDF seal certificate: whose it is, whether it is self-signed (development), until when it is valid."""
    now = now or timezone.now()
    try:
        certificate = load_seal().certificate
    except SealError as exc:
        return {"ok": False, "error": str(exc), "subject": None, "self_signed": None, "not_after": None}
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    error = "" if start <= now <= end else f"the seal certificate is valid from {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    return {
        "ok": not error,
        "error": error,
        "subject": certificate.subject.rfc4514_string(),
        "self_signed": certificate.subject == certificate.issuer,
        "not_after": end.isoformat(),
        "days_left": (end - now).days,
    }


class Command(BaseCommand):
    help = (
        "Print the registry's counts, the signing key and the PDF seal status (no personal data). Exit 1 if it "
        "cannot sign certificates or seal their PDFs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="One JSON object, for monitoring.")

    def handle(self, *args, as_json: bool = False, **options):
        status = {**registry_counts(), "signing": signing_status(), "seal": seal_status()}
        if as_json:
            self.stdout.write(json.dumps(status, sort_keys=True))
        else:
            self._print(status)
        if not status["signing"]["ok"]:
            raise CommandError(f"certificates cannot be signed: {status['signing']['error']}")
        if not status["seal"]["ok"]:
            raise CommandError(f"certificate PDFs cannot be sealed: {status['seal']['error']}")

    def _print(self, status: dict) -> None:
        write = self.stdout.write
        write("Registry status")
        for section in ("organisations", "qualifications"):
            counts = status[section]
            write(f"  {section:<26}{sum(counts.values()):>8}  " + _parts(counts))
        write(f"  {'accreditations in force':<26}{status['accreditations_in_force']:>8}")
        write(f"  {'learners':<26}{status['learners']:>8}")
        certificates = dict(status["certificates"])
        write(f"  {'certificates':<26}{certificates.pop('total'):>8}  " + _parts(certificates))
        verifications = dict(status["verifications_last_24h"])
        write(f"  {'verifications (24 h)':<26}{verifications.pop('total'):>8}  " + _parts(verifications))
        signing = status["signing"]
        write("Signing")
        if signing["active_kid"]:
            write(f"  active key {signing['active_kid']}, {signing['active_age_days']} days old")
        else:
            write(f"  NO ACTIVE KEY: {signing['error']}")
        for entry in signing["retired"]:
            write(f"  retired key {entry['kid']} (since {entry['retired_at']})")
        if not signing["retired"]:
            write("  no retired keys")
        seal = status["seal"]
        write("PDF seal")
        if seal["subject"]:
            kind = "self-signed, for development" if seal["self_signed"] else "issued by a CA"
            write(f"  {seal['subject']} ({kind}), valid until {seal['not_after'][:10]}, {seal['days_left']} days left")
        if not seal["ok"]:
            write(f"  NOT USABLE: {seal['error']}")


def _parts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "-"
