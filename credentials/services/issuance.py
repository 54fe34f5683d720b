"""Issuing certificates (rules 1-3 and 6 of DESIGN.md).

- Every rule is checked on the award date by `eligibility`; a refusal raises `DomainError` with the first
  broken rule's code and lists every broken rule in `reasons`; nothing is written.
- One live certificate per enrolment: the enrolment row is locked (`SELECT ... FOR UPDATE`) before the
  check, so issuing twice, even at once, returns the first certificate (and the database's partial unique
  constraint is the last line of defence).
- An enrolment whose certificate was revoked is never issued again silently: a new certificate names the
  revoked one (`replaces_revoked`, with a reason, audited), and only an actor who outranks the revocation
  may (the provider its own revocations; the ministry's, after the ministry allowed a replacement). The
  cohort batch lists such enrolments apart (`previously_revoked`) and never issues them.
- Issuing moves the cohort on: finished once no learner is still in training, otherwise running.
- Serial numbers come from a `SerialCounter` row per qualification and award year, created race-free
  (`INSERT ... ON CONFLICT DO NOTHING`) and locked in the issuing transaction: concurrent issuers queue on
  it, and a rolled-back issuance rolls its number back too, so numbers are unique and gap-free.
- The snapshot of what is printed is built once and signed (Ed25519); later edits never touch it.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import policy
from core.audit import REDACTED
from core.bulk_copy import copy_insert
from core.errors import Conflict, DomainError, NotAllowed
from credentials.batch_signing import BatchSigner
from credentials.choices import (
    COHORT_TRANSITIONS,
    LIVE_CERTIFICATE_STATUSES,
    CohortStatus,
    EnrolmentStatus,
    StatusAuthority,
)
from credentials.date_of_birth import date_of_birth_digest
from credentials.models import Certificate, Cohort, Enrolment, ModuleResult, SerialCounter
from credentials.notifications.events import after_issuance
from credentials.signing import b64url_encode, canonical_json, sign_bytes, signature_mac
from credentials.snapshot import build_certificate_snapshot
from credentials.status_list.allocation import allocate_status_entries
from credentials.tokens import new_certificate_token, stamp_qr_symbol
from registry.choices import AuditAction
from registry.models import AuditEntry, CurriculumModule, Qualification
from registry.services.audit import audit_entry, audit_record
from registry.services.base import check_transition, update_audited

from .eligibility import (
    Eligibility,
    IssuanceBasis,
    evaluate,
    issuance_basis,
    previously_revoked_reason,
    standing_revocations,
)

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VERIFICATION_ID_LENGTH = 26  # 128 bits in 5-bit symbols (the first symbol carries 3 bits)


def new_verification_id() -> str:
    """128 random bits from `secrets`, Crockford base32, 26 upper-case characters."""
    value = secrets.randbits(128)
    return "".join(CROCKFORD_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(VERIFICATION_ID_LENGTH)))


def format_serial(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def allocate_serials(*, qualification: Qualification, year: int, count: int = 1) -> list[str]:
    """Hand out `count` consecutive serial numbers. Call inside the issuing transaction: the counter row
    stays locked until it commits (or rolls back, returning the numbers)."""
    if count <= 0:
        return []
    # ON CONFLICT DO NOTHING: two first issuers of a year never both create the row, neither fails.
    SerialCounter.objects.bulk_create([SerialCounter(qualification=qualification, year=year)], ignore_conflicts=True)
    counter = SerialCounter.objects.select_for_update().get(qualification=qualification, year=year)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return [format_serial(qualification.serial_prefix, year, n) for n in range(first, first + count)]


def _enrolments_for_issuance(queryset):
    """Enrolments with everything the rules and the snapshot read, in a constant number of queries."""
    return queryset.select_related(
        "learner",
        "cohort__provider",
        "cohort__curriculum__qualification__awarding_body",
    ).prefetch_related(Prefetch("results", queryset=ModuleResult.objects.order_by()))


class ResultRow(NamedTuple):
    """A module result as the rules and the snapshot read it: bulk issuance loads these as values (ten per
    enrolment; model instances cost a third of a 10,000-certificate issuance)."""

    module_id: int
    outcome: str
    hours_theory: int
    hours_practice: int


def _results_by_enrolment(cohort: Cohort) -> dict[int, list[ResultRow]]:
    """Every result of the cohort's enrolments, one query, grouped by enrolment."""
    by_enrolment: dict[int, list[ResultRow]] = {}
    rows = ModuleResult.objects.filter(enrolment__cohort=cohort).values_list(
        "enrolment_id", "module_id", "outcome", "hours_theory", "hours_practice"
    )
    for enrolment_id, *values in rows.order_by():
        by_enrolment.setdefault(enrolment_id, []).append(ResultRow(*values))
    return by_enrolment


