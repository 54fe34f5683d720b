from .certificates import Certificate, IdempotencyRecord, SerialCounter
from .holders import HolderAccess, HolderPreference, ShareLink
from .notifications import (
    CertificateSubscription,
    DeliveryState,
    EmailKind,
    EmailOptOut,
    NotificationEndpoint,
    OutboundEmail,
    WebhookDelivery,
)
from .status_lists import StatusList, StatusListEntry
from .training import Cohort, Enrolment, Learner, ModuleResult
from .verification import VerificationEvent

__all__ = [
    "Certificate",
    "CertificateSubscription",
    "DeliveryState",
    "EmailKind",
    "EmailOptOut",
    "HolderAccess",
    "HolderPreference",
    "NotificationEndpoint",
    "OutboundEmail",
    "ShareLink",
    "WebhookDelivery",
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
