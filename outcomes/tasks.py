"""The tracer study's background work (ADR 0009): a large CSV import of tracer responses runs as a task, and
the impact figures are recomputed after a change (`refresh_impact`, outcomes/published.py).

`tracer_import_start` checks who acts and the file's header at once (a bad request is a 4xx with no task);
the task runs `outcomes.services.tracer_responses_import` in a worker, as the owner, with the same rules.
"""

from __future__ import annotations

from django_tasks import task

from core import policy
from outcomes.services import read_tracer_rows, tracer_responses_import
from registry.choices import TaskKind
from registry.models import TaskRecord
from registry.services.tasks import task_run, task_start


def tracer_import_start(*, actor, csv_text: str, dry_run: bool = False, rows: int | None = None) -> TaskRecord:
    policy.require(actor, "tracer.write")
    rows = len(read_tracer_rows(csv_text)) if rows is None else rows
    return task_start(
        actor=actor,
        kind=TaskKind.TRACER_IMPORT,
        task=tracer_import_task,
        organisation_id=policy.acting_organisation_id(actor),
        params={"dry_run": dry_run},
        payload=csv_text.encode("utf-8"),
        total=rows,
    )


@task()
def tracer_import_task(record_id: str) -> None:
    task_run(record_id, _run_import)


def _run_import(record: TaskRecord, actor, progress) -> dict:
    dry_run = record.params.get("dry_run", False)
    text = bytes(record.payload).decode("utf-8")
    created = tracer_responses_import(actor=actor, csv_text=text, dry_run=dry_run, progress=progress)
    return {"imported": len(created), "ids": [] if dry_run else [r.pk for r in created], "dry_run": dry_run}


@task()
def refresh_impact(by: str | None = None, provider: str | None = None, qualification: str | None = None) -> None:
    """Recompute one set of impact figures at the current data version into the shared cache. Queued by a
    reader who found the figures older than the data; readers keep the previous figures until it is done."""
    from outcomes import published

    published.refresh(by, provider, qualification)
