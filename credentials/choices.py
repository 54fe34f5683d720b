from django.db import models


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNDISCLOSED = "undisclosed", "Not disclosed"


class CohortStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


# A cohort's lifecycle only moves forward: a finished cohort is never reopened (its learners were certified
# or left). Issuing certificates moves it on too (see `credentials.services.issuance`).
COHORT_TRANSITIONS = {
    CohortStatus.PLANNED: {CohortStatus.RUNNING, CohortStatus.FINISHED},
    CohortStatus.RUNNING: {CohortStatus.FINISHED},
    CohortStatus.FINISHED: set(),
}


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ResultOutcome(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    PENDING = "pending", "Pending"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Superseded"


LIVE_CERTIFICATE_STATUSES = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


class StatusAuthority(models.TextChoices):
    """Who decided a certificate's current status, by rank: the ministry outranks the provider, so a
    suspension or revocation the ministry decided is undone only by the ministry."""

    PROVIDER = "provider", "Provider"
    MINISTRY = "ministry", "Ministry"


class RevocationReason(models.TextChoices):
    ISSUED_IN_ERROR = "issued_in_error", "Issued in error"
    FRAUD = "fraud", "Fraud"
    ANNULMENT_DECISION = "annulment_decision", "Annulment decision"
    COURT_ORDER = "court_order", "Court order"
    OTHER = "other", "Other"


class VerificationChannel(models.TextChoices):
    PAGE = "page", "Web page"
    API = "api", "API"
    QR = "qr", "Scanned QR"
    BATCH = "batch", "Batch"
    SHARE = "share", "Holder's share link"


class VerificationOutcome(models.TextChoices):
    VALID = "valid", "Valid"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Superseded"
    NOT_FOUND = "not_found", "Not found"
    MALFORMED = "malformed", "Malformed"
    # A serial number + date of birth that do not belong together (or a serial no certificate has: the two
    # answer alike, so the answer reveals nothing but "does not match").
    DATE_OF_BIRTH_MISMATCH = "date_of_birth_mismatch", "Date of birth does not match"
    # A signed QR token that does not verify or does not describe the certificate its URL names.
    TOKEN_MISMATCH = "token_mismatch", "QR token does not match"
    # A verifiable credential whose proof does not verify, or that is not signed by a key this registry publishes.
    CREDENTIAL_MISMATCH = "credential_mismatch", "Verifiable credential does not match"
