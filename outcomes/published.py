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

A change costs one computation per entry (by=cohort at 100,000 graduates: about 1.5 s). One worker computes
an entry at a time (a lock in the cache); meanwhile the others answer with the entry's previous figures rather
than compute the same thing again. The rounding key is part of every key (as a digest), so figures drawn with a
former IMPACT_STATS_KEY are never served after it changes.
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


def cached(kind: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s value for (kind, parts) at the current data version, from the shared cache when it has
    it. With IMPACT_CACHE_SECONDS = 0 every call computes. An entry computed from others (the page from the
    figures) reads the version once."""
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
    locked = cache.add(lock, 1, LOCK_SECONDS)
    if not locked:
        previous = cache.get(latest)  # another worker is computing this very entry
        if previous is not None:
            return previous
    token = _computing_at.set(version)
    try:
        value = compute()
        cache.set_many({key: value, latest: value}, seconds)
        _memo_put(key, value)
    finally:
        _computing_at.reset(token)
        if locked:
            cache.delete(lock)
    return value


def impact(*, by: str | None = None, provider: str | None = None, qualification: str | None = None) -> dict[str, Any]:
    """stats.impact(), cached."""
    return cached(
        "figures",
        (by, provider, qualification),
        lambda: stats.impact(by=by, provider=provider, qualification=qualification),
    )
