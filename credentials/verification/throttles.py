"""Per-caller verification quotas (rates in settings: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]):

    verify_anon      anonymous callers, per client IP (the HTML page and the API share one budget)
    verify_verifier  a verifier organisation (municipality, employer) with its token, per organisation
    verify_user      any other signed-in user (provider, ministry staff), per user

Refusals are 429 with `Retry-After`. The client IP honours `X-Forwarded-For` only for DRF's `NUM_PROXIES`
hops (see `events.client_ip`); DRF's default would let any caller name its own address.

The semantics are DRF's sliding log (at most N requests in any window of the rate's length), but the log is kept
as packed doubles (`array("d")`, oldest first) instead of a pickled list of floats: expiring old entries is a
bisect and a slice, and reading and writing the cache moves one bytes value. DRF's list cost grows with the
rate (about 55 us a request at the verifier's 1,200/min, 240 us at 6,000 entries); this costs a few us.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from registry.choices import Role

from .events import client_ip


class VerificationRateThrottle(SimpleRateThrottle):
    """Picks its scope per request; reads the rates at request time, so tests and deployments can change them."""

    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self):  # the scope (hence the rate) is only known per request
        pass

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    @staticmethod
    def scope_and_ident(request) -> tuple[str, str]:
        # Only an API (DRF) request has authenticated its caller; the page never reads the session.
        user = request.user if isinstance(request, Request) else None
        if user is not None and user.is_authenticated:
            if user.organisation_id and user.role == Role.VERIFIER:
                return "verify_verifier", f"org{user.organisation_id}"
            return "verify_user", f"user{user.pk}"
        return "verify_anon", client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        self.scope, ident = self.scope_and_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        self.key = self.get_cache_key(request, view)
        self.rate = self.get_rate()
        if self.rate is None or self.key is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.now = self.timer()
        history = array("d")
        stored = self.cache.get(self.key)
        if isinstance(stored, bytes):
            history.frombytes(stored)
        elif stored:  # DRF's own format (newest first), left by an older version
            history.extend(sorted(stored))
        expired = bisect_right(history, self.now - self.duration)
        if expired:
            del history[:expired]
        self.history = history
        if len(history) >= self.num_requests:
            return self.throttle_failure()
        history.append(self.now)
        self.cache.set(self.key, history.tobytes(), self.duration)
        return True

    def wait(self):
        """Seconds until a request would be allowed again, spread as DRF's (the log is oldest first here)."""
        remaining = self.duration - (self.now - self.history[0]) if self.history else self.duration
        available = self.num_requests - len(self.history) + 1
        if available <= 0:
            return None
        return remaining / float(available)


def page_throttle_wait(request) -> int | None:
    """For the HTML page (a plain Django view, never reading the session): None when allowed, else the
    seconds to wait. Shares the anonymous per-IP budget with the API."""
    throttle = VerificationRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
