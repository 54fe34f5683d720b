"""Choices of the tracer study and the employer survey."""

from django.db import models


class EmploymentStatus(models.TextChoices):
    EMPLOYED_PUBLIC_SCHOOL = "employed_public_school", "Employed in a public school"
    EMPLOYED_MUNICIPALITY = "employed_municipality", "Employed by a municipality"
    EMPLOYED_PRIVATE_FAMILY = "employed_private_family", "Working with a family"
    SELF_EMPLOYED = "self_employed", "Self-employed"
    EMPLOYED_OTHER = "employed_other", "Employed elsewhere"
    FURTHER_STUDY = "further_study", "In further study"
    UNEMPLOYED = "unemployed", "Unemployed"
    INACTIVE = "inactive", "Inactive"


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

    INCLUSIVE_EDUCATION = "inclusive_education", "Inclusive education and children's rights"
    CHILD_DEVELOPMENT = "child_development", "Child development and special educational needs"
    LEARNING_SUPPORT = "learning_support", "Supporting learning and the individual education plan"
    COMMUNICATION = "communication", "Communication and alternative communication"
    BEHAVIOUR_SUPPORT = "behaviour_support", "Positive behaviour support"
    CARE_AND_SAFETY = "care_and_safety", "Personal care, health and safety"
    WORKING_WITH_FAMILIES = "working_with_families", "Working with families"
    PROFESSIONAL_PRACTICE = "professional_practice", "Teamwork and professional practice"


class ResponseSource(models.TextChoices):
    PROVIDER = "provider", "Recorded by the provider"
    MINISTRY = "ministry", "Recorded by the ministry"
    GRADUATE = "graduate", "Answered by the graduate (invitation link)"
    IMPORT = "import", "Imported from CSV"


# Months after the award at which graduates are asked, unless settings.TRACER_WAVES says otherwise.
DEFAULT_TRACER_WAVES = (6, 12)
SATISFACTION_MIN, SATISFACTION_MAX = 1, 5

# Albanian names for the public pages (the English ones are the choices' labels).
EMPLOYMENT_STATUS_SQ = {
    EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL: "I/e punësuar në shkollë publike",
    EmploymentStatus.EMPLOYED_MUNICIPALITY: "I/e punësuar nga komuna",
    EmploymentStatus.EMPLOYED_PRIVATE_FAMILY: "Punoj me një familje",
    EmploymentStatus.SELF_EMPLOYED: "I/e vetëpunësuar",
    EmploymentStatus.EMPLOYED_OTHER: "I/e punësuar diku tjetër",
    EmploymentStatus.FURTHER_STUDY: "Në studime të mëtejme",
    EmploymentStatus.UNEMPLOYED: "I/e papunë",
    EmploymentStatus.INACTIVE: "Joaktiv/e",
}
COMPETENCE_AREA_SQ = {
    CompetenceArea.INCLUSIVE_EDUCATION: "Arsimi gjithëpërfshirës dhe të drejtat e fëmijëve",
    CompetenceArea.CHILD_DEVELOPMENT: "Zhvillimi i fëmijës dhe nevojat e veçanta arsimore",
    CompetenceArea.LEARNING_SUPPORT: "Mbështetja e të nxënit dhe plani individual i arsimit",
    CompetenceArea.COMMUNICATION: "Komunikimi dhe komunikimi alternativ",
    CompetenceArea.BEHAVIOUR_SUPPORT: "Mbështetja pozitive e sjelljes",
    CompetenceArea.CARE_AND_SAFETY: "Kujdesi personal, shëndeti dhe siguria",
    CompetenceArea.WORKING_WITH_FAMILIES: "Puna me familjet",
    CompetenceArea.PROFESSIONAL_PRACTICE: "Puna në ekip dhe praktika profesionale",
}
