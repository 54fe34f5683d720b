"""One structured access-log line per request, for operators (on with LOG_FORMAT=json).

What a line holds: method, the matched route pattern (`api/v1/learners/(?P<pk>...)`, `v/<str:verification_id>`),
status, duration in milliseconds, the request id, and who called (user id, organisation id, and the
organisation's slug when it is already loaded). Never the raw path (a personal number typed where an id
belongs, in `/v/...` or `/api/v1/learners/...`, would land in the log; so would a query string), a body, a
header, a cookie or the client's IP address. An operator answering "why did this QR not verify" finds the
id tried in the verification event log, which keeps it for that purpose.

`RoutesNotPaths` (a logging filter on the console handler, config/settings.py) does the same for Django's
own request warnings ("Not Found: /v/1234567890"), which name the raw path.

It reads only what the request already holds, so it adds no database query to any request.
"""

from __future__ import annotations

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger("registry.request")

UNMATCHED = "(no route)"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not logger.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        fields = request_fields(request, response, duration_ms)
        logger.info("%s %s %s", request.method, fields["route"] or UNMATCHED, response.status_code, extra=fields)
        return response


def route_of(request) -> str:
    """The URL pattern the request matched ("" when none did): code, never what the caller typed."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else ""


class RoutesNotPaths(logging.Filter):
    """Puts the route in place of the raw path in a record that carries its request (`django.request`,
    `django.security.*`: "Not Found: %s", "Forbidden (%s): %s" ...). Other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and path and isinstance(record.args, tuple):
            raw = {path, path.encode("unicode_escape").decode("ascii"), getattr(request, "path_info", path)}
            record.args = tuple((route_of(request) or UNMATCHED) if arg in raw else arg for arg in record.args)
        return True


def request_fields(request, response, duration_ms: float) -> dict:
    """The log record's structured fields (see the module docstring for what is left out, and why)."""
    fields = {
        "method": request.method,
        "route": route_of(request),
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
