from django.urls import path
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from core.middleware import content_security_policy

# Swagger UI and ReDoc, both from drf-spectacular-sidecar (no CDN), with no inline script of ours: Swagger UI's
# start is served as a script of its own (the split view), ReDoc's is a static file (templates/api_docs/redoc.html).
# What the bundles themselves need, found by loading each page in Chromium with the policy on:
REDOC_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class EnglishSchemaView(SpectacularAPIView):
    """The OpenAPI document is the contract and is written in English: the choice labels its enums list (lazy
    translations, for the back office) are English too, whatever the caller's language."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            return response.render() if hasattr(response, "render") else response


urlpatterns = [
    path("api/schema/", EnglishSchemaView.as_view(), name="schema"),
    path(
        "api/docs/",
        (SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs/swagger_ui.html")),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        content_security_policy(REDOC_POLICY)(
            SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html")
        ),
        name="redoc",
    ),
]
