"""Choices shared by the catalogue's models, services and API."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    QUALIFICATION_AUTHORITY = "qualification_authority", _("Qualification authority")
    AWARDING_BODY = "awarding_body", _("Awarding body")
    PROVIDER = "provider", _("Provider")
    EMPLOYER = "employer", _("Employer")
    MUNICIPALITY = "municipality", _("Municipality")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


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
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CompetenceKind(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Knowledge")
    SKILL = "skill", _("Skill")
    AUTONOMY_RESPONSIBILITY = "autonomy_responsibility", _("Autonomy and responsibility")


class QualificationType(models.TextChoices):
    VOCATIONAL = "vocational", _("Vocational qualification")
    OCCUPATIONAL = "occupational", _("Occupational qualification")
    GENERAL = "general", _("General education qualification")
    HIGHER = "higher", _("Higher education qualification")
    AWARD = "award", _("Award / partial qualification")


class QualificationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    AVAILABLE = "available", _("Available")
    NO_LONGER_AWARDED = "no_longer_awarded", _("No longer awarded")
    CERTIFICATION_CLOSED = "certification_closed", _("Certification closed")


# The lifecycle only moves forward.
QUALIFICATION_TRANSITIONS = {
    QualificationStatus.DRAFT: {QualificationStatus.APPROVED},
    QualificationStatus.APPROVED: {QualificationStatus.AVAILABLE},
    QualificationStatus.AVAILABLE: {QualificationStatus.NO_LONGER_AWARDED},
    QualificationStatus.NO_LONGER_AWARDED: {QualificationStatus.CERTIFICATION_CLOSED},
    QualificationStatus.CERTIFICATION_CLOSED: set(),
}


class CurriculumStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class ModuleKind(models.TextChoices):
    THEORY = "theory", _("Theory")
    PRACTICE = "practice", _("Practice")
    MIXED = "mixed", _("Theory and practice")


class AccreditationKind(models.TextChoices):
    INSTITUTIONAL = "institutional", _("Institutional")
    PROGRAMME = "programme", _("Programme")


class AccreditationExtent(models.TextChoices):
    TRAINING_AND_ASSESSMENT = "training_and_assessment", _("Training and assessment")
    ASSESSMENT_ONLY = "assessment_only", _("Assessment only")
    TRAINING_ONLY = "training_only", _("Training only")


EXTENTS_WITH_ASSESSMENT = {AccreditationExtent.TRAINING_AND_ASSESSMENT, AccreditationExtent.ASSESSMENT_ONLY}


class AccreditationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    GRANTED = "granted", _("Granted")
    GRANTED_WITH_CONDITIONS = "granted_with_conditions", _("Granted with conditions")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


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
    GRANTED = "granted", _("Granted")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    STATUS_CHANGE = "status_change", _("Status change")
    ISSUE = "issue", _("Issue")
    REISSUE = "reissue", _("Reissue")
    IMPORT = "import", _("Import")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    DELETE = "delete", _("Delete")


class TaskKind(models.TextChoices):
    """Background work the registry runs (ADR 0009); each kind's task lives in the app that owns the work."""

    LEARNERS_IMPORT = "learners_import", _("Learner import")
    RESULTS_IMPORT = "results_import", _("Module result import")
    TRACER_IMPORT = "tracer_import", _("Tracer response import")
    COHORT_ISSUANCE = "cohort_issuance", _("Cohort certificate issuance")


class TaskState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


TASK_FINISHED = {TaskState.SUCCEEDED, TaskState.FAILED}
