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

With Redis, a caller far from its limit does not cost a round trip per request (ADR 0027, `LocalCounts` below):
the worker admits it while Redis said, less than a slice ago, that there was room, and reports what it admitted in
one command a second; near the limit, and for any limit under LOCAL_DIVISOR a window, every request is
decided by the script. Stated slack: limit + workers x local_allowance(limit) in any window.
"""

from __future__ import annotations

import math
import threading
from array import array

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

GRANULES = 60

# KEYS[1]: the caller's hash of slice -> requests. ARGV: first slice still in the window, the current slice, the
# limit, the hash's lifetime in ms, requests a worker already admitted on its own and reports now (counted whatever
# the total: they were served), and whether to decide one more request (1) or only report (0). Returns {allowed
# (0/1), requests in the window, oldest slice in it}.
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
local reported, allowed = tonumber(ARGV[5]), 0
if reported > 0 then
  redis.call('HINCRBY', KEYS[1], ARGV[2], reported)
  total = total + reported
end
if tonumber(ARGV[6]) == 1 and total < tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
  total = total + 1
  allowed = 1
end
if reported > 0 or allowed == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return {allowed, total, oldest}
"""
_window_script = None  # registered on first use (redis-py keeps its SHA and falls back to EVAL once)

# A worker's report (LocalCounts.flush): KEYS the callers' hashes, ARGV five values per key (first slice still in
# the window, the current slice, the limit, the hash's lifetime in ms, requests the worker admitted). Drops each
# hash's expired slices, counts the admitted requests in its current slice, returns the windows' totals joined by
# commas: one command and one short reply for every caller, however many.
_REPORT_SCRIPT = """
local totals = {}
for k = 1, #KEYS do
  local at = (k - 1) * 5
  local first, reported = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 5])
  local counts = redis.call('HGETALL', KEYS[k])
  local total = 0
  for i = 1, #counts, 2 do
    if tonumber(counts[i]) < first then
      redis.call('HDEL', KEYS[k], counts[i])
    else
      total = total + tonumber(counts[i + 1])
    end
  end
  if reported > 0 then
    redis.call('HINCRBY', KEYS[k], ARGV[at + 2], reported)
    redis.call('PEXPIRE', KEYS[k], ARGV[at + 4])
    total = total + reported
  end
  totals[k] = total
end
return table.concat(totals, ',')
"""
_report_script = None
REPORT_CHUNK = 500  # callers per report command (a script blocks Redis while it runs: ~1 ms for 500)


# Admitted by a worker on its own (ADR 0027): a caller far from its limit is counted in this process and reported
# to Redis in batches; near the limit every request is decided in Redis, as before. ALLOWANCE(limit) requests per
# caller and worker may be admitted before Redis has counted them, so callers spread over W workers get at most
# limit + W x ALLOWANCE(limit) in any window (0 for a limit under LOCAL_DIVISOR: every request asks Redis).
LOCAL_DIVISOR = 32
LOCAL_MAX = 64
LOCAL_ENTRIES = 20_000  # callers one worker keeps counts of (~5 MB); past it, those done with are dropped
FLUSH_SECONDS = 1.0  # a worker reports what it admitted on its own at least this often (while it serves requests)


def window_args(now: float, limit: int, duration: float, granule: float) -> tuple[int, int, int, int]:
    """The script's first four arguments: the first slice still in the window (a slice stays while its end is
    after now - duration), the current slice, the limit, the hash's lifetime in ms."""
    return (
        math.floor((now - duration) / granule),
        math.floor(now / granule),
        limit,
        math.ceil((duration + granule) * 1000),
    )


