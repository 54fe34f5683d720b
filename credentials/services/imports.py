"""Bulk import of learners (optionally enrolling them) and module results from providers' spreadsheets (CSV).

All or nothing, in bulk (ADR 0009):
1. **check**: every row is parsed and checked against the reference data (municipalities, cohorts, modules,
   learners) loaded once, with the same rules the single-record services apply (training.py's `check_*`);
2. **write**: in one transaction, the state the rules depend on (existing learners and enrolments, results,
   enrolment status, live certificates; the enrolments locked) is read once more and checked, then every row
   is written with `bulk_create` / `bulk_update`, and audited with one entry per record written (the same
   entries the single-record services write: personal data by name only) plus one entry for the import.
If any row fails, at either stage, nothing is written and the refusal lists every bad row with its line
number, field and a machine-readable code (never a row's values). A constant number of queries per file,
whatever its length. The format is documented in docs/csv-import.md.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core import policy
from core.audit import audit_changes, audit_snapshot, audit_values
from core.bulk_copy import copy_insert
from core.errors import Conflict, DomainError, choose_one_of
from credentials.choices import LIVE_CERTIFICATE_STATUSES, Gender, ResultOutcome
from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from registry.choices import AuditAction
from registry.models import CurriculumModule, Municipality, Organisation
from registry.services.audit import audit_entry

from .training import (
    RESULT_FIELDS,
    check_birth_date,
    check_enrolment_open,
    check_provider,
    check_result,
    check_result_open,
    normalise_name,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
BATCH = 1000

LEARNER_COLUMNS = ("personal_number", "given_name", "family_name", "date_of_birth")
LEARNER_OPTIONAL = ("gender", "municipality", "email", "cohort", "enrolled_on")
RESULT_COLUMNS = ("personal_number", "cohort", "module", "hours_theory", "hours_practice", "outcome")
RESULT_OPTIONAL = ("assessed_on", "assessor")
LEARNER_FIELDS = ("personal_number", "given_name", "family_name", "date_of_birth", "gender", "municipality_id", "email")

GENDER_ALIASES = {"f": Gender.FEMALE, "m": Gender.MALE, "": Gender.UNDISCLOSED}
GENDERS, OUTCOMES = frozenset(Gender.values), frozenset(ResultOutcome.values)  # looked up once per row

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class RowError:
    line: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "code": self.code, "message": str(self.message)}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    # The ids of what the import wrote (empty on a dry run): learners or results created and updated, enrolments.
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    enrolment_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "enrolled": self.enrolled,
            "dry_run": self.dry_run,
            "created_ids": self.created_ids,
            "updated_ids": self.updated_ids,
            "enrolment_ids": self.enrolment_ids,
        }


class CsvImportError(DomainError):
    """The file was refused; `errors` lists every bad row (line, field, code, message)."""

    def __init__(self, errors: list[RowError], message: str = ""):
        self.errors = sorted(errors, key=lambda e: (e.line, e.field))
        super().__init__(
            "csv_invalid",
            message
            or format_lazy(
                ngettext_lazy(
                    "{count} problem in the file; nothing was imported.",
                    "{count} problems in the file; nothing was imported.",
                    len(self.errors),
                ),
                count=len(self.errors),
            ),
            fields={f"line_{e.line}.{e.field}": [e.message] for e in self.errors},
            extra={"row_errors": [e.as_dict() for e in self.errors]},
        )


def _joined(messages: list):
    """A field's messages as one, still lazy: rendered in the language of whoever reads the row's error."""
    if len(messages) <= 1:
        return messages[0] if messages else ""
    return format_lazy("; ".join("{}" for _message in messages), *messages)


def _refused(line: int, exc: DomainError, default_field: str = "row") -> list[RowError]:
    """A service rule's refusal as the row's errors: one per field it names."""
    if exc.fields:
        return [RowError(line, f, exc.code, _joined(m) or exc.message) for f, m in exc.fields.items()]
    return [RowError(line, default_field, exc.code, exc.message)]


def _concurrent_change() -> Conflict:
    return Conflict(
        "import_conflict",
        "Another change to the same records was saved while the file was imported; nothing was imported. "
        "Import the file again.",
    )


# --- reading -------------------------------------------------------------------------------------


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_BYTES:
        raise CsvImportError(
            [
                RowError(
                    0,
                    "file",
                    "file_too_large",
                    format_lazy(_("The file is larger than {size} MB."), size=MAX_BYTES // (1024 * 1024)),
                )
            ]
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            [RowError(0, "file", "not_utf8", _("The file is not UTF-8 text (save it as CSV UTF-8)."))]
        ) from exc


def read_rows(content: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(line number, row) pairs; the header is line 1. Comma or semicolon separated."""
    text = _decode(content).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvImportError([RowError(1, "header", "empty_file", _("The file is empty."))]) from None
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h and h not in required + optional]
    problems = [RowError(1, c, "missing_column", _("Missing column.")) for c in missing]
    problems += [RowError(1, h, "unknown_column", _("Unknown column.")) for h in unknown]
    if len(set(header)) != len(header):
        problems.append(RowError(1, "header", "duplicate_column", _("A column appears twice.")))
    if problems:
        raise CsvImportError(problems)
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            rows.append(
                (
                    line,
                    {
                        "__width__": format_lazy(
                            _("{values} values for {columns} columns."), values=len(values), columns=len(header)
                        )
                    },
                )
            )
            continue
        rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
        if len(rows) > MAX_ROWS:
            raise CsvImportError(
                [RowError(line, "file", "too_many_rows", format_lazy(_("At most {max} rows per file."), max=MAX_ROWS))]
            )
    if not rows:
        raise CsvImportError([RowError(2, "file", "no_rows", _("The file has no rows."))])
    return rows


