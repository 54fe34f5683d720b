"""Per-caller verification quotas (rates in settings: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]):

    verify_anon      anonymous callers, per client IP (the HTML page and the API share one budget)
    verify_verifier  a verifier organisation (municipality, employer) with its token, per organisation
    verify_user      any other signed-in user (provider, ministry staff), per user

Refusals are 429 with `Retry-After`. The client IP is `core.client_ip.client_ip`: `X-Forwarded-For` counts only
for the `TRUSTED_PROXY_DEPTH` proxies of ours, no other header ever; DRF's default would let any caller name its
own address. The window, and how every worker shares its counts (one atomic Lua step in Redis), is
core/throttles.py's.
"""

from __future__ import annotations

from rest_framework.request import Request

from core import policy
from core.client_ip import client_ip
from core.throttles import GRANULES, SlidingWindowThrottle, page_wait

__all__ = ["GRANULES", "VerificationRateThrottle", "page_throttle_wait"]


class VerificationRateThrottle(SlidingWindowThrottle):
    """Picks its scope per request: the verifier organisation, the signed-in user, or the client IP."""

    @staticmethod
    def scope_and_ident(request) -> tuple[str, str]:
        # Only an API (DRF) request has authenticated its caller; the page never reads the session.
        user = request.user if isinstance(request, Request) else None
        if user is not None and user.is_authenticated:
            verifier = policy.verifier_organisation_id(user)
            if verifier is not None:
                return "verify_verifier", f"org{verifier}"
            return "verify_user", f"user{user.pk}"
        return "verify_anon", client_ip(request) or "unknown"


def page_throttle_wait(request) -> int | None:
    """For the HTML page (a plain Django view, never reading the session): None when allowed, else the
    seconds to wait. Shares the anonymous per-IP budget with the API."""
    return page_wait(VerificationRateThrottle(), request)
