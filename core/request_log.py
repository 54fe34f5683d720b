"""One structured access-log line per request, for operators (on with LOG_FORMAT=json).

What a line holds: method, path (query string dropped: it may carry a personal number or a date of
birth searched for), the matched route, status, duration in milliseconds, the request id, and who
called (user id, organisation id, and the organisation's slug when it is already loaded). Never a
body, a header, a cookie or the client's IP address. Verification ids stay in the path: they are the
public part of a certificate and an operator needs them to answer "why did this QR not verify".

It reads only what the request already holds, so it adds no database query to any request.
"""

from __future__ import annotations

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger("registry.request")

MAX_PATH = 512


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not logger.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %s",
            request.method,
            request.path[:MAX_PATH],
            response.status_code,
            extra=request_fields(request, response, duration_ms),
        )
        return response


def request_fields(request, response, duration_ms: float) -> dict:
    """The log record's structured fields (see the module docstring for what is left out, and why)."""
    match = getattr(request, "resolver_match", None)
    fields = {
        "method": request.method,
        "path": request.path[:MAX_PATH],
        "route": match.route if match is not None else "",
        "status": response.status_code,
        "duration_ms": round(duration_ms, 2),
        "request_id": getattr(request, "request_id", ""),
        "user_id": None,
        "org_id": None,
        "org": None,
    }
    # DRF copies the user it authenticated (token or session) onto the Django request. A user nobody
    # looked at is still Django's lazy object: left alone, as evaluating it would cost a session query.
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        user = None
    if user is not None and getattr(user, "is_authenticated", False):
        fields["user_id"] = user.pk
        fields["org_id"] = getattr(user, "organisation_id", None)
        cache = getattr(getattr(user, "_state", None), "fields_cache", {})
        organisation = cache.get("organisation")
        if organisation is not None:
            fields["org"] = organisation.slug
    return fields