def count_learner_rows(content: bytes | str) -> int:
    """The file's rows, after checking its shape (encoding, size, header): what a client hears at once."""
    return len(read_rows(content, LEARNER_COLUMNS, LEARNER_OPTIONAL))


def count_result_rows(content: bytes | str) -> int:
    return len(read_rows(content, RESULT_COLUMNS, RESULT_OPTIONAL))


def parse_date(value: str) -> datetime.date:
    """ISO (2024-06-30) or the local day.month.year (30.06.2024)."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Not a date (use YYYY-MM-DD or DD.MM.YYYY)."))


def _int(value: str) -> int:
    if not value.isdigit():
        raise ValueError(_("A whole number of hours (0 or more)."))
    return int(value)


# --- learners ------------------------------------------------------------------------------------


def _check_learner_rows(
    provider: Organisation, rows: list[tuple[int, dict]], progress: Progress
) -> tuple[list[dict], list[RowError]]:
    errors: list[RowError] = []
    municipalities = dict(Municipality.objects.values_list("slug", "pk"))
    cohorts = {c.code: c for c in Cohort.objects.filter(provider=provider).select_related("curriculum__qualification")}
    seen: dict[str, int] = {}
    email_ok = EmailValidator()
    today = timezone.localdate()
    parsed = []
    total = len(rows)
    for done, (line, row) in enumerate(rows, start=1):
        progress("check", done, total)
        if "__width__" in row:
            errors.append(RowError(line, "row", "wrong_width", row["__width__"]))
            continue
        bad = len(errors)
        pn = row["personal_number"]
        if not (len(pn) == 10 and pn.isdigit()):
            errors.append(
                RowError(
                    line,
                    "personal_number",
                    "invalid_personal_number",
                    _("A Kosovo personal number has exactly 10 digits."),
                )
            )
        elif pn in seen:
            errors.append(
                RowError(
                    line, "personal_number", "duplicate_row", format_lazy(_("Repeats line {line}."), line=seen[pn])
                )
            )
        else:
            seen[pn] = line
        data: dict = {"personal_number": pn}
        for name in ("given_name", "family_name"):
            value = normalise_name(row[name])
            if not value:
                errors.append(RowError(line, name, "required", _("Required.")))
            elif len(value) > 100:
                errors.append(RowError(line, name, "too_long", _("At most 100 characters.")))
            data[name] = value
        try:
            data["date_of_birth"] = parse_date(row["date_of_birth"])
            check_birth_date(data["date_of_birth"], today=today)
        except ValueError as exc:
            errors.append(RowError(line, "date_of_birth", "invalid_date", exc.args[0]))
        except DomainError as exc:
            errors.extend(_refused(line, exc, "date_of_birth"))
        gender = row.get("gender", "").lower()
        gender = GENDER_ALIASES.get(gender, gender)
        if gender not in GENDERS:
            errors.append(
                RowError(
                    line,
                    "gender",
                    "invalid_choice",
                    format_lazy(_("Choose one of: {choices} (or f, m)."), choices=", ".join(Gender.values)),
                )
            )
        data["gender"] = gender
        slug = row.get("municipality", "").lower()
        if slug and slug not in municipalities:
            errors.append(
                RowError(
                    line,
                    "municipality",
                    "unknown_municipality",
                    format_lazy(_("Unknown municipality {slug} (use its slug)."), slug=repr(slug)),
                )
            )
        data["municipality_id"] = municipalities.get(slug)
        email = row.get("email", "")
        if email:
            try:
                email_ok(email)
                if len(email) > 254:
                    raise ValidationError(_("At most 254 characters."))
            except ValidationError:
                errors.append(RowError(line, "email", "invalid_email", _("Not an email address.")))
        data["email"] = email
        code = row.get("cohort", "")
        cohort = cohorts.get(code) if code else None
        if code and cohort is None:
            errors.append(
                RowError(
                    line,
                    "cohort",
                    "unknown_cohort",
                    format_lazy(_("No cohort {code} of this provider."), code=repr(code)),
                )
            )
        enrolled_on = None
        if row.get("enrolled_on"):
            if not code:
                errors.append(RowError(line, "enrolled_on", "cohort_required", _("Only with a cohort.")))
            try:
                enrolled_on = parse_date(row["enrolled_on"])
            except ValueError as exc:
                errors.append(RowError(line, "enrolled_on", "invalid_date", exc.args[0]))
        if len(errors) == bad:
            parsed.append({"line": line, "data": data, "cohort": cohort, "enrolled_on": enrolled_on})
    return parsed, errors


def learners_import(
    *, actor, provider: Organisation, content: bytes | str, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Create or update (by personal number) the provider's learners; a `cohort` column enrols them."""
    policy.require_for(actor, "training.write", provider.pk)
    check_provider(provider)
    progress = progress or _no_progress
    rows = read_rows(content, LEARNER_COLUMNS, LEARNER_OPTIONAL)
    report = ImportReport(kind="learners", rows=len(rows), dry_run=dry_run)
    parsed, errors = _check_learner_rows(provider, rows, progress)
    if errors:
        raise CsvImportError(errors)
    try:
        with transaction.atomic():
            _write_learners(actor=actor, provider=provider, parsed=parsed, report=report, progress=progress)
            if dry_run:
                transaction.set_rollback(True)
                report.created_ids, report.updated_ids, report.enrolment_ids = [], [], []  # rolled back
    except IntegrityError:
        raise _concurrent_change() from None  # e.g. the same personal number saved by another request meanwhile
    return report


