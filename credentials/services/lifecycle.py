"""A certificate's life after issuance (rule 4 of DESIGN.md): suspend, reinstate, revoke, reissue.

Certificates are never deleted; each change is a status change with a reason, audited. The ministry may
act on any certificate (annulment); a provider only on its own. Accreditation changes never reach here:
a certificate stays as issued whatever later happens to the accreditation it was issued under.

Authority ranks (DESIGN.md "Authority"): each status decision records who made it (`status_authority`). A
suspension or revocation the ministry decided is undone only by the ministry: a provider can neither
reinstate, revoke over, nor reissue it, nor issue the enrolment again (see `issuance`) until the ministry
reinstates it or, for a revocation, allows a replacement (`certificate_allow_replacement`).
"""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import policy
from core.errors import Conflict, DomainError, NotAllowed, choose_one_of
from credentials.choices import CertificateStatus, RevocationReason, StatusAuthority
from credentials.models import Certificate
from credentials.notifications.events import after_status_change
from credentials.signing import canonical_json, sign_snapshot, signature_mac
from credentials.status_list.allocation import allocate_status_entries
from credentials.status_list.services import status_list_changed
from credentials.tokens import new_certificate_token, stamp_qr_symbol
from registry.choices import AuditAction
from registry.services.audit import audit_record

from .issuance import allocate_serials, certificate_audit_data, new_verification_id
from .training import learner_update, normalise_name

STATUS_FIELDS = ("status", "status_reason_code", "status_reference", "status_changed_at", "status_authority")


def status_authority_of(actor) -> str:
    """The rank a status decision by `actor` carries (core.policy.authority_rank)."""
    return StatusAuthority(policy.authority_rank(actor))


def require_authority_over(actor, certificate: Certificate) -> None:
    """A suspension or revocation decided by the ministry is changed only by the ministry."""
    if (
        certificate.status != CertificateStatus.VALID
        and certificate.status_authority == StatusAuthority.MINISTRY
        and status_authority_of(actor) != StatusAuthority.MINISTRY
    ):
        raise NotAllowed(
            MINISTRY_DECIDED.get(certificate.status, MINISTRY_DECIDED[CertificateStatus.REVOKED]),
            code="decided_by_ministry",
        )


def _lock(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def _status_data(certificate: Certificate) -> dict:
    return {
        "status": certificate.status,
        "status_reason_code": certificate.status_reason_code,
        "status_reference": certificate.status_reference,
        "status_authority": certificate.status_authority,
    }


# The refusals' sentences, one per status and action (translated; the codes stay in `code` and `status`).
MINISTRY_DECIDED = {
    CertificateStatus.REVOKED: _("The ministry revoked this certificate; only the ministry can change that."),
    CertificateStatus.SUSPENDED: _("The ministry suspended this certificate; only the ministry can change that."),
}
CERTIFICATE_IS = {
    CertificateStatus.VALID: _("The certificate is valid."),
    CertificateStatus.SUSPENDED: _("The certificate is suspended."),
    CertificateStatus.REVOKED: _("The certificate is revoked."),
    CertificateStatus.SUPERSEDED: _("The certificate is superseded."),
}
CANNOT_BE = {
    "revoked": _("This certificate cannot be revoked."),
    "suspended": _("This certificate cannot be suspended."),
    "reinstated": _("This certificate cannot be reinstated."),
    "reissued": _("This certificate cannot be reissued."),
}


def _refuse_transition(certificate: Certificate, wanted: str) -> Conflict:
    status_sentence = CERTIFICATE_IS[certificate.status]
    return Conflict(
        "invalid_transition",
        format_lazy("{} {}", CANNOT_BE[wanted], status_sentence),
        fields={"status": [status_sentence]},
    )


def _check_reason_code(reason_code: str) -> None:
    if reason_code not in RevocationReason.values:
        raise DomainError(
            "invalid",
            "Unknown reason code.",
            fields={"reason_code": [choose_one_of(RevocationReason.values)]},
        )


def _change_status(
    *, actor, certificate: Certificate, status: str, reason_code: str, reference: str, note: str = ""
) -> Certificate:
    before = _status_data(certificate)
    was = certificate.status
    certificate.status = status
    certificate.status_reason_code = reason_code
    certificate.status_reference = reference.strip()
    certificate.status_changed_at = timezone.now()
    certificate.status_authority = status_authority_of(actor)
    certificate.full_clean()
    certificate.save(update_fields=[*STATUS_FIELDS, "updated_at"])
    status_list_changed(certificate=certificate, before=was)
    after_status_change(certificate, status=status)  # the holder and subscribers hear of it after commit
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        instance=certificate,
        before=before,
        after=_status_data(certificate),
        reason=note or reference,
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason_code: str, reference: str) -> Certificate:
    """Revoke (annul) a valid or suspended certificate. Final: a revoked certificate stays revoked."""
    policy.require(actor, "certificate.change_status")
    policy.require_act(actor, certificate)
    certificate = _lock(certificate)
    _check_reason_code(reason_code)
    if not reference.strip():
        raise DomainError(
            "reference_required",
            "Give the reference of the decision (case or letter number).",
            fields={"reference": ["Required to revoke."]},
        )
    if certificate.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        raise _refuse_transition(certificate, "revoked")
    require_authority_over(actor, certificate)
    return _change_status(
        actor=actor,
        certificate=certificate,
        status=CertificateStatus.REVOKED,
        reason_code=reason_code,
        reference=reference,
    )


