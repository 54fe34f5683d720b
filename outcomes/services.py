"""Writes of the tracer study and the employer survey. Every write checks who acts, validates
everything before it saves, and leaves an audit entry."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core import policy
from core.api.errors import django_validation_fields
from core.audit import audit_snapshot
from core.errors import Conflict, DomainError, NotAllowed, choose_one_of, from_one_to
from credentials.choices import LIVE_CERTIFICATE_STATUSES, VerificationOutcome
from credentials.models import Certificate, VerificationEvent
from outcomes.choices import DEFAULT_TRACER_WAVES, CompetenceArea, EmploymentStatus, ResponseSource
from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse
from registry.choices import AuditAction, OrganisationKind
from registry.models import AuditEntry, Municipality, Organisation
from registry.services.audit import audit_entry
from registry.services.base import create_audited, update_audited

INVITATION_DEFAULT_DAYS = 30
INVITATION_MAX_DAYS = 180
IMPORT_MAX_ROWS = 5000
EMPLOYER_KINDS = (OrganisationKind.EMPLOYER, OrganisationKind.MUNICIPALITY)
RELATED_FIELDS = ["certificate", "enrolment", "employer", "work_municipality", "recorded_by"]


def tracer_waves() -> tuple[int, ...]:
    """The waves (months after the award) the study asks in; `settings.TRACER_WAVES` overrides."""
    return tuple(getattr(settings, "TRACER_WAVES", DEFAULT_TRACER_WAVES))


def skills_mean(scores: dict) -> Decimal | None:
    if not scores:
        return None
    mean = Decimal(sum(scores.values())) / Decimal(len(scores))
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _require_recorder(actor, certificate: Certificate) -> None:
    """The ministry, or the provider that issued the certificate."""
    policy.require(actor, "tracer.write")
    policy.require_act(actor, certificate)


def _source_for(actor) -> str:
    return ResponseSource.MINISTRY if policy.acts_as_ministry(actor) else ResponseSource.PROVIDER


@dataclass
class TracerAnswers:
    """What a graduate answers in one wave (the same for every way of recording it)."""

    employment_status: str
    employer: Organisation | None = None
    employer_name: str = ""
    work_municipality: Municipality | None = None
    months_to_first_job: int | None = None
    job_uses_qualification: bool | None = None
    skills_satisfaction: dict | None = None
    would_choose_again: bool | None = None
    responded_on: datetime.date | None = None


def _build_response(
    *, certificate: Certificate, wave: int, answers: TracerAnswers, source: str, actor
) -> TracerResponse:
    """An unsaved, fully validated response; raises DomainError/ValidationError naming the bad fields."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if certificate.status not in LIVE_CERTIFICATE_STATUSES:
        raise DomainError(
            "certificate_not_live",
            format_lazy(
                _("The certificate is {status}, not live; record the answers on the graduate's live certificate."),
                status=certificate.status,
            ),
            fields={"certificate": ["The certificate is not live."]},
        )
    if wave not in tracer_waves():
        errors["wave"] = [
            format_lazy(
                _("The study asks at {months} months after the award."), months=", ".join(map(str, tracer_waves()))
            )
        ]
    responded_on = answers.responded_on or today
    if responded_on > today:
        errors["responded_on"] = [_("The answer date cannot be in the future.")]
    elif responded_on < certificate.awarded_on:
        errors["responded_on"] = [_("The answer date cannot be before the award.")]
    response = TracerResponse(
        certificate=certificate,
        enrolment_id=certificate.enrolment_id,
        wave=wave,
        employment_status=answers.employment_status,
        employer=answers.employer,
        employer_name=(answers.employer_name or "").strip(),
        work_municipality=answers.work_municipality,
        months_to_first_job=answers.months_to_first_job,
        job_uses_qualification=answers.job_uses_qualification,
        skills_satisfaction=answers.skills_satisfaction or {},
        would_choose_again=answers.would_choose_again,
        responded_on=responded_on,
        source=source,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        # The related rows were just loaded by the caller: skip the per-row existence queries, and check
        # uniqueness once (by the caller), so an import costs a constant number of lookups.
        response.full_clean(exclude=RELATED_FIELDS, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in django_validation_fields(exc).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise DomainError("invalid", "The answers are not valid.", fields=errors)
    response.skills_mean = skills_mean(response.skills_satisfaction)
    return response


def _refuse_duplicate(certificate: Certificate, wave: int) -> None:
    if TracerResponse.objects.filter(enrolment_id=certificate.enrolment_id, wave=wave).exists():
        raise Conflict(
            "already_answered",
            format_lazy(_("This graduate already has an answer for the wave at {wave} months."), wave=wave),
            fields={"wave": ["Already answered."]},
        )


@transaction.atomic
def tracer_response_record(*, actor, certificate: Certificate, wave: int, answers: TracerAnswers) -> TracerResponse:
    """The provider (own certificates) or the ministry records a graduate's answers for one wave."""
    _require_recorder(actor, certificate)
    response = _build_response(
        certificate=certificate, wave=wave, answers=answers, source=_source_for(actor), actor=actor
    )
    _refuse_duplicate(certificate, wave)
    return create_audited(actor=actor, instance=response)


@transaction.atomic
def tracer_response_update(*, actor, response: TracerResponse, answers: TracerAnswers) -> TracerResponse:
    """Correct a recorded response (same graduate and wave)."""
    _require_recorder(actor, response.certificate)
    rebuilt = _build_response(
        certificate=response.certificate, wave=response.wave, answers=answers, source=response.source, actor=actor
    )
    fields = [
        "employment_status",
        "employer",
        "employer_name",
        "work_municipality",
        "months_to_first_job",
        "job_uses_qualification",
        "skills_satisfaction",
        "skills_mean",
        "would_choose_again",
        "responded_on",
    ]
    return update_audited(actor=actor, instance=response, data={f: getattr(rebuilt, f) for f in fields})


# --- one-time invitation links --------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def tracer_invitation_create(
    *, actor, certificate: Certificate, wave: int, valid_days: int = INVITATION_DEFAULT_DAYS, token: str | None = None
) -> tuple[TracerInvitation, str]:
    """A one-time link for the graduate. Returns the invitation and the token, which is never stored
    and cannot be shown again. `token`: one the caller made (the e-mail sender derives it from a nonce it keeps,
    so a retried e-mail carries the same link: outcomes/tracer_mail.py); random otherwise."""
    _require_recorder(actor, certificate)
    if certificate.status not in LIVE_CERTIFICATE_STATUSES:
        raise DomainError("certificate_not_live", "The certificate is not live.", fields={"certificate": ["Not live."]})
    if wave not in tracer_waves():
        raise DomainError("invalid", "Unknown wave.", fields={"wave": [choose_one_of(map(str, tracer_waves()))]})
    if not 1 <= valid_days <= INVITATION_MAX_DAYS:
        raise DomainError("invalid", "Bad validity.", fields={"valid_days": [from_one_to(INVITATION_MAX_DAYS)]})
    _refuse_duplicate(certificate, wave)
    token = token or secrets.token_urlsafe(32)
    invitation = TracerInvitation(
        certificate=certificate,
        wave=wave,
        token_hash=hash_token(token),
        expires_at=timezone.now() + datetime.timedelta(days=valid_days),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return create_audited(actor=actor, instance=invitation), token


def tracer_invitation_open(*, token: str) -> TracerInvitation:
    """The invitation a token opens, if it is still usable. Unknown, expired and used tokens get the
    same answer, so a guesser learns nothing."""
    invitation = (
        TracerInvitation.objects.select_related("certificate", "certificate__qualification", "certificate__provider")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= timezone.now():
        raise DomainError(
            "invitation_invalid", "This link is not valid, has expired or was already used.", status_code=404
        )
    return invitation


@transaction.atomic
def tracer_invitation_answer(*, token: str, answers: TracerAnswers) -> TracerResponse:
    """The graduate answers through the link; the link is then spent (the row is locked, so a double
    submit records one response)."""
    invitation = tracer_invitation_open(token=token)
    invitation = TracerInvitation.objects.select_for_update().select_related("certificate").get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise DomainError("invitation_invalid", "This link was already used.", status_code=404)
    answers.responded_on = timezone.localdate()
    certificate = invitation.certificate
    response = _build_response(
        certificate=certificate, wave=invitation.wave, answers=answers, source=ResponseSource.GRADUATE, actor=None
    )
    _refuse_duplicate(certificate, invitation.wave)
    create_audited(actor=None, instance=response)
    update_audited(
        actor=None,
        instance=invitation,
        data={"used_at": timezone.now(), "response": response},
        action=AuditAction.STATUS_CHANGE,
        reason="answered by the graduate",
    )
    return response


# --- CSV import -----------------------------------------------------------------------------------

IMPORT_REQUIRED = ("serial_number", "wave", "employment_status", "responded_on")
IMPORT_OPTIONAL = (
    "employer",
    "employer_name",
    "work_municipality",
    "months_to_first_job",
    "job_uses_qualification",
    "would_choose_again",
)
SKILL_COLUMN_PREFIX = "satisfaction_"
IMPORT_COLUMNS = IMPORT_REQUIRED + IMPORT_OPTIONAL + tuple(f"{SKILL_COLUMN_PREFIX}{a}" for a in CompetenceArea.values)
_TRUE = {"1", "true", "yes", "y", "po", "p"}
_FALSE = {"0", "false", "no", "n", "jo", "j"}


class _RowError(Exception):
    def __init__(self, field: str, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def _parse_int(field: str, raw: str) -> int | None:
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise _RowError(field, "invalid_number", _("Expected a whole number.")) from None


def _parse_bool(field: str, raw: str) -> bool | None:
    value = raw.lower()
    if value == "":
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _RowError(field, "invalid_boolean", _("Expected yes or no."))


def _parse_date(field: str, raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise _RowError(field, "invalid_date", _("Expected a date as YYYY-MM-DD.")) from None


def _row_error(line: int, field: str, code: str, message: str) -> dict:
    return {"line": line, "field": field, "code": code, "message": message}


def _import_error(errors: list[dict]) -> DomainError:
    fields: dict[str, list[str]] = {}
    for e in errors:
        fields.setdefault(f"line {e['line']}: {e['field']}", []).append(e["message"])
    return DomainError(
        "import_invalid",
        format_lazy(
            ngettext_lazy(
                "{count} problem in the file; nothing was imported.",
                "{count} problems in the file; nothing was imported.",
                len(errors),
            ),
            count=len(errors),
        ),
        fields=fields,
        extra={"rows": errors[:500]},
    )


def read_tracer_rows(csv_text: str) -> list[dict]:
    """The file's rows, after checking its header and size: what a client hears at once (ADR 0009)."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_REQUIRED if c not in header]
    unknown = [c for c in header if c not in IMPORT_COLUMNS]
    if missing or unknown:
        errors = [_row_error(1, c, "missing_column", _("Missing column.")) for c in missing]
        errors += [_row_error(1, c, "unknown_column", _("Unknown column.")) for c in unknown]
        raise _import_error(errors)
    rows = []
    for row in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None})
        if len(rows) > IMPORT_MAX_ROWS:
            raise DomainError(
                "import_too_large", format_lazy(_("Import at most {max} rows per file."), max=IMPORT_MAX_ROWS)
            )
    if not rows:
        raise _import_error([_row_error(2, "serial_number", "no_rows", _("The file has no rows."))])
    return rows


def tracer_responses_import(
    *, actor, csv_text: str, dry_run: bool = False, progress: Callable[[str, int, int], None] | None = None
) -> list[TracerResponse]:
    """Import tracer responses from CSV (header line + one row per graduate and wave).

    Every row is validated before anything is written; one bad row imports nothing and the error names
    the line, the field and a code. A provider may import only for its own certificates. A constant number of
    queries whatever the file's length: the lookups are made once, the answers and their audit entries are
    inserted in bulk, in one transaction that checks once more that no graduate answered meanwhile.
    `progress(stage, done, total)` hears how far it got (the command's bar; a background task, ADR 0009).
    """
    policy.require(actor, "tracer.write")
    progress = progress or (lambda stage, done, total: None)
    rows = read_tracer_rows(csv_text)
    certificates = Certificate.objects.in_bulk({r.get("serial_number", "") for r in rows}, field_name="serial_number")
    employers = Organisation.objects.in_bulk({r.get("employer", "") for r in rows} - {""}, field_name="slug")
    municipalities = Municipality.objects.in_bulk(
        {r.get("work_municipality", "") for r in rows} - {""}, field_name="slug"
    )
    enrolment_ids = [c.enrolment_id for c in certificates.values()]
    existing = set(TracerResponse.objects.filter(enrolment_id__in=enrolment_ids).values_list("enrolment_id", "wave"))
    source = ResponseSource.IMPORT
    errors: list[dict] = []
    seen: dict[tuple[int, int], int] = {}
    built: list[TracerResponse] = []
    for line, row in enumerate(rows, start=2):
        progress("check", line - 1, len(rows))
        try:
            certificate = certificates.get(row.get("serial_number", ""))
            if certificate is None or not policy.may_act(actor, certificate):
                raise _RowError(
                    "serial_number", "unknown_certificate", _("No certificate with this serial number among yours.")
                )
            wave = _parse_int("wave", row.get("wave", ""))
            if wave is None:
                raise _RowError("wave", "required", _("Required."))
            if row.get("employer") and row["employer"] not in employers:
                raise _RowError("employer", "unknown_organisation", _("No organisation with this slug."))
            if row.get("work_municipality") and row["work_municipality"] not in municipalities:
                raise _RowError("work_municipality", "unknown_municipality", _("No municipality with this slug."))
            if row.get("employment_status") not in EmploymentStatus.values:
                raise _RowError("employment_status", "invalid_choice", choose_one_of(EmploymentStatus.values))
            skills = {}
            for area in CompetenceArea.values:
                score = _parse_int(f"{SKILL_COLUMN_PREFIX}{area}", row.get(f"{SKILL_COLUMN_PREFIX}{area}", ""))
                if score is not None:
                    skills[area] = score
            answers = TracerAnswers(
                employment_status=row["employment_status"],
                employer=employers.get(row.get("employer", "")),
                employer_name=row.get("employer_name", ""),
                work_municipality=municipalities.get(row.get("work_municipality", "")),
                months_to_first_job=_parse_int("months_to_first_job", row.get("months_to_first_job", "")),
                job_uses_qualification=_parse_bool("job_uses_qualification", row.get("job_uses_qualification", "")),
                would_choose_again=_parse_bool("would_choose_again", row.get("would_choose_again", "")),
                skills_satisfaction=skills,
                responded_on=_parse_date("responded_on", row.get("responded_on", "")),
            )
            key = (certificate.enrolment_id, wave)
            if key in existing:
                raise _RowError("wave", "already_answered", _("This graduate already has an answer for this wave."))
            if key in seen:
                raise _RowError(
                    "wave",
                    "duplicate_row",
                    format_lazy(_("The same graduate and wave as line {line}."), line=seen[key]),
                )
            seen[key] = line
            built.append(
                _build_response(certificate=certificate, wave=wave, answers=answers, source=source, actor=actor)
            )
        except _RowError as exc:
            errors.append(_row_error(line, exc.field, exc.code, exc.message))
        except DomainError as exc:
            for field, messages in (exc.fields or {"non_field_errors": [exc.message]}).items():
                errors.extend(_row_error(line, field, exc.code, m) for m in messages)
    if errors:
        raise _import_error(errors)
    if dry_run:
        return built
    progress("write", 0, len(built))
    try:
        with transaction.atomic():
            answered = set(
                TracerResponse.objects.filter(enrolment_id__in=enrolment_ids).values_list("enrolment_id", "wave")
            )
            if answered & seen.keys():  # a graduate answered (through a link, another import) meanwhile
                raise _concurrent_change()
            created = _save_many(actor=actor, responses=built)
    except IntegrityError:
        raise _concurrent_change() from None
    progress("write", len(created), len(created))
    return created


def _concurrent_change() -> Conflict:
    return Conflict(
        "import_conflict",
        "Answers of the same graduates were saved while the file was imported; nothing was imported. "
        "Import the file again.",
    )


def _save_many(*, actor, responses: list[TracerResponse]) -> list[TracerResponse]:
    created = TracerResponse.objects.bulk_create(responses, batch_size=1000)
    AuditEntry.objects.bulk_create(
        [
            audit_entry(actor=actor, action=AuditAction.IMPORT, instance=response, after=audit_snapshot(response))
            for response in created
        ],
        batch_size=1000,
    )
    return created


@transaction.atomic
def tracer_responses_record_many(
    *, actor, items: list[tuple[Certificate, int, TracerAnswers]], source: str = ResponseSource.IMPORT
) -> list[TracerResponse]:
    """Record many validated responses at once (the demo seed; system jobs). Skips none: a duplicate
    graduate and wave is refused like everywhere else."""
    policy.require(actor, "catalogue.write")  # the ministry's (and the system's) bulk load
    built = [_build_response(certificate=c, wave=w, answers=a, source=source, actor=actor) for c, w, a in items]
    keys = [(r.enrolment_id, r.wave) for r in built]
    taken = set(
        TracerResponse.objects.filter(enrolment_id__in=[k[0] for k in keys]).values_list("enrolment_id", "wave")
    )
    if taken & set(keys) or len(set(keys)) != len(keys):
        raise Conflict("already_answered", "Some graduates already have an answer for that wave.")
    return _save_many(actor=actor, responses=built)


# --- employer survey ------------------------------------------------------------------------------

# A verification with one of these outcomes looked up the graduate's real certificate (not a forged QR
# token, not a date of birth that did not match).
LINKING_VERIFICATIONS = (
    VerificationOutcome.VALID,
    VerificationOutcome.SUSPENDED,
    VerificationOutcome.REVOKED,
    VerificationOutcome.SUPERSEDED,
)


def employer_knows_graduate(*, employer: Organisation, certificate: Certificate) -> bool:
    """Whether `employer` has a recorded link to the graduate holding `certificate`: a tracer answer of the
    graduate names it as employer (any wave), or it verified one of the graduate's certificates itself
    (a reissued certificate is the same graduate). A free-text employer name does not count."""
    named = TracerResponse.objects.filter(enrolment_id=certificate.enrolment_id, employer=employer)
    verified = VerificationEvent.objects.filter(
        certificate__enrolment_id=certificate.enrolment_id,
        verifier_organisation=employer,
        outcome__in=LINKING_VERIFICATIONS,
    )
    return named.exists() or verified.exists()


@transaction.atomic
def employer_survey_record(
    *,
    actor,
    employer: Organisation,
    certificate: Certificate,
    graduate_satisfaction: int,
    programme_satisfaction: int | None = None,
    surveyed_on: datetime.date | None = None,
) -> EmployerSurvey:
    """An employer or municipality (verifier role) records its rating of a graduate it employs.
    The ministry may record one on an employer's behalf (e.g. from a paper survey). Only an employer
    linked to the graduate may rate them (employer_knows_graduate), whoever records it: otherwise anyone
    holding a verification id could move a graduate's, a provider's and the programme's ratings."""
    policy.require(actor, "employer_survey.write")
    if not policy.acts_as_ministry(actor):
        policy.require_for(actor, "employer_survey.write", employer.pk)
    if employer.kind not in EMPLOYER_KINDS:
        raise DomainError(
            "not_an_employer", "Only an employer or a municipality rates graduates.", fields={"employer": ["Not one."]}
        )
    if certificate.status not in LIVE_CERTIFICATE_STATUSES:
        raise DomainError("certificate_not_live", "The certificate is not live.", fields={"certificate": ["Not live."]})
    surveyed_on = surveyed_on or timezone.localdate()
    if surveyed_on > timezone.localdate() or surveyed_on < certificate.awarded_on:
        raise DomainError("invalid", "Bad survey date.", fields={"surveyed_on": ["Between the award and today."]})
    if not employer_knows_graduate(employer=employer, certificate=certificate):
        raise NotAllowed(
            "This employer has no link to the graduate: the graduate's tracer answer must name it as "
            "employer, or it must have verified the graduate's certificate itself.",
            code="employer_not_linked",
        )
    if EmployerSurvey.objects.filter(
        employer=employer, enrolment_id=certificate.enrolment_id, surveyed_on=surveyed_on
    ).exists():
        raise Conflict("already_surveyed", "This employer already rated this graduate on that day.")
    survey = EmployerSurvey(
        employer=employer,
        certificate=certificate,
        enrolment_id=certificate.enrolment_id,
        graduate_satisfaction=graduate_satisfaction,
        programme_satisfaction=programme_satisfaction,
        surveyed_on=surveyed_on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return create_audited(actor=actor, instance=survey)
