from .certificates import Certificate, IdempotencyRecord, SerialCounter
from .status_lists import StatusList, StatusListEntry
from .training import Cohort, Enrolment, Learner, ModuleResult
from .verification import VerificationEvent

__all__ = [
    "Certificate",
    "Cohort",
    "Enrolment",
    "IdempotencyRecord",
    "Learner",
    "ModuleResult",
    "SerialCounter",
    "StatusList",
    "StatusListEntry",
    "VerificationEvent",
]