@transaction.atomic
def certificate_suspend(*, actor, certificate: Certificate, reason_code: str, reference: str = "") -> Certificate:
    """Suspend a valid certificate while a question is examined; reinstate or revoke it afterwards."""
    policy.require(actor, "certificate.change_status")
    policy.require_act(actor, certificate)
    certificate = _lock(certificate)
    _check_reason_code(reason_code)
    if certificate.status != CertificateStatus.VALID:
        raise _refuse_transition(certificate, "suspended")
    return _change_status(
        actor=actor,
        certificate=certificate,
        status=CertificateStatus.SUSPENDED,
        reason_code=reason_code,
        reference=reference,
    )


@transaction.atomic
def certificate_reinstate(*, actor, certificate: Certificate, reference: str = "") -> Certificate:
    policy.require(actor, "certificate.change_status")
    policy.require_act(actor, certificate)
    certificate = _lock(certificate)
    if certificate.status != CertificateStatus.SUSPENDED:
        raise _refuse_transition(certificate, "reinstated")
    require_authority_over(actor, certificate)
    return _change_status(
        actor=actor,
        certificate=certificate,
        status=CertificateStatus.VALID,
        reason_code="",
        reference=reference,
        note=reference or "reinstated",
    )


@transaction.atomic
def certificate_reissue(
    *,
    actor,
    certificate: Certificate,
    given_name: str,
    family_name: str,
    reason: str = "",
    correct_learner: bool = True,
) -> Certificate:
    """Correct the holder's name: a new certificate (new serial, new verification id, signed) that
    supersedes the old one, which then verifies as `superseded`.

    The new snapshot is the old one with the corrected names and the new identifiers: what else was
    printed (titles, hours, modules, accreditation, award date) stays as it was awarded, whatever the
    catalogue says today. The learner's record is corrected too unless `correct_learner=False`.
    """
    policy.require(actor, "certificate.reissue")
    policy.require_act(actor, certificate)
    old = _lock(certificate)
    if old.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        raise _refuse_transition(old, "reissued")
    require_authority_over(actor, old)  # the new certificate would verify valid
    given, family = normalise_name(given_name), normalise_name(family_name)
    if not given or not family:
        raise DomainError(
            "invalid",
            "Both names are required.",
            fields={k: ["Required."] for k, v in (("given_name", given), ("family_name", family)) if not v},
        )
    holder = old.snapshot["holder"]
    if (given, family) == (holder["given_name"], holder["family_name"]):
        raise DomainError(
            "name_unchanged", "The names are those already printed; nothing to correct.", fields={"given_name": []}
        )
    before = _status_data(old)
    was = old.status
    old.status = CertificateStatus.SUPERSEDED
    old.status_changed_at = timezone.now()
    old.status_reason_code = ""
    old.status_reference = reason.strip()[:255]
    old.status_authority = status_authority_of(actor)
    old.full_clean()
    old.save(update_fields=[*STATUS_FIELDS, "updated_at"])
    status_list_changed(certificate=old, before=was)
    after_status_change(old, status=CertificateStatus.SUPERSEDED)
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        instance=old,
        before=before,
        after=_status_data(old),
        reason=reason or "superseded by a reissue",
    )

    (serial,) = allocate_serials(qualification=old.qualification, year=old.awarded_on.year)
    issued_on = timezone.localdate()
    snapshot = copy.deepcopy(old.snapshot)
    snapshot.update(
        serial_number=serial,
        verification_id=new_verification_id(),
        issued_on=issued_on.isoformat(),
        holder={"given_name": given, "family_name": family, "full_name": f"{given} {family}"},
    )
    signature, key_id = sign_snapshot(snapshot)  # checked with the key as it is made: MAC'd below (ADR 0029)
    new = Certificate(
        serial_number=serial,
        verification_id=snapshot["verification_id"],
        learner_id=old.learner_id,
        enrolment_id=old.enrolment_id,
        qualification_id=old.qualification_id,
        curriculum_id=old.curriculum_id,
        provider_id=old.provider_id,
        awarding_body_id=old.awarding_body_id,
        accreditation_id=old.accreditation_id,
        equivalency_id=old.equivalency_id,
        holder_name=snapshot["holder"]["full_name"],
        date_of_birth_digest=old.date_of_birth_digest,  # a name correction: the date of birth stays as issued
        snapshot=snapshot,
        awarded_on=old.awarded_on,
        issued_on=issued_on,
        signature=signature,
        key_id=key_id,
        signature_mac=signature_mac(canonical_json(snapshot), signature, key_id),
        supersedes=old,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    new.qr_token = new_certificate_token(new)
    stamp_qr_symbol(new)
    new.full_clean()
    new.save()
    allocate_status_entries([new])
    audit_record(
        actor=actor,
        action=AuditAction.REISSUE,
        instance=new,
        before={"supersedes": old.serial_number},
        after=certificate_audit_data(new),
        reason=reason,
    )
    learner = old.learner
    if correct_learner and (learner.given_name, learner.family_name) != (given, family):
        learner_update(actor=actor, learner=learner, data={"given_name": given, "family_name": family}, reason=reason)
    return new


@transaction.atomic
def certificate_allow_replacement(*, actor, certificate: Certificate, reference: str) -> Certificate:
    """The ministry lifts the bar its own revocation puts on the enrolment: the certificate stays revoked
    (what it printed stays annulled), but its provider may now issue a new one that names it
    (`certificate_issue(replaces_revoked=...)`), as after a revocation the provider decided itself."""
    if status_authority_of(actor) != StatusAuthority.MINISTRY:
        raise NotAllowed("Only the ministry lifts a revocation it decided.", code="ministry_only")
    certificate = _lock(certificate)
    if not reference.strip():
        raise DomainError(
            "reference_required",
            "Give the reference of the decision (case or letter number).",
            fields={"reference": ["Required."]},
        )
    if (
        certificate.status != CertificateStatus.REVOKED
        or Certificate.objects.filter(replaces_revoked=certificate).exists()
    ):
        raise Conflict(
            "invalid_transition",
            "Only a revoked certificate that was not replaced yet can be released for a replacement.",
            fields={"status": [CERTIFICATE_IS[certificate.status]]},
        )
    if certificate.status_authority != StatusAuthority.MINISTRY:
        raise Conflict(
            "not_decided_by_ministry",
            "The provider revoked this certificate; it may issue a replacement without the ministry.",
        )
    before = _status_data(certificate)
    certificate.status_authority = StatusAuthority.PROVIDER
    certificate.full_clean()
    certificate.save(update_fields=["status_authority", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        instance=certificate,
        before=before,
        after=_status_data(certificate),
        reason=reference.strip(),
    )
    return certificate
