"""The impact figures as the public reads them (`GET /api/v1/stats/impact`, `/impact/`): computed by
outcomes.stats, kept in the cache every worker shares (Redis in production), so that a reader costs the same
at 100,000 graduates as at 1,000 (docs/performance.md).

Freshness. An entry is keyed by the *data version*: the newest audit entry of the records the figures are made
of (certificates, enrolments, learners, cohorts, tracer answers, employer ratings, and the catalogue rows that
name the groups), with the newest row of each counted table. Every service write is audited, bulk imports and
issuances included (DESIGN.md, "Authority"), so an issuance, a status change, a withdrawal, a tracer answer or a
rating moves the version and the next request computes the figures afresh from the data; a row that no audit
entry announces (a load in SQL) moves it too. One query of index probes, whatever the size
(`registry_audit_type_id`).

Entries also expire after IMPACT_CACHE_SECONDS (300 s by default) whatever happens: the backstop for a
transaction whose audit entry was numbered before one already seen but committed after it (ids are taken at
insert, seen at commit), which the version cannot tell.

Each worker also keeps the rendered answers it served last in its own memory (MEMO_BYTES at most, the same
keys, each for IMPACT_CACHE_SECONDS from when it got it), so a popular answer is not fetched from Redis at
every request: `by=cohort` at 100,000 graduates is 2 MB of JSON.

A change costs one computation per entry (by=cohort at 100,000 graduates: about 1.5 s). On a shared cache no
reader pays it: the figures are recomputed by a background task (`outcomes.tasks.refresh_impact`, queued once
per entry and change) while readers get the previous figures, for the few seconds it takes. Where the cache is
a process's own memory (the embedded default, where a worker's result would not be seen) the first reader
computes; one worker computes an entry at a time (a lock in the cache); meanwhile the others answer with the
entry's previous figures rather than compute the same thing again. The rounding key is part of every key (as
a digest), so figures drawn with a former IMPACT_STATS_KEY are never served after it changes.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from outcomes import stats

T = TypeVar("T")

# Records whose writes change a figure or a group's label (audit entries' object_type).
INPUTS = (
    "credentials.certificate",
    "credentials.enrolment",
    "credentials.learner",
    "credentials.cohort",
    "outcomes.tracerresponse",
    "outcomes.employersurvey",
    "registry.organisation",
    "registry.qualification",
    "registry.curriculum",
    "registry.municipality",
)
LOCK_SECONDS = 60  # a computation taking longer lets a second worker start one
PREFIX = "outcomes:impact"
_computing_at: ContextVar[str | None] = ContextVar("impact_data_version", default=None)
# Set when a reader got an entry's previous value while its refresh runs (see `cached`).
_served_previous: ContextVar[bool] = ContextVar("impact_served_previous", default=False)
# The entries a background task recomputes after a change: the figures, where the cost is.
REFRESHED_BY_TASK = frozenset({"figures"})
MEMO_BYTES = 8 * 1024 * 1024  # rendered answers (bytes, text) a worker keeps in its own memory
_memo: OrderedDict[str, tuple[float, bytes | str]] = OrderedDict()  # key -> (stored at, value), oldest first
_memo_lock = threading.Lock()


def _memo_get(key: str, seconds: int):
    with _memo_lock:
        entry = _memo.get(key)
        if entry is None or time.monotonic() - entry[0] >= seconds:
            return None
        _memo.move_to_end(key)
        return entry[1]


def _memo_put(key: str, value) -> None:
    """Keep `value` if it is rendered text small enough; forget the oldest past MEMO_BYTES."""
    if not isinstance(value, bytes | str) or len(value) > MEMO_BYTES // 2:
        return
    with _memo_lock:
        _memo[key] = (time.monotonic(), value)
        _memo.move_to_end(key)
        while sum(len(v) for _, v in _memo.values()) > MEMO_BYTES:
            _memo.popitem(last=False)


def _counted_tables() -> list[str]:
    from credentials.models import Certificate, Enrolment
    from outcomes.models import EmployerSurvey, TracerResponse

    return [model._meta.db_table for model in (Enrolment, Certificate, TracerResponse, EmployerSurvey)]


def data_version() -> str:
    """The newest audit entry of an input, and the newest row of each counted table, as one string."""
    from registry.models import AuditEntry

    # Only our own table names are written into the SQL; the object types are parameters. The newest entry of
    # each type is a probe of the (object_type, id) index (an IN list would scan); one correlated subquery rather
    # than one per type, which took PostgreSQL ten times as long to plan as to run.
    quote = connection.ops.quote_name
    audit = quote(AuditEntry._meta.db_table)
    kinds = " UNION ALL ".join("SELECT %s AS object_type" for _ in INPUTS)
    newest_entry = f"SELECT id FROM {audit} a WHERE a.object_type = t.object_type ORDER BY id DESC LIMIT 1"  # noqa: S608
    newest_rows = ", ".join(f"(SELECT MAX(id) FROM {quote(table)})" for table in _counted_tables())  # noqa: S608
    sql = f"SELECT (SELECT MAX(({newest_entry})) FROM ({kinds}) AS t), {newest_rows}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, INPUTS)
        return ".".join(str(value or 0) for value in cursor.fetchone())


def _key(kind: str, parts: tuple, version: str | None) -> str:
    rounding = hashlib.sha256(b"impact cache " + stats._rounding_key()).hexdigest()[:16]
    digest = hashlib.sha256(repr((kind, parts, rounding)).encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}:{version}" if version else f"{PREFIX}:{kind}:{digest}"


def shared_cache() -> bool:
    """Whether the cache is one that every process reads (Redis in production), so that a worker's refresh is
    seen by the web servers. A process's own memory (the embedded default) is not."""
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def cached(kind: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s value for (kind, parts) at the current data version, from the shared cache when it has
    it. With IMPACT_CACHE_SECONDS = 0 every call computes. An entry computed from others (the page from the
    figures) reads the version once.

    After a change, on a shared cache, the figures (the costly part: seconds at 100,000 graduates) are
    recomputed by a background task (`outcomes.tasks.refresh_impact`) while readers keep the previous ones;
    an answer made of previous figures is kept as the latest only, never under the new version, so the first
    reader after the task has finished renders it afresh."""
    seconds = settings.IMPACT_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    version = _computing_at.get() or data_version()
    key = _key(kind, parts, version)
    value = _memo_get(key, seconds)
    if value is not None:
        return value
    value = cache.get(key)
    if value is not None:
        _memo_put(key, value)
        return value
    latest, lock = _key(kind, parts, None), _key(kind, parts, "computing")
    if kind in REFRESHED_BY_TASK and shared_cache():
        previous = cache.get(latest)
        if previous is not None:
            _queue_refresh(kind, parts)
            value = cache.get(key)  # done already (the immediate backend, or a quick worker)
            if value is not None:
                return value
            _served_previous.set(True)
            return previous
    locked = cache.add(lock, 1, LOCK_SECONDS)
    if not locked:
        previous = cache.get(latest)  # another worker is computing this very entry
        if previous is not None:
            _served_previous.set(True)
            return previous
    token, outer = _computing_at.set(version), _served_previous.set(False)
    try:
        value = compute()
        if _served_previous.get():
            cache.set(latest, value, seconds)  # made of previous figures: not the answer at this version
        else:
            cache.set_many({key: value, latest: value}, seconds)
            _memo_put(key, value)
    finally:
        made_of_previous = _served_previous.get()
        _served_previous.reset(outer)
        if made_of_previous:
            _served_previous.set(True)  # and so is whatever is made of this
        _computing_at.reset(token)
        if locked:
            cache.delete(lock)
    return value


def _queue_refresh(kind: str, parts: tuple) -> None:
    """Queue one refresh of (kind, parts), whatever the number of readers meanwhile."""
    from outcomes.tasks import refresh_impact

    if cache.add(_key(kind, parts, "refresh-queued"), 1, LOCK_SECONDS):
        refresh_impact.enqueue(*parts)


def refresh(by: str | None, provider: str | None, qualification: str | None) -> None:
    """Compute the figures at the current version and store them (the refresh task's work)."""
    parts = (by, provider, qualification)
    version = data_version()
    token = _computing_at.set(version)
    try:
        value = stats.impact(by=by, provider=provider, qualification=qualification)
    finally:
        _computing_at.reset(token)
    seconds = settings.IMPACT_CACHE_SECONDS
    cache.set_many({_key("figures", parts, version): value, _key("figures", parts, None): value}, seconds)
    cache.delete(_key("figures", parts, "refresh-queued"))


def impact(*, by: str | None = None, provider: str | None = None, qualification: str | None = None) -> dict[str, Any]:
    """stats.impact(), cached."""
    return cached(
        "figures",
        (by, provider, qualification),
        lambda: stats.impact(by=by, provider=provider, qualification=qualification),
    )
