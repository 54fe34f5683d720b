from django.urls import re_path

from credentials.api.verification_views import (
    VerificationCreateView,
    VerificationDetailView,
    VerificationEventListView,
    VerificationEventSummaryView,
)

# A trailing slash is optional, as on the rest of the API (DefaultRouter(trailing_slash="/?")).
urlpatterns = [
    re_path(r"^verifications/?$", VerificationCreateView.as_view(), name="verification-create"),
    re_path(
        r"^verifications/(?P<verification_id>[^/]+)/?$", VerificationDetailView.as_view(), name="verification-detail"
    ),
    re_path(r"^verification-events/?$", VerificationEventListView.as_view(), name="verification-event-list"),
    re_path(
        r"^verification-events/summary/?$",
        VerificationEventSummaryView.as_view(),
        name="verification-event-summary",
    ),
]
