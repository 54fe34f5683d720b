"""Choices shared by the catalogue's models, services and API."""

from django.db import models

from core.roles import Role


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", "Ministry"
    QUALIFICATION_AUTHORITY = "qualification_authority", "Qualification authority"
    AWARDING_BODY = "awarding_body", "Awarding body"
    PROVIDER = "provider", "Provider"
    EMPLOYER = "employer", "Employer"
    MUNICIPALITY = "municipality", "Municipality"


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


# Which roles a user of each kind of organisation may hold.
ROLES_BY_KIND = {
    OrganisationKind.MINISTRY: {Role.MINISTRY},
    OrganisationKind.QUALIFICATION_AUTHORITY: {Role.MINISTRY, Role.AWARDING_BODY},
    OrganisationKind.AWARDING_BODY: {Role.AWARDING_BODY},
    OrganisationKind.PROVIDER: {Role.PROVIDER},
    OrganisationKind.EMPLOYER: {Role.VERIFIER},
    OrganisationKind.MUNICIPALITY: {Role.VERIFIER},
}


class StandardStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CompetenceKind(models.TextChoices):
    KNOWLEDGE = "knowledge", "Knowledge"
    SKILL = "skill", "Skill"
    AUTONOMY_RESPONSIBILITY = "autonomy_responsibility", "Autonomy and responsibility"


class QualificationType(models.TextChoices):
    VOCATIONAL = "vocational", "Vocational qualification"
    OCCUPATIONAL = "occupational", "Occupational qualification"
    GENERAL = "general", "General education qualification"
    HIGHER = "higher", "Higher education qualification"
    AWARD = "award", "Award / partial qualification"


class QualificationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    AVAILABLE = "available", "Available"
    NO_LONGER_AWARDED = "no_longer_awarded", "No longer awarded"
    CERTIFICATION_CLOSED = "certification_closed", "Certification closed"


# The lifecycle only moves forward.
QUALIFICATION_TRANSITIONS = {
    QualificationStatus.DRAFT: {QualificationStatus.APPROVED},
    QualificationStatus.APPROVED: {QualificationStatus.AVAILABLE},
    QualificationStatus.AVAILABLE: {QualificationStatus.NO_LONGER_AWARDED},
    QualificationStatus.NO_LONGER_AWARDED: {QualificationStatus.CERTIFICATION_CLOSED},
    QualificationStatus.CERTIFICATION_CLOSED: set(),
}


class CurriculumStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid"


class ModuleKind(models.TextChoices):
    THEORY = "theory", "Theory"
    PRACTICE = "practice", "Practice"
    MIXED = "mixed", "Theory and practice"


class AccreditationKind(models.TextChoices):
    INSTITUTIONAL = "institutional", "Institutional"
    PROGRAMME = "programme", "Programme"


class AccreditationExtent(models.TextChoices):
    TRAINING_AND_ASSESSMENT = "training_and_assessment", "Training and assessment"
    ASSESSMENT_ONLY = "assessment_only", "Assessment only"
    TRAINING_ONLY = "training_only", "Training only"


EXTENTS_WITH_ASSESSMENT = {AccreditationExtent.TRAINING_AND_ASSESSMENT, AccreditationExtent.ASSESSMENT_ONLY}


class AccreditationStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    GRANTED = "granted", "Granted"
    GRANTED_WITH_CONDITIONS = "granted_with_conditions", "Granted with conditions"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


ACCREDITATION_IN_FORCE = {AccreditationStatus.GRANTED, AccreditationStatus.GRANTED_WITH_CONDITIONS}

ACCREDITATION_TRANSITIONS = {
    AccreditationStatus.APPLIED: {
        AccreditationStatus.GRANTED,
        AccreditationStatus.GRANTED_WITH_CONDITIONS,
        AccreditationStatus.WITHDRAWN,
    },
    AccreditationStatus.GRANTED: {
        AccreditationStatus.SUSPENDED,
        AccreditationStatus.WITHDRAWN,
        AccreditationStatus.EXPIRED,
        AccreditationStatus.GRANTED_WITH_CONDITIONS,
    },
    AccreditationStatus.GRANTED_WITH_CONDITIONS: {
        AccreditationStatus.GRANTED,
        AccreditationStatus.SUSPENDED,
        AccreditationStatus.WITHDRAWN,
        AccreditationStatus.EXPIRED,
    },
    AccreditationStatus.SUSPENDED: {
        AccreditationStatus.GRANTED,
        AccreditationStatus.GRANTED_WITH_CONDITIONS,
        AccreditationStatus.WITHDRAWN,
        AccreditationStatus.EXPIRED,
    },
    AccreditationStatus.WITHDRAWN: set(),
    AccreditationStatus.EXPIRED: set(),
}


class EquivalencyStatus(models.TextChoices):
    GRANTED = "granted", "Granted"
    SUSPENDED = "suspended", "Suspended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    STATUS_CHANGE = "status_change", "Status change"
    ISSUE = "issue", "Issue"
    REISSUE = "reissue", "Reissue"
    IMPORT = "import", "Import"
    TOKEN_ISSUED = "token_issued", "API token issued"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    DELETE = "delete", "Delete"


class TaskKind(models.TextChoices):
    """Background work the registry runs (ADR 0009); each kind's task lives in the app that owns the work."""

    LEARNERS_IMPORT = "learners_import", "Learner import"
    RESULTS_IMPORT = "results_import", "Module result import"
    TRACER_IMPORT = "tracer_import", "Tracer response import"
    COHORT_ISSUANCE = "cohort_issuance", "Cohort certificate issuance"


class TaskState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


TASK_FINISHED = {TaskState.SUCCEEDED, TaskState.FAILED}
