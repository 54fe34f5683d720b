from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Not disclosed")


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


# A cohort's lifecycle only moves forward: a finished cohort is never reopened (its learners were certified
# or left). Issuing certificates moves it on too (see `credentials.services.issuance`).
COHORT_TRANSITIONS = {
    CohortStatus.PLANNED: {CohortStatus.RUNNING, CohortStatus.FINISHED},
    CohortStatus.RUNNING: {CohortStatus.FINISHED},
    CohortStatus.FINISHED: set(),
}


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ResultOutcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    PENDING = "pending", _("Pending")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


LIVE_CERTIFICATE_STATUSES = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


class StatusAuthority(models.TextChoices):
    """Who decided a certificate's current status, by rank: the ministry outranks the provider, so a
    suspension or revocation the ministry decided is undone only by the ministry."""

    PROVIDER = "provider", _("Provider")
    MINISTRY = "ministry", _("Ministry")


class RevocationReason(models.TextChoices):
    ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
    FRAUD = "fraud", _("Fraud")
    ANNULMENT_DECISION = "annulment_decision", _("Annulment decision")
    COURT_ORDER = "court_order", _("Court order")
    OTHER = "other", _("Other")


class VerificationChannel(models.TextChoices):
    PAGE = "page", _("Web page")
    API = "api", _("API")
    QR = "qr", _("Scanned QR")
    BATCH = "batch", _("Batch")
    SHARE = "share", _("Holder's share link")


class VerificationOutcome(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")
    NOT_FOUND = "not_found", _("Not found")
    MALFORMED = "malformed", _("Malformed")
    # A serial number + date of birth that do not belong together (or a serial no certificate has: the two
    # answer alike, so the answer reveals nothing but "does not match").
    DATE_OF_BIRTH_MISMATCH = "date_of_birth_mismatch", _("Date of birth does not match")
    # A signed QR token that does not verify or does not describe the certificate its URL names.
    TOKEN_MISMATCH = "token_mismatch", _("QR token does not match")
    # A verifiable credential whose proof does not verify, or that is not signed by a key this registry publishes.
    CREDENTIAL_MISMATCH = "credential_mismatch", _("Verifiable credential does not match")
