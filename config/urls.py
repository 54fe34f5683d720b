from django.contrib import admin
from django.urls import include, path

from registry.api.views_health import healthz
from registry.home import home

# Each area owns its URL module; the API lives under /api/v1/.
api_v1 = [
    path("", include("registry.api.urls")),
    path("", include("credentials.api.urls")),
    path("", include("credentials.api.pdf_urls")),
    path("", include("outcomes.api_urls")),
    path("", include("credentials.notifications.api_urls")),
]

urlpatterns = [
    # Verification first: the busiest path resolves without walking every other API route (0.13 ms a request;
    # docs/decisions/0005-verification-event-log.md).
    path("api/v1/", include("credentials.api.verification_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("credentials.public_urls")),
    path("", include("credentials.holders.urls")),
    path("", include("credentials.wellknown_urls")),
    path("", include("credentials.status_list.urls")),
    path("", include("outcomes.public_urls")),
    path("", include("registry.dataset_urls")),
    path("", include("api_docs.urls")),
    path("healthz", healthz, name="healthz"),
    path("", home, name="home"),
]

handler400 = "core.api.errors.bad_request"
handler404 = "core.api.errors.not_found"
handler500 = "core.api.errors.server_failure"
