"""Writes of the credentials area (HackSoft services): training records, issuance, lifecycle, imports."""

from .eligibility import enrolment_eligibility
from .imports import CsvImportError, learners_import, results_import
from .issuance import allocate_serials, certificate_issue, cohort_issue_certificates, new_verification_id
from .lifecycle import (
    certificate_allow_replacement,
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from .training import (
    cohort_create,
    cohort_update,
    enrolment_create,
    enrolment_transition,
    learner_create,
    learner_update,
    module_result_record,
)

__all__ = [
    "CsvImportError",
    "allocate_serials",
    "certificate_allow_replacement",
    "certificate_issue",
    "certificate_reinstate",
    "certificate_reissue",
    "certificate_revoke",
    "certificate_suspend",
    "cohort_create",
    "cohort_issue_certificates",
    "cohort_update",
    "enrolment_create",
    "enrolment_eligibility",
    "enrolment_transition",
    "learner_create",
    "learner_update",
    "learners_import",
    "module_result_record",
    "new_verification_id",
    "results_import",
]
