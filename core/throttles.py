"""A sliding-window rate throttle whose counts every worker shares: the verification quotas
(credentials/verification/throttles.py) and the public impact figures (outcomes/throttles.py) are its
subclasses, each choosing a scope and an identity per request (`scope_and_ident`). Rates are read from
settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) at request time, so tests and deployments can change them.

Refusals are 429 with `Retry-After`. The counts live in the default cache, which every worker shares (Redis:
production refuses to start without it, config/settings.py), so a spent quota stays spent whichever worker
answers.

A sliding window like DRF's (at most N requests in any window of the rate's length), counted in GRANULES slices
of the window (one second for a per-minute rate) instead of one timestamp per request: at most GRANULES + 1
(slice, count) pairs per caller, whatever the rate. DRF's pickled list of timestamps costs in proportion to the
rate (about 55 us a request at the verifier's 1,200/min, 240 us at 6,000 entries); this costs a few us. A request
leaves the window at most one slice late (1/60 of it): never looser than the rate.

Where the pairs live:
- Redis (production): a hash per caller, read, trimmed, checked and counted by one Lua script, so the count is
  one atomic step for every worker. Read-then-write (a GET, then a SET of the new log) lost an update whenever
  two workers counted the same caller at once: a flood from 8 connections on 3 workers got 45 requests through
  a quota of 30. One round trip instead of two, too.
- Any other cache (LocMem for `make run` and tests: one process): the pairs packed as doubles in one value.
"""

from __future__ import annotations

import math
from array import array

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

GRANULES = 60

# KEYS[1]: the caller's hash of slice -> requests. ARGV: first slice still in the window, the current slice, the
# limit, the hash's lifetime in ms. Returns {allowed (0/1), requests in the window, oldest slice in it}.
_WINDOW_SCRIPT = """
local counts = redis.call('HGETALL', KEYS[1])
local first, total, oldest = tonumber(ARGV[1]), 0, tonumber(ARGV[2])
for i = 1, #counts, 2 do
  local slice = tonumber(counts[i])
  if slice < first then
    redis.call('HDEL', KEYS[1], counts[i])
  else
    total = total + tonumber(counts[i + 1])
    if slice < oldest then oldest = slice end
  end
end
if total >= tonumber(ARGV[3]) then
  return {0, total, oldest}
end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, total + 1, oldest}
"""
_window_script = None  # registered on first use (redis-py keeps its SHA and falls back to EVAL once)


def _redis_client(backend: RedisCache, key: str):
    """A redis-py client on Django's own connection pool, made once per cache client. Django's `get_client()`
    builds a new `redis.Redis` on every call, with its table of ~170 response callbacks: 11% of a verification's
    CPU. The client is thread-safe (it takes a connection from the pool per command); the cache backend, hence
    its cache client, is already one per thread."""
    cache_client = backend._cache
    client = getattr(cache_client, "_throttle_client", None)
    if client is None:
        client = cache_client._throttle_client = cache_client.get_client(key, write=True)
    return client


class SlidingWindowThrottle(SimpleRateThrottle):
    """Subclasses say whom a request counts against: `scope_and_ident(request)` -> (scope, identity), or None
    for a request this throttle does not count. Works for DRF views and, through `page_wait`, plain Django
    views."""

    cache_format = "throttle_%(scope)s_%(ident)s"
    scope = None

    def __init__(self):  # the scope (hence the rate) may only be known per request
        pass

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def scope_and_ident(self, request) -> tuple[str, str] | None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def get_cache_key(self, request, view):
        counted = self.scope_and_ident(request)
        if counted is None:
            return None
        self.scope, ident = counted
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        self.key = self.get_cache_key(request, view)
        self.rate = self.get_rate()
        if self.rate is None or self.key is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.now = self.timer()
        granule = self.granule = max(1.0, self.duration / GRANULES)
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            return self._allow_in_redis(backend)
        log = array("d")  # slice number, requests in it; oldest first
        stored = self.cache.get(self.key)
        if isinstance(stored, bytes):
            log.frombytes(stored)
        elif stored:  # DRF's own list of timestamps (newest first), left by an older version
            for moment in sorted(stored):
                self._count(log, math.floor(moment / granule))
        # A slice is out of the window once its end is: (slice + 1) * granule <= now - duration.
        first_kept = (self.now - self.duration) / granule - 1
        expired = 0
        while expired < len(log) and log[expired] <= first_kept:
            expired += 2
        if expired:
            del log[:expired]
        self.history = log
        if sum(log[1::2]) >= self.num_requests:
            return self.throttle_failure()
        self._count(log, math.floor(self.now / granule))
        self.cache.set(self.key, log.tobytes(), self.duration + granule)
        return True

    def _allow_in_redis(self, backend: RedisCache) -> bool:
        global _window_script
        key = backend.make_and_validate_key(self.key + ":slices")  # a hash: not the packed log's key
        client = _redis_client(backend, key)
        if _window_script is None:
            _window_script = client.register_script(_WINDOW_SCRIPT)
        # The same window as below: a slice stays while its end is after now - duration.
        first = math.floor((self.now - self.duration) / self.granule)
        current = math.floor(self.now / self.granule)
        ttl_ms = math.ceil((self.duration + self.granule) * 1000)
        allowed, total, oldest = _window_script(
            keys=[key], args=[first, current, self.num_requests, ttl_ms], client=client
        )
        self.history = array("d", (oldest, total))
        return True if allowed else self.throttle_failure()

    @staticmethod
    def _count(log: array, current: int) -> None:
        if log and log[-2] >= current:  # this slice (or a clock that stepped back): count in the last one
            log[-1] += 1
        else:
            log.extend((current, 1))

    def wait(self):
        """Seconds until a request would be allowed again, spread as DRF's over the requests still allowed."""
        log = self.history
        remaining = (log[0] + 1) * self.granule + self.duration - self.now if log else self.duration
        available = self.num_requests - sum(log[1::2]) + 1
        if available <= 0:
            return None
        return min(max(remaining, 0.0), self.duration) / float(available)


def page_wait(throttle: SlidingWindowThrottle, request) -> int | None:
    """For an HTML page (a plain Django view): None when `throttle` allows the request, else the seconds to wait."""
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
