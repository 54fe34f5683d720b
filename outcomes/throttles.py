"""The public impact figures' quota: anonymous readers, per client IP (`core.client_ip`), the page (`/impact/`)
and the API (`GET /api/v1/stats/impact`) sharing one budget, `impact_anon` in
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_IMPACT_ANON, 120/min by default). Counted in the cache every
worker shares (core/throttles.py). Signed-in API callers are not counted here."""

from __future__ import annotations

from rest_framework.request import Request

from core.client_ip import client_ip
from core.throttles import SlidingWindowThrottle, page_wait


class ImpactRateThrottle(SlidingWindowThrottle):
    scope = "impact_anon"

    def scope_and_ident(self, request) -> tuple[str, str] | None:
        # Only an API (DRF) request has authenticated its caller; the page never reads the session.
        user = request.user if isinstance(request, Request) else None
        if user is not None and user.is_authenticated:
            return None
        return self.scope, client_ip(request) or "unknown"


def impact_page_wait(request) -> int | None:
    """None when the page may answer, else the seconds to wait."""
    return page_wait(ImpactRateThrottle(), request)
