import base64
import contextlib
import contextvars
import functools
import hashlib
import re
import secrets
import uuid

from django.conf import settings
from rest_framework.renderers import BrowsableAPIRenderer

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


@contextlib.contextmanager
def bound_request_id(request_id: str):
    """Work done later on a request's behalf (a background task) carries that request's id into its audit
    entries and log lines."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdMiddleware:
    """Gives each request an id (or keeps a well-formed `X-Request-ID`), for logs and audit entries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # (request.headers would copy every header)
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


# --- Content-Security-Policy ----------------------------------------------------------------------------------

# Every HTML page that sets no policy of its own: its own scripts, styles, fonts and images only (no inline
# script or style, nothing from another host), no plugins, no <base>, forms post only here, never framed.
# A page's own inline <style>/<script> carries `nonce="{{ request.csp_nonce }}"`: using the nonce adds it to the
# policy. The verification page sets a policy of its own; the API docs theirs (api_docs/urls.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# DRF's own pages (browsable API, login) write inline styles: the highlighter's <style>, style="" in forms. Their
# one inline script is the "Log out" link's handler, admitted by its hash alone.
_DRF_LOGOUT_HANDLER = 'document.getElementById("logoutForm").submit()'
_DRF_LOGOUT_HASH = base64.b64encode(hashlib.sha256(_DRF_LOGOUT_HANDLER.encode()).digest()).decode()
DRF_PAGE_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-hashes' 'sha256-{_DRF_LOGOUT_HASH}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Django's debug pages (DEBUG only) are inline styles and scripts through and through.
DEBUG_ERROR_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(policy: str):
    """A view decorator: the response carries `policy` (the middleware then leaves it alone)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.setdefault("Content-Security-Policy", policy)
            return response

        return wrapped

    return decorate


class CspNonce:
    """`request.csp_nonce`: made the first time a template prints it, and only then named in the policy."""

    def __init__(self):
        self.value = ""

    def __str__(self) -> str:
        if not self.value:
            self.value = secrets.token_urlsafe(18)
        return self.value


def _is_drf_page(response) -> bool:
    if isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
        return True
    names = getattr(response, "template_name", None) or []  # DRF's login page: a TemplateResponse of its template
    return any(
        isinstance(name, str) and name.startswith("rest_framework/")
        for name in ([names] if isinstance(names, str) else names)
    )


def policy_for(response, nonce: CspNonce) -> str:
    if settings.DEBUG and response.status_code >= 400:
        return DEBUG_ERROR_POLICY
    if _is_drf_page(response):
        return DRF_PAGE_POLICY
    if nonce.value:
        source = f"'self' 'nonce-{nonce.value}'"
        return CONTENT_SECURITY_POLICY.replace(
            "default-src 'self';", f"default-src 'self'; script-src {source}; style-src {source};"
        )
    return CONTENT_SECURITY_POLICY


class ContentSecurityPolicyMiddleware:
    """Gives every HTML response without a Content-Security-Policy one: the admin, DRF's login and browsable
    API, Swagger UI, the 404 and 500 pages, the impact and tracer pages. A page's own policy is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = nonce = CspNonce()
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = policy_for(response, nonce)
        return response
