"""`GET /status/{n}/{purpose}`: the signed BitstringStatusListCredential of list n (public, cacheable).

Not in the /api/v1 OpenAPI schema: its shape is fixed by W3C Bitstring Status List v1.0. `Cache-Control:
max-age` equals the list's `ttl`; the ETag names the version, so a verifier's conditional GET costs one indexed
read and answers 304 when nothing changed."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.api.errors import error_body
from credentials.signing import SigningError

from .lists import MEDIA_TYPE, find_list, published_list, ttl_seconds


def _matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 If-None-Match: `*` or a list of entity tags, compared weakly (W/ ignored)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return tag in candidates


def _headers(response: HttpResponse, tag: str) -> HttpResponse:
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={ttl_seconds()}"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def status_list(request, number: str, purpose: str):
    found = find_list(int(number))
    if found is None:
        return JsonResponse(error_body("not_found", _("This registry has no such status list.")), status=404)
    try:
        published = published_list(found, purpose)
    except SigningError:  # no active key: nothing can be signed; say so rather than serve an unsigned list
        response = JsonResponse(error_body("unavailable", _("The status list cannot be signed now.")), status=503)
        response["Retry-After"] = "60"
        return response
    if _matches(request.headers.get("If-None-Match", ""), published.etag):
        return _headers(HttpResponse(status=304), published.etag)
    return _headers(HttpResponse(published.body, content_type=MEDIA_TYPE), published.etag)
