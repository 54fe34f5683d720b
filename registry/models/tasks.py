import uuid

from django.conf import settings
from django.db import models

from registry.choices import TaskKind, TaskState

from .organisations import Organisation


class TaskRecord(models.Model):
    """One piece of background work as its owner sees it: what it is, how far it got, and how it ended
    (ADR 0009). The task framework's own row (django_tasks_db) says which worker runs it; this one is what
    `/api/v1/tasks/{id}` shows, scoped to the owner's organisation (and the ministry) by the access policy.

    `result` and `error` hold counts, ids, codes, line numbers and field names, never personal data values.
    `payload` (an uploaded file) is personal data: it is read by the task and emptied when the task ends."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # not guessable
    kind = models.CharField(max_length=32, choices=TaskKind.choices)
    state = models.CharField(max_length=16, choices=TaskState.choices, default=TaskState.QUEUED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict, blank=True)  # ids, dates, flags: what the task needs besides the file
    payload = models.BinaryField(default=b"", blank=True, editable=False)  # personal data, emptied at the end
    stage = models.CharField(max_length=32, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    backend_id = models.CharField(max_length=64, blank=True)  # the task framework's id of the run
    request_id = models.CharField(max_length=64, blank=True)  # the request that started it; its audit entries too
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's last sign of life: set when it claims the record and at every progress write. A running
    # record silent for longer than TASK_STALE_SECONDS lost its worker (registry.services.tasks.sweep_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"
