from .employer import EmployerSurvey
from .tracer import TracerInvitation, TracerResponse

__all__ = ["EmployerSurvey", "TracerInvitation", "TracerResponse"]
