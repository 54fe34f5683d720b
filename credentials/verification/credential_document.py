"""Verifying a standard credential: a W3C Verifiable Credential document of this registry (what
`/credentials/{verification_id}` serves), sent to `POST /api/v1/verifications`, uploaded on `/v/`, or given to
`manage.py verify_certificate` with the DID document and the status lists (offline).

The checks, each ok / failed / skipped, as for a QR code or an id:

    issuer         the credential names this registry's did:web as its issuer, and its proof names one of the
                   registry's published keys (unknown and withdrawn keys fail)
    proof          the Data Integrity proof (eddsa-rdfc-2022) verifies: nothing was changed since it was signed
    status         the bits at the credential's indexes of the revocation and suspension lists it names
                   (`BitstringStatusListEntry`); online read from the registry, offline from the list files
    accreditation  online only: the provider's accreditation on the award date, from the registry's record
    equivalency    online only: as for any verification

A body that is not a credential document is refused before anything is looked up or logged (400
`credential_invalid`, nothing written). Online, the certificate is the one the credential's `id` names; what the
answer shows about it comes from the registry's record, never from the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from credentials.choices import CertificateStatus, VerificationChannel, VerificationOutcome
from credentials.status_list import bitstring
from credentials.status_list.entries import PURPOSES, REVOCATION, SUSPENSION
from credentials.status_list.lists import bit_from_status, status_at
from credentials.vc.did import issuer_did, resolve_own_method, resolver_for
from credentials.vc.loader import VC_V2
from credentials.vc.proof import verify_proof

from . import selectors
from .checks import FAILED, OK, SKIPPED, Check, check_accreditation, check_equivalency, check_status
from .events import Caller, verification_event_record
from .parsing import VerificationInputError, normalise_verification_id

# The spec's minimum number of entries; a verifier refuses a shorter list (STATUS_LIST_LENGTH_ERROR).
MIN_LIST_ENTRIES = 131_072
MAX_STATUS_ENTRIES = 8
MAX_PROOFS = 4
INDEX_RE = re.compile(r"^(0|[1-9][0-9]{0,9})$")

ResolveMethod = Callable[[str], object]


@dataclass(frozen=True)
class StatusRef:
    """One `BitstringStatusListEntry` of the credential."""

    purpose: str
    list_url: str
    index: int


@dataclass
class CredentialDocument:
    document: dict
    credential_id: str
    issuer: str
    proofs: list[dict]
    status: list[StatusRef] = field(default_factory=list)


def _invalid(message: str, *, field: str = "credential") -> VerificationInputError:
    return VerificationInputError("credential_invalid", message, field=field)


def looks_like_credential(data) -> bool:
    """How `POST /api/v1/verifications` tells a credential document from its other bodies: a JSON-LD object
    (`@context`). None of the other bodies has that key; a credential has to."""
    return isinstance(data, dict) and "@context" in data


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def parse_credential(data) -> CredentialDocument:
    """The parts of a credential document the checks read; VerificationInputError (400) for anything else."""
    if not isinstance(data, dict):
        raise _invalid("A verifiable credential is a JSON object.")
    contexts = _as_list(data.get("@context"))
    if not contexts or contexts[0] != VC_V2:
        raise _invalid(f"A W3C Verifiable Credential 2.0 starts its @context with {VC_V2}.", field="@context")
    types = _as_list(data.get("type"))
    if not all(isinstance(t, str) for t in types) or "VerifiableCredential" not in types:
        raise _invalid("The type must include VerifiableCredential.", field="type")
    credential_id = data.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise _invalid("The credential has no id.", field="id")
    issuer = data.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer, str) or not issuer:
        raise _invalid("The credential names no issuer.", field="issuer")
    if not isinstance(data.get("credentialSubject"), dict | list):
        raise _invalid("The credential has no credentialSubject.", field="credentialSubject")
    proofs = _as_list(data.get("proof"))
    if data.get("proof") is None or not proofs:
        raise _invalid("The credential carries no proof: it is not signed.", field="proof")
    if len(proofs) > MAX_PROOFS or not all(isinstance(p, dict) for p in proofs):
        raise _invalid("The proof must be an object or a short list of objects.", field="proof")
    status = []
    entries = _as_list(data.get("credentialStatus")) if data.get("credentialStatus") is not None else []
    if len(entries) > MAX_STATUS_ENTRIES:
        raise _invalid("Too many credentialStatus entries.", field="credentialStatus")
    for entry in entries:
        if not isinstance(entry, dict):
            raise _invalid("Each credentialStatus entry is an object.", field="credentialStatus")
        if entry.get("type") != "BitstringStatusListEntry":
            continue  # a status mechanism this registry does not use; the checks then find no entry for it
        purpose, url, index = (
            entry.get("statusPurpose"),
            entry.get("statusListCredential"),
            entry.get("statusListIndex"),
        )
        if not isinstance(purpose, str) or not isinstance(url, str) or not isinstance(index, str):
            raise _invalid(
                "A BitstringStatusListEntry has statusPurpose, statusListCredential and statusListIndex (a string).",
                field="credentialStatus",
            )
        if not INDEX_RE.match(index):
            raise _invalid("statusListIndex is a non-negative whole number, as a string.", field="credentialStatus")
        status.append(StatusRef(purpose=purpose, list_url=url, index=int(index)))
    return CredentialDocument(document=data, credential_id=credential_id, issuer=issuer, proofs=proofs, status=status)


# --- the checks -------------------------------------------------------------------------------------------


def issuer_check(parsed: CredentialDocument, *, expected_issuer: str, resolve: ResolveMethod) -> Check:
    if parsed.issuer != expected_issuer:
        return Check(
            "issuer",
            FAILED,
            "issuer_unknown",
            f"The credential names another issuer ({parsed.issuer[:200]}) than this registry ({expected_issuer}).",
        )
    methods = [p.get("verificationMethod") for p in parsed.proofs]
    for method in methods:
        if not isinstance(method, str) or not method.startswith(expected_issuer + "#") or resolve(method) is None:
            return Check(
                "issuer",
                FAILED,
                "issuer_key_unknown",
                "The credential is signed with a key this registry does not publish (unknown or withdrawn).",
                {"key": method if isinstance(method, str) else None},
            )
    kids = ", ".join(m.partition("#")[2] for m in methods)
    return Check(
        "issuer", OK, "issuer_key_known", f"Issued by this registry ({expected_issuer}, key {kids}).", {"key": kids}
    )


def proof_check(parsed: CredentialDocument, *, resolve: ResolveMethod) -> Check:
    if verify_proof(parsed.document, resolve):
        return Check("proof", OK, "proof_valid", "The credential's proof verifies: it is as the registry signed it.")
    return Check(
        "proof",
        FAILED,
        "proof_invalid",
        "The credential's proof does not verify: it was changed after signing, or was not signed by this registry.",
    )


BitLookup = Callable[[StatusRef], bool | None]


def status_bits(parsed: CredentialDocument, lookup: BitLookup) -> tuple[dict[str, bool], Check | None]:
    """{purpose: bit} for revocation and suspension, or a failed check when an entry is missing or unreadable."""
    bits: dict[str, bool] = {}
    for purpose in PURPOSES:
        refs = [ref for ref in parsed.status if ref.purpose == purpose]
        if not refs:
            return bits, Check(
                "status",
                FAILED,
                "status_entry_missing",
                f"The credential has no {purpose} status list entry, so its status cannot be checked.",
            )
        for ref in refs:
            value = lookup(ref)
            if value is None:
                return bits, Check(
                    "status",
                    FAILED,
                    "status_list_unavailable",
                    f"The {purpose} list {ref.list_url[:200]} could not be read or does not hold index {ref.index}.",
                    {"list": ref.list_url[:200], "index": ref.index},
                )
            bits[purpose] = bits.get(purpose, False) or value
    return bits, None


def status_check_from_bits(bits: dict[str, bool]) -> Check:
    if bits.get(REVOCATION):
        return Check("status", FAILED, "status_revoked", "The revocation list marks this credential: it was revoked.")
    if bits.get(SUSPENSION):
        return Check("status", FAILED, "status_suspended", "The suspension list marks this credential as suspended.")
    return Check("status", OK, "status_valid", "Neither the revocation list nor the suspension list marks it.")


LIST_URL_RE = r"/status/([1-9][0-9]{0,8})/(revocation|suspension)"


def registry_bits() -> BitLookup:
    """Online: the bits of this registry's own lists, read from the statuses (no list is built). Both entries of
    a credential name the same list and index: one query answers both."""
    seen: dict[tuple[int, int], tuple[bool, str | None]] = {}

    def lookup(ref: StatusRef) -> bool | None:
        match = re.fullmatch(re.escape(settings.PUBLIC_BASE_URL) + LIST_URL_RE, ref.list_url)
        if match is None or match.group(2) != ref.purpose:
            return None
        key = (int(match.group(1)), ref.index)
        if key not in seen:
            seen[key] = status_at(*key)
        covered, status = seen[key]
        return bit_from_status(ref.purpose, status) if covered else None

    return lookup


def registry_status_check(parsed: CredentialDocument, certificate) -> Check:
    """The lists' bits, worded with the record's status and date (superseded counts as revoked in the lists). The
    lists are built from the statuses, so the two agree; if they ever did not, the stricter one answers."""
    bits, failed = status_bits(parsed, registry_bits())
    if failed is not None:
        return failed
    from_lists = status_check_from_bits(bits)
    if from_lists.result == OK and certificate.status == CertificateStatus.VALID:
        return from_lists
    if from_lists.result == FAILED and certificate.status != CertificateStatus.VALID:
        return check_status(certificate)
    return Check(
        "status",
        FAILED,
        "status_list_disagrees",
        "The status lists and the registry's record disagree about this credential; do not rely on it.",
    )


# --- online: against the registry -------------------------------------------------------------------------


def _credential_verification_id(credential_id: str) -> str | None:
    prefix = f"{settings.PUBLIC_BASE_URL}/credentials/"
    if not credential_id.startswith(prefix):
        return None
    return credential_id[len(prefix) :]


def not_ours() -> VerificationInputError:
    return VerificationInputError(
        "not_found",
        "This registry did not issue this credential: its id is not one of the registry's credential addresses.",
        field="id",
        status_code=404,
    )


def verify_credential(*, document, caller: Caller, channel: str = VerificationChannel.API):
    """Verify a credential document against the registry. Returns a VerificationReport (services.py). A body that
    is not a credential document comes back as the report's error, and nothing is logged."""
    from .services import CertificateNotFound, VerificationReport

    try:
        parsed = parse_credential(document)
    except VerificationInputError as exc:
        return VerificationReport(verification_id="", outcome=VerificationOutcome.MALFORMED, error=exc)
    raw_id = _credential_verification_id(parsed.credential_id)
    error: VerificationInputError | None = None
    verification_id = ""
    if raw_id is None:
        error = not_ours()
    else:
        try:
            verification_id = normalise_verification_id(raw_id, field="id")
        except VerificationInputError:
            error = not_ours()
    certificate = selectors.certificate_for_verification(verification_id) if verification_id else None
    if error is None and certificate is None:
        error = CertificateNotFound(field="id")
    if error is not None:
        report = VerificationReport(verification_id=verification_id, outcome=VerificationOutcome.NOT_FOUND, error=error)
    else:
        checks = [
            issuer_check(parsed, expected_issuer=issuer_did(), resolve=resolve_own_method),
            proof_check(parsed, resolve=resolve_own_method),
            registry_status_check(parsed, certificate),
            check_accreditation(certificate),
            check_equivalency(certificate),
        ]
        genuine = checks[0].result == OK and checks[1].result == OK
        outcome = certificate.status if genuine else VerificationOutcome.CREDENTIAL_MISMATCH
        report = VerificationReport(
            verification_id=verification_id, outcome=outcome, certificate=certificate, checks=checks
        )
    verification_event_record(
        caller=caller,
        channel=channel,
        outcome=report.outcome,
        certificate_id=certificate.pk if certificate is not None else None,
        verification_id_tried=verification_id,
    )
    return report