def _modules(curriculum) -> list[CurriculumModule]:
    """The curriculum's modules, loaded once and kept on it, so `build_certificate_snapshot` reads them free."""
    if "modules" not in getattr(curriculum, "_prefetched_objects_cache", {}):
        prefetch_related_objects(
            [curriculum], Prefetch("modules", queryset=CurriculumModule.objects.order_by("order", "code"))
        )
    return list(curriculum.modules.all())


def award_dates(awarded_on: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    awarded_on = awarded_on or today
    if awarded_on > today:
        raise DomainError(
            "award_date_in_future",
            "The award date cannot be in the future.",
            fields={"awarded_on": ["On or before today."]},
        )
    return awarded_on, today


def _refuse(eligibility: Eligibility) -> DomainError:
    first = eligibility.reasons[0]
    return DomainError(
        first.code,
        first.message,
        extra={"reasons": [r.as_dict() for r in eligibility.reasons]},
    )


def _build_certificate(
    *,
    actor,
    enrolment: Enrolment,
    basis: IssuanceBasis,
    serial_number: str,
    issued_on: datetime.date,
    results: list[ResultRow] | None = None,
    signer: BatchSigner | None = None,
) -> tuple[Certificate, str]:
    """An unsaved certificate, its snapshot signed and its QR token and symbol made, and the snapshot's canonical
    JSON: the bytes signed, which bulk issuance also writes as the row's value (encoded once). A batch signs with
    its `signer` (every signature checked, ADR 0028); one certificate with `sign_bytes`."""
    cohort = enrolment.cohort
    curriculum = cohort.curriculum
    verification_id = new_verification_id()
    snapshot = build_certificate_snapshot(
        enrolment=enrolment,
        accreditation=basis.accreditation,
        equivalency=basis.equivalency,
        serial_number=serial_number,
        verification_id=verification_id,
        awarded_on=basis.awarded_on,
        issued_on=issued_on,
        results=results,
    )
    message = canonical_json(snapshot)  # what `sign_snapshot` signs
    raw_signature, key_id = signer.sign(message) if signer is not None else sign_bytes(message)
    signature = b64url_encode(raw_signature)
    certificate = Certificate(
        serial_number=serial_number,
        verification_id=verification_id,
        learner=enrolment.learner,
        enrolment=enrolment,
        qualification=curriculum.qualification,
        curriculum=curriculum,
        provider=cohort.provider,
        awarding_body=curriculum.qualification.awarding_body,
        accreditation=basis.accreditation,
        equivalency=basis.equivalency,
        holder_name=snapshot["holder"]["full_name"],
        date_of_birth_digest=date_of_birth_digest(
            learner_id=enrolment.learner_id, date_of_birth=enrolment.learner.date_of_birth
        ),
        snapshot=snapshot,
        awarded_on=basis.awarded_on,
        issued_on=issued_on,
        signature=signature,
        key_id=key_id,
        signature_mac=signature_mac(message, signature, key_id),  # the signature was checked by its signer (ADR 0029)
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    certificate.qr_token = new_certificate_token(certificate, signer=signer)
    stamp_qr_symbol(certificate)  # encoded once, here; every print draws it
    return certificate, message.decode()


AUDITED_CERTIFICATE_FIELDS = (
    "serial_number",
    "verification_id",
    "learner_id",
    "enrolment_id",
    "qualification_id",
    "curriculum_id",
    "provider_id",
    "accreditation_id",
    "equivalency_id",
    "holder_name",
    "awarded_on",
    "issued_on",
    "key_id",
    "status",
    "status_authority",
    "supersedes_id",
    "replaces_revoked_id",
)


def certificate_audit_data(certificate: Certificate) -> dict:
    """What the audit log keeps of a certificate: its identifiers and what it was issued under, not the
    snapshot (it holds results, personal data; and it is signed and frozen on the certificate itself). The
    holder's name is named, not shown: personal data in an audit value (the serial identifies the certificate)."""
    data = {}
    for name in AUDITED_CERTIFICATE_FIELDS:
        value = getattr(certificate, name)
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    data["holder_name"] = REDACTED
    return data


def _complete_enrolments(
    *, actor, enrolments: list[Enrolment], on: datetime.date, cohort: Cohort | None = None
) -> list[AuditEntry]:
    """Issuing completes an active enrolment (its results already met the rules). Audited per enrolment,
    or, for a whole cohort (`cohort` given), as one entry on the cohort listing the enrolments: each one's
    certificate is audited anyway, and half the audit rows keep bulk issuance fast."""
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    if not active:
        return []
    Enrolment.objects.filter(pk__in=[e.pk for e in active]).update(
        status=EnrolmentStatus.COMPLETED, completed_on=on, updated_at=timezone.now()
    )
    for e in active:
        e.status, e.completed_on = EnrolmentStatus.COMPLETED, on
    before = {"status": EnrolmentStatus.ACTIVE.value, "completed_on": None}
    after = {"status": EnrolmentStatus.COMPLETED.value, "completed_on": on.isoformat()}
    if cohort is not None:
        return [
            audit_entry(
                actor=actor,
                action=AuditAction.STATUS_CHANGE,
                instance=cohort,
                before={"enrolments": before},
                after={"enrolments": after, "enrolments_completed": [e.pk for e in active]},
            )
        ]
    return [
        audit_entry(actor=actor, action=AuditAction.STATUS_CHANGE, instance=e, before=before, after=after)
        for e in active
    ]


def _advance_cohort(*, actor, cohort: Cohort) -> None:
    """Issuing moves a planned or running cohort on: finished once none of its learners is still in
    training (each enrolment completed or withdrawn), otherwise running. Audited as a status change."""
    if cohort.status == CohortStatus.FINISHED:
        return
    still_training = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACTIVE).exists()
    target = CohortStatus.RUNNING if still_training else CohortStatus.FINISHED
    if target == cohort.status:
        return
    check_transition(what="cohort", current=cohort.status, target=target, transitions=COHORT_TRANSITIONS)
    update_audited(
        actor=actor,
        instance=cohort,
        data={"status": target},
        reason="certificates issued",
        action=AuditAction.STATUS_CHANGE,
    )


def _check_replacement(
    *, actor, enrolment: Enrolment, replaces_revoked: Certificate | None, reason: str
) -> Certificate | None:
    """A revoked certificate's enrolment is issued again only by an explicit decision naming it, taken by
    someone who outranks every revocation standing on the enrolment. Returns the certificate replaced."""
    from .lifecycle import status_authority_of

    standing = standing_revocations(enrolment=enrolment).get(enrolment.pk, [])
    if replaces_revoked is None:
        if standing:
            refusal = previously_revoked_reason(standing[-1])
            raise Conflict(refusal.code, refusal.message, extra={"revoked_certificate": refusal.detail})
        return None
    if replaces_revoked.pk not in {c.pk for c in standing}:
        raise DomainError(
            "invalid_replacement",
            "Name a revoked certificate of this enrolment that no certificate replaces yet.",
            fields={"replaces_revoked": ["Not a standing revocation of this enrolment."]},
        )
    if not reason.strip():
        raise DomainError(
            "reason_required",
            "Say why a new certificate follows the revoked one.",
            fields={"reason": ["Required to replace a revoked certificate."]},
        )
    outranked = [c for c in standing if c.status_authority == StatusAuthority.MINISTRY]
    if outranked and status_authority_of(actor) != StatusAuthority.MINISTRY:
        raise NotAllowed(
            format_lazy(
                _(
                    "The ministry revoked {serial_number}; a new certificate needs the ministry to allow a "
                    "replacement first."
                ),
                serial_number=outranked[-1].serial_number,
            ),
            code="decided_by_ministry",
        )
    return replaces_revoked


@transaction.atomic
def certificate_issue(
    *,
    actor,
    enrolment: Enrolment,
    awarded_on: datetime.date | None = None,
    replaces_revoked: Certificate | None = None,
    reason: str = "",
) -> tuple[Certificate, bool]:
    """Issue the certificate of one enrolment. Returns (certificate, created); a second call for the same
    enrolment returns the live certificate it already has, with created=False.

    If a certificate of the enrolment was revoked, issuing again is refused (`previously_revoked`) unless
    `replaces_revoked` names it and `reason` says why (see `_check_replacement`)."""
    # Lock the enrolment first: concurrent issuers of the same enrolment queue here.
    locked = Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values_list("pk", flat=True)
    if not list(locked):
        raise DomainError("not_found", "No such enrolment.", status_code=404)
    enrolment = _enrolments_for_issuance(Enrolment.objects.filter(pk=enrolment.pk)).get()
    policy.require(actor, "certificate.issue")
    policy.require_act(actor, enrolment)
    existing = (
        Certificate.objects.filter(enrolment=enrolment, status__in=LIVE_CERTIFICATE_STATUSES).order_by("id").first()
    )
    if existing is not None:
        if replaces_revoked is not None and existing.replaces_revoked_id != replaces_revoked.pk:
            raise Conflict(
                "live_certificate_exists",
                format_lazy(
                    _("The enrolment has the certificate {serial_number}; there is nothing to replace."),
                    serial_number=existing.serial_number,
                ),
                fields={"replaces_revoked": ["The enrolment already has a live certificate."]},
            )
        return existing, False
    replaces_revoked = _check_replacement(
        actor=actor, enrolment=enrolment, replaces_revoked=replaces_revoked, reason=reason
    )
    awarded_on, issued_on = award_dates(awarded_on)
    cohort = enrolment.cohort
    basis = issuance_basis(provider=cohort.provider, curriculum=cohort.curriculum, awarded_on=awarded_on)
    modules = _modules(cohort.curriculum)
    eligibility = evaluate(enrolment=enrolment, basis=basis, modules=modules, results=list(enrolment.results.all()))
    if not eligibility.eligible:
        raise _refuse(eligibility)
    (serial,) = allocate_serials(qualification=cohort.curriculum.qualification, year=awarded_on.year)
    certificate, _snapshot_json = _build_certificate(
        actor=actor, enrolment=enrolment, basis=basis, serial_number=serial, issued_on=issued_on
    )
    certificate.replaces_revoked = replaces_revoked
    certificate.full_clean()
    certificate.save()
    allocate_status_entries([certificate])  # its random status-list index, in this transaction
    after_issuance([certificate])  # the holder's private link by e-mail, once this commits
    audit_record(
        actor=actor,
        action=AuditAction.ISSUE,
        instance=certificate,
        before={"replaces_revoked": replaces_revoked.serial_number} if replaces_revoked else None,
        after=certificate_audit_data(certificate),
        reason=reason.strip() if replaces_revoked else "",
    )
    entries = _complete_enrolments(actor=actor, enrolments=[enrolment], on=awarded_on)
    AuditEntry.objects.bulk_create(entries)
    _advance_cohort(actor=actor, cohort=enrolment.cohort)
    return certificate, True


# Fields a bulk issuance does not re-check row by row: the foreign keys (each check would be one query per row),
# and the snapshot, which `canonical_json` just encoded (stricter than the field's own check: no NaN).
BULK_SKIP_VALIDATION = [
    "snapshot",
    "learner",
    "enrolment",
    "qualification",
    "curriculum",
    "provider",
    "awarding_body",
    "accreditation",
    "equivalency",
    "supersedes",
    "replaces_revoked",
    "issued_by",
]


@dataclass
class CohortIssueResult:
    cohort: Cohort
    awarded_on: datetime.date
    dry_run: bool
    issued: list[Certificate] = field(default_factory=list)
    would_issue: list[Enrolment] = field(default_factory=list)
    already_issued: list[Certificate] = field(default_factory=list)
    refused: list[Eligibility] = field(default_factory=list)
    # (enrolment, its revoked certificate): never issued in a batch; each needs an explicit decision.
    previously_revoked: list[tuple[Enrolment, Certificate]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The answer the API gives (and a background task keeps): ids, serial and verification numbers, the
        holders' names (the provider and the ministry read those anyway) and the broken rules; no personal data."""
        return {
            "cohort": self.cohort.pk,
            "awarded_on": self.awarded_on.isoformat(),
            "dry_run": self.dry_run,
            "issued": [_certificate_entry(c) for c in self.issued],
            "already_issued": [_certificate_entry(c) for c in self.already_issued],
            "would_issue": [_enrolment_entry(e) for e in self.would_issue],
            "refused": [_enrolment_entry(e.enrolment, e.reasons) for e in self.refused],
            "previously_revoked": [
                {
                    **_enrolment_entry(enrolment),
                    "revoked_certificate": revoked.pk,
                    "revoked_serial_number": revoked.serial_number,
                    "decided_by": revoked.status_authority,
                }
                for enrolment, revoked in self.previously_revoked
            ],
        }


def _enrolment_entry(enrolment: Enrolment, reasons=None) -> dict:
    entry = {"enrolment": enrolment.pk, "learner": enrolment.learner_id, "holder_name": enrolment.learner.full_name}
    if reasons is not None:
        entry["reasons"] = [r.as_dict() for r in reasons]
    return entry


def _certificate_entry(certificate: Certificate) -> dict:
    return {
        "id": certificate.pk,
        "serial_number": certificate.serial_number,
        "verification_id": certificate.verification_id,
        "status": certificate.status,
        "holder_name": certificate.holder_name,
        "enrolment": certificate.enrolment_id,
        "learner": certificate.learner_id,
    }


@transaction.atomic
def cohort_issue_certificates(
    *,
    actor,
    cohort: Cohort,
    awarded_on: datetime.date | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> CohortIssueResult:
    """Issue a certificate to every eligible enrolment of the cohort that has none yet, in one transaction.
    An enrolment whose certificate was revoked is never issued here: it is listed in `previously_revoked`.

    `dry_run` writes nothing and says who would get one and why the others would not. Built for volume:
    the catalogue rules are checked once, serials are allocated in one locked step, and certificates and
    audit entries are inserted in bulk. `progress(stage, done, total)` hears how far the check and the
    signing got (a background task shows it; ADR 0009).
    """
    progress = progress or (lambda stage, done, total: None)
    policy.require(actor, "certificate.issue")
    policy.require_act(actor, cohort)
    awarded_on, issued_on = award_dates(awarded_on)
    cohort = Cohort.objects.select_related("provider", "curriculum__qualification__awarding_body").get(pk=cohort.pk)
    if not dry_run:
        # Lock every enrolment of the cohort (in id order, so two bulk runs never deadlock).
        list(Enrolment.objects.select_for_update().filter(cohort=cohort).order_by("pk").values_list("pk", flat=True))
    # The learners joined, the results as values in one query; one shared cohort, curriculum and module list.
    enrolments = list(Enrolment.objects.filter(cohort=cohort).select_related("learner").order_by("pk"))
    results = _results_by_enrolment(cohort)
    modules = _modules(cohort.curriculum)
    for e in enrolments:
        e.cohort = cohort
    live = {
        c.enrolment_id: c
        for c in Certificate.objects.filter(enrolment__cohort=cohort, status__in=LIVE_CERTIFICATE_STATUSES)
    }
    standing = standing_revocations(enrolment__cohort=cohort)
    basis = issuance_basis(provider=cohort.provider, curriculum=cohort.curriculum, awarded_on=awarded_on)
    result = CohortIssueResult(cohort=cohort, awarded_on=awarded_on, dry_run=dry_run)
    for done, e in enumerate(enrolments, start=1):
        progress("check", done, len(enrolments))
        if e.pk in live:
            result.already_issued.append(live[e.pk])
            continue
        if e.pk in standing:
            result.previously_revoked.append((e, standing[e.pk][-1]))
            continue
        eligibility = evaluate(enrolment=e, basis=basis, modules=modules, results=results.get(e.pk, []))
        if eligibility.eligible:
            result.would_issue.append(e)
        else:
            result.refused.append(eligibility)
    if dry_run or not result.would_issue:
        return result
    serials = allocate_serials(
        qualification=cohort.curriculum.qualification, year=awarded_on.year, count=len(result.would_issue)
    )
    certificates, snapshots = [], []
    signer = BatchSigner()
    for done, (e, serial) in enumerate(zip(result.would_issue, serials, strict=True), start=1):
        progress("issue", done, len(serials))
        certificate, snapshot_json = _build_certificate(
            actor=actor,
            enrolment=e,
            basis=basis,
            serial_number=serial,
            issued_on=issued_on,
            results=results.get(e.pk, []),
            signer=signer,
        )
        # Field validation per row, without the per-row queries: the related rows were just loaded (and the
        # enrolments locked), and uniqueness and constraints are the database's to enforce on insert.
        certificate.full_clean(exclude=BULK_SKIP_VALIDATION, validate_unique=False, validate_constraints=False)
        certificates.append(certificate)
        snapshots.append(snapshot_json)
    signer.close()  # the last signature verified, the key still the active one
    # COPY, not INSERT: the same rows, constraints and unique indexes, at a fraction of the cost (core/bulk_copy.py).
    copy_insert(certificates, encoded={"snapshot": snapshots})
    allocate_status_entries(certificates)
    after_issuance(certificates)  # one task e-mails every holder once this commits
    entries = [
        audit_entry(actor=actor, action=AuditAction.ISSUE, instance=c, after=certificate_audit_data(c))
        for c in certificates
    ]
    entries += _complete_enrolments(actor=actor, enrolments=result.would_issue, on=awarded_on, cohort=cohort)
    copy_insert(entries)
    result.issued = certificates
    _advance_cohort(actor=actor, cohort=cohort)
    return result
