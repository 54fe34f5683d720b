"""Bulk import of learners (optionally enrolling them) and module results from providers' spreadsheets (CSV).

All or nothing: every row is checked first (format, references, duplicates in the file); then every row is
written through the ordinary services (so each write is validated and audited) inside one transaction.
If any row fails, at either stage, nothing is written and the refusal lists every bad row with its line
number and field. The format is documented in docs/csv-import.md.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction

from core import policy
from core.errors import DomainError
from credentials.choices import Gender, ResultOutcome
from credentials.models import Cohort, Enrolment, Learner
from registry.choices import AuditAction
from registry.models import CurriculumModule, Municipality, Organisation
from registry.services.audit import audit_record

from .training import enrolment_create, learner_create, learner_update, module_result_record, normalise_name

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

LEARNER_COLUMNS = ("personal_number", "given_name", "family_name", "date_of_birth")
LEARNER_OPTIONAL = ("gender", "municipality", "email", "cohort", "enrolled_on")
RESULT_COLUMNS = ("personal_number", "cohort", "module", "hours_theory", "hours_practice", "outcome")
RESULT_OPTIONAL = ("assessed_on", "assessor")

GENDER_ALIASES = {"f": Gender.FEMALE, "m": Gender.MALE, "": Gender.UNDISCLOSED}

Progress = Callable[[str, int, int], None]


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "enrolled": self.enrolled,
            "dry_run": self.dry_run,
        }


class CsvImportError(DomainError):
    """The file was refused; `errors` lists every bad row (line, field, message)."""

    def __init__(self, errors: list[RowError], message: str = ""):
        self.errors = sorted(errors, key=lambda e: (e.line, e.field))
        super().__init__(
            "csv_invalid",
            message or f"{len(self.errors)} problem(s) in the file; nothing was imported.",
            fields={f"line_{e.line}.{e.field}": [e.message] for e in self.errors},
            extra={"row_errors": [e.as_dict() for e in self.errors]},
        )


# --- reading -------------------------------------------------------------------------------------


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_BYTES:
        raise CsvImportError([RowError(0, "file", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError([RowError(0, "file", "The file is not UTF-8 text (save it as CSV UTF-8).")]) from exc


def read_rows(content: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(line number, row) pairs; the header is line 1. Comma or semicolon separated."""
    text = _decode(content).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvImportError([RowError(1, "header", "The file is empty.")]) from None
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h and h not in required + optional]
    problems = [RowError(1, c, "Missing column.") for c in missing]
    problems += [RowError(1, h, "Unknown column.") for h in unknown]
    if len(set(header)) != len(header):
        problems.append(RowError(1, "header", "A column appears twice."))
    if problems:
        raise CsvImportError(problems)
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            rows.append((line, {"__width__": f"{len(values)} values for {len(header)} columns."}))
            continue
        rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
        if len(rows) > MAX_ROWS:
            raise CsvImportError([RowError(line, "file", f"At most {MAX_ROWS} rows per file.")])
    if not rows:
        raise CsvImportError([RowError(2, "file", "The file has no rows.")])
    return rows