# --- offline: against files -------------------------------------------------------------------------------


class StatusListFileError(ValueError):
    pass


@dataclass(frozen=True)
class StatusListFile:
    url: str
    purpose: str
    bits: bytes


def read_status_list(document, *, did_document: dict) -> StatusListFile:
    """A saved BitstringStatusListCredential, checked as a verifier must: signed by the DID document's subject
    with one of its assertion keys, of the spec's minimum length. StatusListFileError otherwise."""
    if not isinstance(document, dict):
        raise StatusListFileError("not a JSON object")
    if "BitstringStatusListCredential" not in _as_list(document.get("type")):
        raise StatusListFileError("not a BitstringStatusListCredential")
    issuer = document.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer != did_document.get("id"):
        raise StatusListFileError(f"issued by {issuer!r}, not by {did_document.get('id')!r}")
    if not verify_proof(document, resolver_for(did_document)):
        raise StatusListFileError("its proof does not verify against the DID document")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListFileError("its subject is not a BitstringStatusList")
    try:
        bits = bitstring.decode(subject.get("encodedList"))
    except bitstring.BitstringError as exc:
        raise StatusListFileError(str(exc)) from exc
    if len(bits) * 8 < MIN_LIST_ENTRIES:
        raise StatusListFileError(f"it has {len(bits) * 8} entries, fewer than the {MIN_LIST_ENTRIES} required")
    url = document.get("id")
    if not isinstance(url, str):
        raise StatusListFileError("it has no id")
    return StatusListFile(url=url, purpose=str(subject.get("statusPurpose")), bits=bits)


def offline_checks(document, *, did_document: dict, status_lists: list[StatusListFile]) -> list[Check]:
    """Every check that can be made without the registry: issuer key and proof against the DID document, status
    against the list files (skipped when none is given); accreditation and equivalency need the registry."""
    parsed = parse_credential(document)
    resolve = resolver_for(did_document)
    checks = [
        issuer_check(parsed, expected_issuer=str(did_document.get("id")), resolve=resolve),
        proof_check(parsed, resolve=resolve),
    ]
    if not status_lists:
        checks.append(
            Check("status", SKIPPED, "status_not_checked", "No status lists given: revocation and suspension unknown.")
        )
    else:
        by_url = {(s.url, s.purpose): s for s in status_lists}

        def lookup(ref: StatusRef) -> bool | None:
            found = by_url.get((ref.list_url, ref.purpose))
            if found is None or ref.index >= len(found.bits) * 8:
                return None
            return bitstring.bit(found.bits, ref.index)

        bits, failed = status_bits(parsed, lookup)
        checks.append(failed or status_check_from_bits(bits))
    checks.append(
        Check("accreditation", SKIPPED, "needs_registry", "Offline: the accreditation is checked by the registry.")
    )
    return checks
