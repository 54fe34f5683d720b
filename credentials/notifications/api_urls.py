from django.urls import path

from credentials.api.urls import OptionalSlashRouter

from .api import (
    CertificateSubscriptionViewSet,
    HolderLinkView,
    NotificationEndpointView,
    NotificationSecretRotateView,
)

router = OptionalSlashRouter()
router.register("certificate-subscriptions", CertificateSubscriptionViewSet, basename="certificate-subscription")

urlpatterns = [
    path("certificates/<int:pk>/holder-link", HolderLinkView.as_view(), name="certificate-holder-link"),
    path("notification-endpoint", NotificationEndpointView.as_view(), name="notification-endpoint"),
    path(
        "notification-endpoint/rotate-secret",
        NotificationSecretRotateView.as_view(),
        name="notification-endpoint-rotate-secret",
    ),
    *router.urls,
]
