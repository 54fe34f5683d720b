"""The public verification path's short way through the middleware (docs/performance.md).

A verification (`GET /api/v1/verifications/{id}`, the page `/v/{id}`) asked by someone who presents nothing (no
Authorization header, no cookie at all) is nearly all of the registry's traffic, and the middleware below the
access log has nothing to do for it: no session to load or save, no CSRF cookie to check on a GET, no user to
authenticate, no messages, no login to lock out. `PublicPathMiddleware` (right after the access log in
settings.MIDDLEWARE) sends such a request straight to its view, and does to the answer exactly what the skipped
middleware would have done to it:

    LanguageMiddleware   the language chosen as core/language.py says is active while the view runs;
                         `Vary: Accept-Language`, `Content-Language` and the language cookie on the answer
    CommonMiddleware     the Host header checked against ALLOWED_HOSTS (400 otherwise); `Content-Length`
    XFrameOptions...     `X-Frame-Options` (settings.X_FRAME_OPTIONS) unless the view set one

Security headers, the request id, the Content-Security-Policy and the access log come from the middleware above
it, which every request passes. Anything else (another method, a header or cookie that the skipped middleware
would read, a path that is not a marked view) takes the whole stack. A view takes part only when its URL
pattern's view is marked with `public_fast_path`; the marked views never read the session or the user
(tests/ops/test_public_path.py compares every answer of both ways).

This saves about a tenth of a verification's CPU (the middleware from sessions to axes, under a sampling profiler).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core.language import choose_language, remember_language

# Paths whose views may be marked (cheap test before resolving): the verification routes (credentials/api/
# verification_urls.py, credentials/public_urls.py).
PREFIXES = ("/api/v1/verifications/", "/v/")


def public_fast_path(view):
    """Mark a view (a URL pattern's callable) as one the short way may serve: it must not read the session or
    the user, and must answer a GET or HEAD without credentials as it would after the whole stack."""
    view.public_fast_path = True
    return view


def takes_short_way(request) -> bool:
    meta = request.META
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in meta
        and not meta.get("HTTP_COOKIE")
        and request.path_info.startswith(PREFIXES)
        and not settings.DISALLOWED_USER_AGENTS  # CommonMiddleware's refusal: left to it
    )


class PublicPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not takes_short_way(request):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "public_fast_path", False):
            return self.get_response(request)
        try:
            request.get_host()  # CommonMiddleware's check
        except DisallowedHost:  # a Host not in ALLOWED_HOSTS: the whole stack answers it (400), as ever
            return self.get_response(request)
        request.resolver_match = match
        # LanguageMiddleware's request half (no language cookie: the request has no cookie at all).
        translation.activate(choose_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = match.func(request, *match.args, **match.kwargs)
        # LocaleMiddleware's, CommonMiddleware's and XFrameOptionsMiddleware's answer halves.
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        remember_language(request, response)
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        if response.get("X-Frame-Options") is None and not getattr(response, "xframe_options_exempt", False):
            response.headers["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        return response