def _write_learners(*, actor, provider: Organisation, parsed: list[dict], report: ImportReport, progress) -> None:
    total = len(parsed)
    progress("write", 0, total)
    existing = {
        learner.personal_number: learner
        for learner in Learner.objects.filter(
            provider=provider, personal_number__in=[p["data"]["personal_number"] for p in parsed]
        )
    }
    cohort_ids = {p["cohort"].pk for p in parsed if p["cohort"] is not None}
    enrolled = set(Enrolment.objects.filter(cohort_id__in=cohort_ids).values_list("learner_id", "cohort_id"))
    now = timezone.now()
    created: list[Learner] = []
    updated: list[tuple[Learner, dict]] = []
    enrolling: list[tuple[Learner, Cohort, datetime.date]] = []
    errors: list[RowError] = []
    opens: dict[tuple[int, datetime.date], DomainError | None] = {}
    for item in parsed:
        data, cohort = item["data"], item["cohort"]
        learner = existing.get(data["personal_number"])
        if learner is None:
            learner = Learner(provider=provider, created_at=now, updated_at=now, **data)
            created.append(learner)
        else:
            changes = {k: v for k, v in data.items() if getattr(learner, k) != v}
            if changes:
                before = audit_values(learner)
                for name, value in changes.items():
                    setattr(learner, name, value)
                learner.updated_at = now
                updated.append((learner, before))
        if cohort is None or (learner.pk, cohort.pk) in enrolled:
            continue
        enrolled_on = item["enrolled_on"] or cohort.start_date
        key = (cohort.pk, enrolled_on)
        if key not in opens:
            try:
                check_enrolment_open(cohort=cohort, enrolled_on=enrolled_on)
                opens[key] = None
            except DomainError as exc:
                opens[key] = exc
        if opens[key] is not None:
            errors.extend(_refused(item["line"], opens[key], "cohort"))
            continue
        enrolling.append((learner, cohort, enrolled_on))
    if errors:
        raise CsvImportError(errors)
    copy_insert(created)  # COPY (core/bulk_copy.py); a personal number taken meanwhile is an IntegrityError
    Learner.objects.bulk_update([learner for learner, _ in updated], [*LEARNER_FIELDS, "updated_at"], batch_size=BATCH)
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(learner=learner, cohort=cohort, enrolled_on=on, created_at=now, updated_at=now)
            for learner, cohort, on in enrolling
        ],
        batch_size=BATCH,
    )
    report.created, report.updated, report.enrolled = len(created), len(updated), len(enrolments)
    report.created_ids = [learner.pk for learner in created]
    report.updated_ids = [learner.pk for learner, _ in updated]
    report.enrolment_ids = [enrolment.pk for enrolment in enrolments]
    entries = [
        audit_entry(actor=actor, action=AuditAction.CREATE, instance=x, after=audit_snapshot(x)) for x in created
    ]
    for learner, before in updated:
        b, a = audit_changes(learner, before, audit_values(learner))
        entries.append(
            audit_entry(
                actor=actor, action=AuditAction.UPDATE, instance=learner, before=b, after=a, reason="CSV import"
            )
        )
    entries += [
        audit_entry(actor=actor, action=AuditAction.CREATE, instance=e, after=audit_snapshot(e)) for e in enrolments
    ]
    entries.append(
        audit_entry(
            actor=actor, action=AuditAction.IMPORT, instance=provider, after=report.as_dict(), reason="CSV import"
        )
    )
    copy_insert(entries)  # COPY: the same rows, a fraction of an INSERT's cost (core/bulk_copy.py)
    progress("write", total, total)


