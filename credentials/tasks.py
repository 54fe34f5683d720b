"""The credentials area's background work (ADR 0009): imports of learners and results, and cohort issuance.

Each `*_start` is the service a view calls when the work is too big for a web request: it checks what can be
checked at once (who acts, the file's shape, the award date), so a bad request is a 4xx with no task, then
records and enqueues the task. Each `@task` runs in a worker (`manage.py db_worker`) and calls the ordinary
service through `registry.services.tasks.task_run`: the same rules, the same all-or-nothing transaction, the
same audit entries, the owner as the actor.
"""

from __future__ import annotations

import datetime

from django_tasks import task

from core import policy
from credentials.models import Cohort
from credentials.services import imports
from credentials.services.issuance import award_dates, cohort_issue_certificates
from registry.choices import TaskKind
from registry.models import Organisation, TaskRecord
from registry.services.tasks import task_run, task_start

# --- imports --------------------------------------------------------------------------------------------------

IMPORTS = {
    TaskKind.LEARNERS_IMPORT: (imports.learners_import, imports.count_learner_rows),
    TaskKind.RESULTS_IMPORT: (imports.results_import, imports.count_result_rows),
}


def training_import_start(
    *, actor, kind: str, provider: Organisation, content: bytes, dry_run: bool = False, rows: int | None = None
) -> TaskRecord:
    """Queue an import of `content` (a learners or results CSV) for `provider`. The file's shape (encoding, size,
    header) is checked here: a file that cannot be read is refused at once, with no task."""
    policy.require_for(actor, "training.write", provider.pk)
    _service, count = IMPORTS[kind]
    rows = count(content) if rows is None else rows
    return task_start(
        actor=actor,
        kind=kind,
        task=training_import_task,
        organisation_id=provider.pk,
        params={"dry_run": dry_run},
        payload=content,
        total=rows,
    )


@task()
def training_import_task(record_id: str) -> None:
    task_run(record_id, _run_import)


def _run_import(record: TaskRecord, actor, progress) -> dict:
    service, _count = IMPORTS[record.kind]
    report = service(
        actor=actor,
        provider=record.organisation,
        content=bytes(record.payload),
        dry_run=record.params.get("dry_run", False),
        progress=progress,
    )
    return report.as_dict()


# --- cohort issuance ------------------------------------------------------------------------------------------


def cohort_issuance_start(
    *, actor, cohort: Cohort, awarded_on: datetime.date | None = None, dry_run: bool = False
) -> TaskRecord:
    """Queue the issuance of a cohort's certificates. Who acts and the award date are checked here; the award
    date defaults to today as of now, so a task that runs after midnight awards on the day it was asked for."""
    policy.require(actor, "certificate.issue")
    policy.require_act(actor, cohort)
    awarded_on, _today = award_dates(awarded_on)
    return task_start(
        actor=actor,
        kind=TaskKind.COHORT_ISSUANCE,
        task=cohort_issuance_task,
        organisation_id=cohort.provider_id,
        params={"cohort": cohort.pk, "awarded_on": awarded_on.isoformat(), "dry_run": dry_run},
        total=cohort.enrolments.count(),
    )


@task()
def cohort_issuance_task(record_id: str) -> None:
    task_run(record_id, _run_issuance)


def _run_issuance(record: TaskRecord, actor, progress) -> dict:
    params = record.params
    result = cohort_issue_certificates(
        actor=actor,
        cohort=Cohort.objects.get(pk=params["cohort"]),
        awarded_on=datetime.date.fromisoformat(params["awarded_on"]),
        dry_run=params.get("dry_run", False),
        progress=progress,
    )
    return result.as_dict()
