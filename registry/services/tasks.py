"""Background work the user can watch (ADR 0009).

A service that may outlast a web request is started with `task_start`: it stores a `TaskRecord` (what to do,
who asked, the uploaded file) and enqueues a django-tasks task that carries only the record's id. A worker
(`manage.py db_worker`) then runs the task, which calls `task_run` with the service to run: the record turns
`running`, the service reports its progress through `TaskProgress`, and the record ends `succeeded` (with the
service's result) or `failed` (with the same error object the API would have answered, row errors included).

What the record keeps is what the owner's organisation may read: counts, ids, codes, line numbers, field
names. The uploaded file is personal data: it lives in the record only until the task has run. An unexpected
exception (a bug, a lost database) fails the task with `task_crashed`; its message, which may quote a row's
values (a database error's DETAIL does), reaches neither the record nor the task framework's tables nor the
logs, which get the exception's class and stack frames.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise

from core.errors import DomainError
from core.middleware import bound_request_id, current_request_id
from registry.choices import TaskState
from registry.models import TaskRecord

logger = logging.getLogger("registry.tasks")

# At most this many progress writes per stage, whatever the number of rows.
PROGRESS_STEPS = 50


class TaskCrashed(Exception):
    """A task failed for a reason that is not the user's. Raised without the original exception attached."""


def task_start(
    *, actor, kind: str, task, organisation_id: int | None, params: dict | None = None, payload: bytes = b"", total=0
) -> TaskRecord:
    """Record and enqueue one piece of background work. `task` is a django-tasks `Task` taking the record's id.

    Inside a transaction the queue row commits (or rolls back) with it: the database backend's queue is a table
    in the same database. With the immediate backend (tests) the task has already run when this returns."""
    record = TaskRecord.objects.create(
        kind=kind,
        owner=actor if getattr(actor, "pk", None) else None,
        organisation_id=organisation_id,
        params=params or {},
        payload=payload,
        total=total,
        request_id=current_request_id(),
    )
    queued = task.enqueue(str(record.pk))
    TaskRecord.objects.filter(pk=record.pk).update(backend_id=str(queued.id)[:64])
    return TaskRecord.objects.defer("payload").get(pk=record.pk)


class TaskProgress:
    """`progress(stage, done, total)`, the callback the services already take (the commands draw it as a bar),
    written to the task's record a bounded number of times per stage.

    The record must be readable while the work runs, yet imports and issuance write inside one transaction (all
    or nothing). On PostgreSQL a write made inside a transaction goes through a second connection of its own, so
    a poller sees it at once; on SQLite, whose writers exclude each other, it goes through the same connection
    and shows when the work commits (the stages outside the transaction show at once everywhere)."""

    def __init__(self, record: TaskRecord):
        self.record_id = record.pk
        self.stage, self.next_write = None, 0
        self._side = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == self.stage and done < self.next_write and done != total:
            return
        self.stage = stage
        self.next_write = done + max(1, total // PROGRESS_STEPS)
        self._write(stage=stage[:32], done=done, total=total, heartbeat_at=timezone.now())

    def _write(self, **values) -> None:
        if not connection.in_atomic_block or connection.vendor != "postgresql":
            TaskRecord.objects.filter(pk=self.record_id).update(**values)
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        table, quote = TaskRecord._meta.db_table, self._side.ops.quote_name
        columns = ", ".join(f"{quote(name)} = %s" for name in values)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {columns} WHERE {quote('id')} = %s",  # noqa: S608 (our own names)
                [*values.values(), str(self.record_id)],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


Handler = Callable[[TaskRecord, object, TaskProgress], dict]


def task_error(exc: DomainError) -> dict:
    """The error object the API answers for `exc` (core.api.errors), as the task's `error` (JSON: a lazy
    translation is kept as text, in the language active where the task ran)."""
    error = {"code": exc.code, "message": exc.message, "fields": exc.fields, **exc.extra}
    return json.loads(json.dumps(error, cls=DjangoJSONEncoder))


def task_run(record_id: str, handler: Handler) -> None:
    """Run `handler(record, actor, progress)` for a queued record, once, as the record's owner; the handler
    returns the result to keep (JSON, no personal data values). A record that is not queued is left alone,
    so a task run twice (a worker restarted mid-way) does its work once."""
    claimed = TaskRecord.objects.filter(pk=record_id, state=TaskState.QUEUED).update(
        state=TaskState.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        logger.warning("task %s is not queued; not run again", record_id)
        return
    record = TaskRecord.objects.select_related("owner__organisation", "organisation").get(pk=record_id)
    progress = TaskProgress(record)
    try:
        with bound_request_id(record.request_id):
            result = handler(record, record.owner, progress)
    except DomainError as exc:
        _finish(record_id, state=TaskState.FAILED, error=task_error(exc))
        return
    except Exception as exc:
        frames = "".join(traceback.format_tb(exc.__traceback__))
        logger.error("task %s (%s) crashed: %s\n%s", record_id, record.kind, type(exc).__name__, frames)
        _finish(
            record_id,
            state=TaskState.FAILED,
            error={"code": "task_crashed", "message": "The task failed; nothing was written. Try again later."},
        )
        raise TaskCrashed(f"task {record_id} ({record.kind}) crashed: {type(exc).__name__}") from None
    finally:
        progress.close()
    _finish(record_id, state=TaskState.SUCCEEDED, result=result)


def _plain(value):
    """A result as JSON stores it: the services' lazy translations (an ineligible enrolment's reason, a row's
    error) rendered as text, in the language the task ran in."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _finish(record_id, *, state: str, result: dict | None = None, error: dict | None = None) -> None:
    values = {
        "state": state,
        "result": _plain(result),
        "error": _plain(error),
        "payload": b"",
        "finished_at": timezone.now(),
    }
    if state == TaskState.SUCCEEDED:
        values["done"] = F("total")
    TaskRecord.objects.filter(pk=record_id).update(**values)


WORKER_LOST = {
    "code": "worker_lost",
    "message": "The worker running this task stopped before it finished; nothing was written. Start it again.",
}


def sweep_stale(*, now=None, record_ids=None) -> int:
    """Fail the running records whose worker went silent (killed, out of memory, its machine gone): no progress
    write for TASK_STALE_SECONDS. The work of a lost worker was one transaction that its lost connection rolled
    back, so "nothing was written" is true; the uploaded file (personal data) is emptied as at any end.

    Run by `manage.py sweep_tasks` (cron, or the compose service) and for the one record a poller reads
    (`/api/v1/tasks/{id}`), so a watcher never waits for a dead task forever. Returns how many it failed."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TASK_STALE_SECONDS)
    stale = TaskRecord.objects.filter(state=TaskState.RUNNING, heartbeat_at__lt=cutoff)
    if record_ids is not None:
        stale = stale.filter(pk__in=record_ids)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    # The state is re-checked in the UPDATE: a worker that wrote progress meanwhile keeps its record.
    failed = TaskRecord.objects.filter(pk__in=ids, state=TaskState.RUNNING, heartbeat_at__lt=cutoff).update(
        state=TaskState.FAILED, error=WORKER_LOST, payload=b"", finished_at=now
    )
    if failed:
        logger.warning("%d background task(s) lost their worker and were marked failed", failed)
    return failed