# --- module results ------------------------------------------------------------------------------


def _check_result_rows(
    provider: Organisation, rows: list[tuple[int, dict]], progress: Progress
) -> tuple[list[dict], list[RowError]]:
    errors: list[RowError] = []
    numbers = {row.get("personal_number") for _line, row in rows}
    learners = dict(
        Learner.objects.filter(provider=provider, personal_number__in=numbers).values_list("personal_number", "pk")
    )
    cohorts = {c.code: c for c in Cohort.objects.filter(provider=provider).select_related("curriculum")}
    codes = {row.get("cohort") for _line, row in rows}
    enrolments = {
        (e.learner_id, e.cohort_id): e.pk
        for e in Enrolment.objects.filter(
            cohort__in=[c for code, c in cohorts.items() if code in codes], learner_id__in=list(learners.values())
        ).only("pk", "learner_id", "cohort_id")
    }
    modules = {
        (m.curriculum_id, m.code): m
        for m in CurriculumModule.objects.filter(curriculum__in={c.curriculum_id for c in cohorts.values()})
    }
    seen: dict[tuple, int] = {}
    parsed = []
    total = len(rows)
    for done, (line, row) in enumerate(rows, start=1):
        progress("check", done, total)
        if "__width__" in row:
            errors.append(RowError(line, "row", "wrong_width", row["__width__"]))
            continue
        bad = len(errors)
        learner_id = learners.get(row["personal_number"])
        if learner_id is None:
            errors.append(
                RowError(
                    line,
                    "personal_number",
                    "unknown_learner",
                    _("No learner of this provider with this personal number."),
                )
            )
        cohort = cohorts.get(row["cohort"])
        if cohort is None:
            errors.append(
                RowError(
                    line,
                    "cohort",
                    "unknown_cohort",
                    format_lazy(_("No cohort {code} of this provider."), code=repr(row["cohort"])),
                )
            )
        enrolment_id = enrolments.get((learner_id, cohort.pk)) if learner_id and cohort else None
        if learner_id and cohort and enrolment_id is None:
            errors.append(RowError(line, "cohort", "not_enrolled", _("The learner is not enrolled in this cohort.")))
        module = modules.get((cohort.curriculum_id, row["module"])) if cohort else None
        if cohort and module is None:
            errors.append(
                RowError(
                    line,
                    "module",
                    "unknown_module",
                    format_lazy(_("No module {code} in the cohort's curriculum."), code=repr(row["module"])),
                )
            )
        key = (row["personal_number"], row["cohort"], row["module"])
        if key in seen:
            errors.append(
                RowError(line, "module", "duplicate_row", format_lazy(_("Repeats line {line}."), line=seen[key]))
            )
        seen.setdefault(key, line)
        data: dict = {}
        for name in ("hours_theory", "hours_practice"):
            try:
                data[name] = _int(row[name])
            except ValueError as exc:
                errors.append(RowError(line, name, "invalid_hours", exc.args[0]))
        outcome = row["outcome"].lower()
        if outcome not in OUTCOMES:
            errors.append(RowError(line, "outcome", "invalid_choice", choose_one_of(ResultOutcome.values)))
        data["outcome"] = outcome
        data["assessed_on"] = None
        if row.get("assessed_on"):
            try:
                data["assessed_on"] = parse_date(row["assessed_on"])
            except ValueError as exc:
                errors.append(RowError(line, "assessed_on", "invalid_date", exc.args[0]))
        elif outcome in (ResultOutcome.PASS, ResultOutcome.FAIL):
            errors.append(RowError(line, "assessed_on", "required", _("Required when the outcome is pass or fail.")))
        data["assessor"] = normalise_name(row.get("assessor", ""))
        if len(data["assessor"]) > 255:
            errors.append(RowError(line, "assessor", "too_long", _("At most 255 characters.")))
        if len(errors) == bad:
            parsed.append({"line": line, "enrolment_id": enrolment_id, "module": module, "data": data})
    return parsed, errors