def parse_date(value: str) -> datetime.date:
    """ISO (2024-06-30) or the local day.month.year (30.06.2024)."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError("Not a date (use YYYY-MM-DD or DD.MM.YYYY).")


def _int(value: str) -> int:
    if not value.isdigit():
        raise ValueError("A whole number of hours (0 or more).")
    return int(value)


def _field_errors(line: int, exc: Exception, default_field: str) -> list[RowError]:
    if isinstance(exc, DomainError):
        if exc.fields:
            return [RowError(line, f, "; ".join(map(str, m)) or exc.message) for f, m in exc.fields.items()]
        return [RowError(line, default_field, exc.message)]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                RowError(line, f, "; ".join(m for e in errs for m in e.messages)) for f, errs in exc.error_dict.items()
            ]
        return [RowError(line, default_field, "; ".join(exc.messages))]
    raise exc


# --- learners ------------------------------------------------------------------------------------


def _check_learner_rows(provider: Organisation, rows: list[tuple[int, dict]]) -> tuple[list[dict], list[RowError]]:
    errors: list[RowError] = []
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    cohorts = {c.code: c for c in Cohort.objects.filter(provider=provider).select_related("curriculum")}
    seen: dict[str, int] = {}
    email_ok = EmailValidator()
    parsed = []
    for line, row in rows:
        if "__width__" in row:
            errors.append(RowError(line, "row", row["__width__"]))
            continue
        bad = len(errors)
        pn = row["personal_number"]
        if not (len(pn) == 10 and pn.isdigit()):
            errors.append(RowError(line, "personal_number", "A Kosovo personal number has exactly 10 digits."))
        elif pn in seen:
            errors.append(RowError(line, "personal_number", f"Repeats line {seen[pn]}."))
        else:
            seen[pn] = line
        data: dict = {"personal_number": pn}
        for name in ("given_name", "family_name"):
            value = normalise_name(row[name])
            if not value:
                errors.append(RowError(line, name, "Required."))
            elif len(value) > 100:
                errors.append(RowError(line, name, "At most 100 characters."))
            data[name] = value
        try:
            data["date_of_birth"] = parse_date(row["date_of_birth"])
        except ValueError as exc:
            errors.append(RowError(line, "date_of_birth", str(exc)))
        gender = row.get("gender", "").lower()
        gender = GENDER_ALIASES.get(gender, gender)
        if gender not in Gender.values:
            errors.append(RowError(line, "gender", f"Choose one of {', '.join(Gender.values)} (or f, m)."))
        data["gender"] = gender
        slug = row.get("municipality", "").lower()
        if slug and slug not in municipalities:
            errors.append(RowError(line, "municipality", f"Unknown municipality {slug!r} (use its slug)."))
        data["municipality"] = municipalities.get(slug)
        email = row.get("email", "")
        if email:
            try:
                email_ok(email)
            except ValidationError:
                errors.append(RowError(line, "email", "Not an email address."))
        data["email"] = email
        code = row.get("cohort", "")
        cohort = cohorts.get(code) if code else None
        if code and cohort is None:
            errors.append(RowError(line, "cohort", f"No cohort {code!r} of this provider."))
        enrolled_on = None
        if row.get("enrolled_on"):
            if not code:
                errors.append(RowError(line, "enrolled_on", "Only with a cohort."))
            try:
                enrolled_on = parse_date(row["enrolled_on"])
            except ValueError as exc:
                errors.append(RowError(line, "enrolled_on", str(exc)))
        if len(errors) == bad:
            parsed.append({"line": line, "data": data, "cohort": cohort, "enrolled_on": enrolled_on})
    return parsed, errors


@transaction.atomic
def learners_import(
    *, actor, provider: Organisation, content: bytes | str, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Create or update (by personal number) the provider's learners; a `cohort` column enrols them."""
    policy.require_for(actor, "training.write", provider.pk)
    rows = read_rows(content, LEARNER_COLUMNS, LEARNER_OPTIONAL)
    report = ImportReport(kind="learners", rows=len(rows), dry_run=dry_run)
    parsed, errors = _check_learner_rows(provider, rows)
    if errors:
        raise CsvImportError(errors)
    existing = {
        learner.personal_number: learner
        for learner in Learner.objects.filter(
            provider=provider, personal_number__in=[p["data"]["personal_number"] for p in parsed]
        ).select_related("municipality")
    }
    enrolled = set(
        Enrolment.objects.filter(cohort__provider=provider, learner__in=existing.values()).values_list(
            "learner_id", "cohort_id"
        )
    )
    for done, item in enumerate(parsed, start=1):
        line, data, cohort = item["line"], item["data"], item["cohort"]
        try:
            with transaction.atomic():
                learner = existing.get(data["personal_number"])
                if learner is None:
                    learner = learner_create(actor=actor, provider=provider, data=data)
                    report.created += 1
                else:
                    changes = {k: v for k, v in data.items() if getattr(learner, k) != v}
                    if changes:
                        learner_update(actor=actor, learner=learner, data=changes, reason="CSV import")
                        report.updated += 1
                if cohort is not None and (learner.pk, cohort.pk) not in enrolled:
                    enrolment_create(
                        actor=actor,
                        cohort=cohort,
                        learner=learner,
                        enrolled_on=item["enrolled_on"] or cohort.start_date,
                    )
                    report.enrolled += 1
        except (DomainError, ValidationError) as exc:
            errors.extend(_field_errors(line, exc, "row"))
        if progress:
            progress("import", done, len(parsed))
    return _finish(actor=actor, provider=provider, report=report, errors=errors)