def local_allowance(limit: int) -> int:
    """Requests of one caller a worker may admit before Redis has counted them: 1 at 60/min, 37 at 1,200/min."""
    return min(LOCAL_MAX, limit // LOCAL_DIVISOR)


def far_from(known: int, limit: int) -> bool:
    """Room in the window for a whole allowance more: a worker may forget the caller (and admit its next request
    as a new caller's) without passing the stated slack."""
    return known + local_allowance(limit) < limit


class _Counted:
    """A worker's view of one caller: the window's total when Redis last said it, what this worker admitted since
    (not yet reported), when Redis said it, and the caller's rate (limit, duration, granule)."""

    __slots__ = ("known", "pending", "synced", "args")

    def __init__(self, known: int, synced: float, args: tuple):
        self.known, self.pending, self.synced, self.args = known, 0, synced, args


class LocalCounts:
    """Per process. `admit` decides without Redis when it safely can; `take` hands over what to report with a
    request that asks Redis; `flush` reports every caller's admitted requests in one command (`_REPORT_SCRIPT`;
    a pipeline of one script call per caller cost redis-py's Python per caller)."""

    def __init__(self):
        self.entries: dict[str, _Counted] = {}
        self.lock = threading.Lock()
        self.next_flush = 0.0

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.next_flush = 0.0

    def admit(self, key: str, now: float, limit: int, allowance: int, granule: float, args: tuple) -> bool:
        """True when this worker may admit the request itself: Redis said, less than a slice ago, that the window
        had room for what this worker has admitted since and this one, and fewer than `allowance` are unreported.
        A caller this worker has not seen (or has forgotten: see `_prune`) starts with an empty window."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                if len(self.entries) >= LOCAL_ENTRIES:
                    self._prune(now, everything_done=True)
                entry = self.entries[key] = _Counted(0, now, args)
            elif now - entry.synced >= granule or now < entry.synced:
                return False
            if entry.pending >= allowance or entry.known + entry.pending >= limit:
                return False
            entry.pending += 1
            return True

    def take(self, key: str) -> int:
        """What this worker admitted for `key` and has not reported: reported by the caller, now."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return 0
            pending, entry.pending = entry.pending, 0
            return pending

    def told(self, key: str, total: int, now: float, args: tuple) -> None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                self.entries[key] = _Counted(total, now, args)
            else:
                entry.known, entry.synced, entry.args = total, now, args

    def flush(self, client, now: float) -> None:
        """Every second (at the first request after it): one round trip reports what this worker admitted."""
        if self.next_flush - FLUSH_SECONDS <= now < self.next_flush:  # (a clock that stepped back flushes too)
            return
        with self.lock:
            self.next_flush = now + FLUSH_SECONDS
            due = [(key, entry.pending, entry.args) for key, entry in self.entries.items() if entry.pending]
            for key, _pending, _args in due:
                self.entries[key].pending = 0
        global _report_script
        if due and _report_script is None:
            _report_script = client.register_script(_REPORT_SCRIPT)
        for start in range(0, len(due), REPORT_CHUNK):
            chunk = due[start : start + REPORT_CHUNK]
            # Counted in the slice of now: never earlier than they were admitted.
            args = [value for _key, pending, rate in chunk for value in (*window_args(now, *rate), pending)]
            totals = _report_script(keys=[key for key, _pending, _rate in chunk], args=args, client=client)
            totals = totals.decode() if isinstance(totals, bytes) else str(totals)
            for (key, _pending, rate), total in zip(chunk, totals.split(","), strict=True):
                self.told(key, int(total), now, rate)
        with self.lock:
            self._prune(now)

    def _prune(self, now: float, everything_done: bool = False) -> None:
        """Forget callers with nothing to report whose count is a second old and far from their limit (their next
        request is admitted here again, as a new caller's). One near its limit is kept for its window (its
        requests all ask Redis meanwhile), unless the table is full."""
        for key in [
            key
            for key, entry in self.entries.items()
            if not entry.pending
            and now - entry.synced >= FLUSH_SECONDS
            and (everything_done or far_from(entry.known, entry.args[0]) or now - entry.synced >= entry.args[1])
        ]:
            del self.entries[key]


local_counts = LocalCounts()


def _redis_client(backend: RedisCache, key: str):
    """The cache's redis-py client: with `core.cache.RedisCache` (the settings' backend) one per process, on
    Django's own connection pool, instead of a new one per call (11% of a verification's CPU)."""
    return backend._cache.get_client(key, write=True)


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
        rate = (self.num_requests, self.duration, self.granule)  # the same window as below
        allowance = local_allowance(self.num_requests)
        reported = 0
        if allowance:
            if local_counts.admit(key, self.now, self.num_requests, allowance, self.granule, rate):
                local_counts.flush(client, self.now)
                return True
            reported = local_counts.take(key)
        allowed, total, oldest = _window_script(
            keys=[key], args=[*window_args(self.now, *rate), reported, 1], client=client
        )
        if allowance:
            local_counts.told(key, int(total), self.now, rate)
            local_counts.flush(client, self.now)
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
