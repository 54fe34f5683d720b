"""What the back office tells a person when a service refuses: the refusal's stable `code` in the reader's
language (gettext), with the service's own message (translated when locale/ has it) for a code not listed here.

The services raise `DomainError(code, message, fields=...)` in English for the API; the admin shows the same
refusal translated. Row errors of a CSV import and issuance reasons carry codes too (docs/csv-import.md).
Nothing here quotes a value from a row or a record: messages name fields and lines only.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

REFUSALS = {
    # who may act
    "permission_denied": _("Your role may not do this."),
    "not_found": _("No such record among those you may see."),
    "provider_required": _("Training records are written by a provider's user."),
    "decided_by_ministry": _("The ministry decided this certificate's status; only the ministry can change it."),
    "ministry_only": _("Only the ministry can do this."),
    # certificate life
    "invalid_transition": _("This status change is not possible from the record's current status."),
    "reference_required": _("Give the reference of the decision (case or letter number)."),
    "name_unchanged": _("The names are those already printed; nothing to correct."),
    "previously_revoked": _("A certificate of this enrolment was revoked; a new one needs an explicit decision."),
    "live_certificate_exists": _("The enrolment already has a live certificate."),
    "not_decided_by_ministry": _("The provider revoked this certificate; it may issue a replacement itself."),
    "award_date_in_future": _("The award date cannot be in the future."),
    # training records
    "personal_number_taken": _("This provider already has a learner with this personal number."),
    "cohort_code_taken": _("This provider already has a cohort with this code."),
    "cohort_has_enrolments": _("A cohort with enrolments keeps its curriculum."),
    "curriculum_withdrawn": _("The curriculum is withdrawn."),
    "curriculum_not_approved": _("The curriculum is not approved yet."),
    "delivery_mode_not_offered": _("The curriculum is not delivered this way."),
    "learner_of_other_provider": _("The learner is recorded by another provider."),
    "already_enrolled": _("The learner is already enrolled in this cohort."),
    "cohort_finished": _("The cohort has finished: no new enrolments."),
    "qualification_closed_for_enrolment": _("The qualification takes no new enrolments on this date."),
    "enrolment_withdrawn": _("The learner withdrew from this cohort."),
    "enrolment_certified": _("A certificate was issued for this enrolment; its results can no longer change."),
    "hours_exceed_module": _("More hours recorded than the module has."),
    "assessed_before_enrolment": _("The assessment date is before the learner enrolled."),
    "module_not_in_curriculum": _("The module is not part of the cohort's curriculum."),
    "import_conflict": _("Another change to the same records was saved meanwhile; nothing was imported. Try again."),
    # issuance reasons (credentials.services.eligibility)
    "accreditation_excludes_assessment": _("The provider's accreditation does not include assessment."),
    "accreditation_not_in_force": _("The provider holds no accreditation in force on the award date."),
    "qualification_not_certifiable": _("The qualification cannot be awarded on this date."),
    "equivalency_missing": _("The foreign qualification has no ministry equivalency in force on the award date."),
    "enrolment_not_completed": _("The learner withdrew from the cohort."),
    "award_before_enrolment": _("The award date is before the learner enrolled."),
    "mandatory_module_not_passed": _("Mandatory modules not passed: %(modules)s."),
    "hours_not_met": _("Hours short: %(theory)s h of theory and %(practice)s h of practice."),
    # CSV rows (docs/csv-import.md)
    "csv_invalid": _("The file has problems; nothing was imported."),
    "missing_column": _("Missing column."),
    "unknown_column": _("Unknown column."),
    "duplicate_column": _("A column appears twice."),
    "wrong_width": _("The row has another number of values than the header has columns."),
    "too_many_rows": _("Too many rows for one file (at most 20,000)."),
    "no_rows": _("The file has no rows."),
    "empty_file": _("The file is empty."),
    "file_too_large": _("The file is larger than 5 MB."),
    "not_utf8": _("The file is not UTF-8 text: save it as “CSV UTF-8”."),
    "required": _("Required."),
    "too_long": _("Too long."),
    "invalid_personal_number": _("A Kosovo personal number has exactly 10 digits."),
    "invalid_date": _("Not a date (use YYYY-MM-DD or DD.MM.YYYY)."),
    "invalid_choice": _("Not one of the allowed values."),
    "invalid_email": _("Not an e-mail address."),
    "invalid_hours": _("A whole number of hours (0 or more)."),
    "duplicate_row": _("Repeats an earlier row of the file."),
    "unknown_municipality": _("Unknown municipality (use its slug)."),
    "unknown_cohort": _("No cohort of yours has this code."),
    "unknown_learner": _("No learner of yours has this personal number."),
    "unknown_module": _("No module of the cohort's curriculum has this code."),
    "not_enrolled": _("The learner is not enrolled in this cohort."),
    "cohort_required": _("Only with a cohort."),
    "task_crashed": _("The task failed; nothing was written. Try again later."),
}


def describe(code: str, fallback: str = "", detail: dict | None = None) -> str:
    """The refusal `code` in the reader's language; the service's English `fallback` for a code not listed."""
    text = REFUSALS.get(code)
    if text is None:  # the service's own message, translated where locale/ has it (core/api/domain_messages.py)
        return gettext(fallback) if fallback else code
    detail = detail or {}
    if code == "mandatory_module_not_passed":
        return str(text) % {"modules": ", ".join(m.get("code", "") for m in detail.get("modules", []))}
    if code == "hours_not_met":
        return str(text) % {
            "theory": detail.get("theory", {}).get("missing", "?"),
            "practice": detail.get("practice", {}).get("missing", "?"),
        }
    return str(text)


def describe_error(exc: DomainError) -> str:
    return describe(exc.code, exc.message, exc.extra.get("detail") if isinstance(exc.extra, dict) else None)


def describe_reason(reason: dict) -> str:
    """An issuance reason (`Reason.as_dict()`): code, message, optional detail."""
    return describe(reason.get("code", ""), reason.get("message", ""), reason.get("detail"))