def _finish(*, actor, provider: Organisation, report: ImportReport, errors: list[RowError]) -> ImportReport:
    if errors:
        raise CsvImportError(errors)
    if report.dry_run:
        transaction.set_rollback(True)
        return report
    audit_record(actor=actor, action=AuditAction.IMPORT, instance=provider, after=report.as_dict(), reason="CSV import")
    return report


# --- module results ------------------------------------------------------------------------------


def _check_result_rows(provider: Organisation, rows: list[tuple[int, dict]]) -> tuple[list[dict], list[RowError]]:
    errors: list[RowError] = []
    learners = {lr.personal_number: lr for lr in Learner.objects.filter(provider=provider)}
    cohorts = {c.code: c for c in Cohort.objects.filter(provider=provider).select_related("curriculum")}
    enrolments = {
        (e.learner_id, e.cohort_id): e
        for e in Enrolment.objects.filter(cohort__provider=provider).select_related("cohort__curriculum")
    }
    modules = {
        (m.curriculum_id, m.code): m
        for m in CurriculumModule.objects.filter(curriculum__in={c.curriculum_id for c in cohorts.values()})
    }
    seen: dict[tuple, int] = {}
    parsed = []
    for line, row in rows:
        if "__width__" in row:
            errors.append(RowError(line, "row", row["__width__"]))
            continue
        bad = len(errors)
        learner = learners.get(row["personal_number"])
        if learner is None:
            errors.append(RowError(line, "personal_number", "No learner of this provider with this personal number."))
        cohort = cohorts.get(row["cohort"])
        if cohort is None:
            errors.append(RowError(line, "cohort", f"No cohort {row['cohort']!r} of this provider."))
        enrolment = enrolments.get((learner.pk, cohort.pk)) if learner and cohort else None
        if learner and cohort and enrolment is None:
            errors.append(RowError(line, "cohort", "The learner is not enrolled in this cohort."))
        module = modules.get((cohort.curriculum_id, row["module"])) if cohort else None
        if cohort and module is None:
            errors.append(RowError(line, "module", f"No module {row['module']!r} in the cohort's curriculum."))
        key = (row["personal_number"], row["cohort"], row["module"])
        if key in seen:
            errors.append(RowError(line, "module", f"Repeats line {seen[key]}."))
        seen.setdefault(key, line)
        data: dict = {}
        for name in ("hours_theory", "hours_practice"):
            try:
                data[name] = _int(row[name])
            except ValueError as exc:
                errors.append(RowError(line, name, str(exc)))
        outcome = row["outcome"].lower()
        if outcome not in ResultOutcome.values:
            errors.append(RowError(line, "outcome", f"Choose one of {', '.join(ResultOutcome.values)}."))
        data["outcome"] = outcome
        data["assessed_on"] = None
        if row.get("assessed_on"):
            try:
                data["assessed_on"] = parse_date(row["assessed_on"])
            except ValueError as exc:
                errors.append(RowError(line, "assessed_on", str(exc)))
        elif outcome in (ResultOutcome.PASS, ResultOutcome.FAIL):
            errors.append(RowError(line, "assessed_on", "Required when the outcome is pass or fail."))
        data["assessor"] = normalise_name(row.get("assessor", ""))
        if len(errors) == bad:
            parsed.append({"line": line, "enrolment": enrolment, "module": module, "data": data})
    return parsed, errors


@transaction.atomic
def results_import(
    *, actor, provider: Organisation, content: bytes | str, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Record (create or correct) module results of enrolled learners."""
    policy.require_for(actor, "training.write", provider.pk)
    rows = read_rows(content, RESULT_COLUMNS, RESULT_OPTIONAL)
    report = ImportReport(kind="results", rows=len(rows), dry_run=dry_run)
    parsed, errors = _check_result_rows(provider, rows)
    if errors:
        raise CsvImportError(errors)
    for done, item in enumerate(parsed, start=1):
        try:
            with transaction.atomic():
                _result, created = module_result_record(
                    actor=actor, enrolment=item["enrolment"], module=item["module"], data=item["data"]
                )
            if created:
                report.created += 1
            else:
                report.updated += 1
        except (DomainError, ValidationError) as exc:
            errors.extend(_field_errors(item["line"], exc, "row"))
        if progress:
            progress("import", done, len(parsed))
    return _finish(actor=actor, provider=provider, report=report, errors=errors)