def results_import(
    *, actor, provider: Organisation, content: bytes | str, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Record (create or correct) module results of enrolled learners."""
    policy.require_for(actor, "training.write", provider.pk)
    progress = progress or _no_progress
    rows = read_rows(content, RESULT_COLUMNS, RESULT_OPTIONAL)
    report = ImportReport(kind="results", rows=len(rows), dry_run=dry_run)
    parsed, errors = _check_result_rows(provider, rows, progress)
    if errors:
        raise CsvImportError(errors)
    try:
        with transaction.atomic():
            _write_results(actor=actor, provider=provider, parsed=parsed, report=report, progress=progress)
            if dry_run:
                transaction.set_rollback(True)
                report.created_ids, report.updated_ids, report.enrolment_ids = [], [], []  # rolled back
    except IntegrityError:
        raise _concurrent_change() from None
    return report


def _write_results(*, actor, provider: Organisation, parsed: list[dict], report: ImportReport, progress) -> None:
    total = len(parsed)
    progress("write", 0, total)
    enrolment_ids = {p["enrolment_id"] for p in parsed}
    # Locked as issuance locks them: no certificate is issued for these enrolments until the results are in.
    enrolments = {e.pk: e for e in Enrolment.objects.select_for_update().filter(pk__in=enrolment_ids).order_by("pk")}
    certified = set(
        Certificate.objects.filter(enrolment_id__in=enrolment_ids, status__in=LIVE_CERTIFICATE_STATUSES).values_list(
            "enrolment_id", flat=True
        )
    )
    existing = {
        (r.enrolment_id, r.module_id): r
        for r in ModuleResult.objects.filter(enrolment_id__in=enrolment_ids, module__in={p["module"] for p in parsed})
    }
    recorded_by = actor if getattr(actor, "pk", None) else None
    now = timezone.now()
    created: list[ModuleResult] = []
    updated: list[tuple[ModuleResult, dict]] = []
    errors: list[RowError] = []
    for item in parsed:
        enrolment, module, data, line = enrolments[item["enrolment_id"]], item["module"], item["data"], item["line"]
        result = existing.get((enrolment.pk, module.pk))
        probe = ModuleResult(enrolment=enrolment, module=module, **data)
        try:
            check_result_open(enrolment=enrolment, certified=enrolment.pk in certified)
            check_result(probe, module)
        except DomainError as exc:
            errors.extend(_refused(line, exc))
            continue
        if result is None:
            probe.recorded_by, probe.updated_at = recorded_by, now
            created.append(probe)
            continue
        changes = {k: v for k, v in data.items() if getattr(result, k) != v}
        if changes:
            before = audit_values(result)
            for name, value in changes.items():
                setattr(result, name, value)
            result.recorded_by, result.updated_at = recorded_by, now
            updated.append((result, before))
    if errors:
        raise CsvImportError(errors)
    ModuleResult.objects.bulk_create(created, batch_size=BATCH)
    ModuleResult.objects.bulk_update(
        [r for r, _ in updated], [*RESULT_FIELDS, "recorded_by", "updated_at"], batch_size=BATCH
    )
    report.created, report.updated = len(created), len(updated)
    report.created_ids = [result.pk for result in created]
    report.updated_ids = [result.pk for result, _ in updated]
    entries = [
        audit_entry(actor=actor, action=AuditAction.CREATE, instance=r, after=audit_snapshot(r)) for r in created
    ]
    for result, before in updated:
        b, a = audit_changes(result, before, audit_values(result))
        entries.append(audit_entry(actor=actor, action=AuditAction.UPDATE, instance=result, before=b, after=a))
    entries.append(
        audit_entry(
            actor=actor, action=AuditAction.IMPORT, instance=provider, after=report.as_dict(), reason="CSV import"
        )
    )
    copy_insert(entries)  # COPY: the same rows, a fraction of an INSERT's cost (core/bulk_copy.py)
    progress("write", total, total)
