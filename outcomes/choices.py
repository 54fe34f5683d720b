"""Choices of the tracer study and the employer survey."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentStatus(models.TextChoices):
    EMPLOYED_PUBLIC_SCHOOL = "employed_public_school", _("Employed in a public school")
    EMPLOYED_MUNICIPALITY = "employed_municipality", _("Employed by a municipality")
    EMPLOYED_PRIVATE_FAMILY = "employed_private_family", _("Working with a family")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    EMPLOYED_OTHER = "employed_other", _("Employed elsewhere")
    FURTHER_STUDY = "further_study", _("In further study")
    UNEMPLOYED = "unemployed", _("Unemployed")
    INACTIVE = "inactive", _("Inactive")


EMPLOYED_STATUSES = (
    EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL,
    EmploymentStatus.EMPLOYED_MUNICIPALITY,
    EmploymentStatus.EMPLOYED_PRIVATE_FAMILY,
    EmploymentStatus.SELF_EMPLOYED,
    EmploymentStatus.EMPLOYED_OTHER,
)
# The roles the SEN qualification prepares for (the seed documents' "hired by their municipality, work in
# public schools or independently with families").
SEN_ROLE_STATUSES = (
    EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL,
    EmploymentStatus.EMPLOYED_MUNICIPALITY,
    EmploymentStatus.EMPLOYED_PRIVATE_FAMILY,
)


class CompetenceArea(models.TextChoices):
    """The areas a graduate rates (1-5): the duties of the SEN assistant's occupational standard."""

    INCLUSIVE_EDUCATION = "inclusive_education", _("Inclusive education and children's rights")
    CHILD_DEVELOPMENT = "child_development", _("Child development and special educational needs")
    LEARNING_SUPPORT = "learning_support", _("Supporting learning and the individual education plan")
    COMMUNICATION = "communication", _("Communication and alternative communication")
    BEHAVIOUR_SUPPORT = "behaviour_support", _("Positive behaviour support")
    CARE_AND_SAFETY = "care_and_safety", _("Personal care, health and safety")
    WORKING_WITH_FAMILIES = "working_with_families", _("Working with families")
    PROFESSIONAL_PRACTICE = "professional_practice", _("Teamwork and professional practice")


class ResponseSource(models.TextChoices):
    PROVIDER = "provider", _("Recorded by the provider")
    MINISTRY = "ministry", _("Recorded by the ministry")
    GRADUATE = "graduate", _("Answered by the graduate (invitation link)")
    IMPORT = "import", _("Imported from CSV")


# Months after the award at which graduates are asked, unless settings.TRACER_WAVES says otherwise.
DEFAULT_TRACER_WAVES = (6, 12)
SATISFACTION_MIN, SATISFACTION_MAX = 1, 5
