from .accreditation import Accreditation, AccreditationCondition, Equivalency
from .audit import AuditEntry
from .organisations import Municipality, Organisation, User
from .qualifications import Curriculum, CurriculumModule, LearningOutcome, Qualification
from .standards import Competence, Duty, OccupationalStandard
from .tasks import TaskRecord

__all__ = [
    "Accreditation",
    "AccreditationCondition",
    "AuditEntry",
    "Competence",
    "Curriculum",
    "CurriculumModule",
    "Duty",
    "Equivalency",
    "LearningOutcome",
    "Municipality",
    "OccupationalStandard",
    "Organisation",
    "Qualification",
    "TaskRecord",
    "User",
]
