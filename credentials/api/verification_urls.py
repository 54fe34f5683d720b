from django.urls import re_path

from core.public_path import public_fast_path
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
        r"^verifications/(?P<verification_id>[^/]+)/?$",
        public_fast_path(VerificationDetailView.as_view()),  # without credentials: core/public_path.py
        name="verification-detail",
    ),
    re_path(r"^verification-events/?$", VerificationEventListView.as_view(), name="verification-event-list"),
    re_path(
        r"^verification-events/summary/?$",
        VerificationEventSummaryView.as_view(),
        name="verification-event-summary",
    ),
]
