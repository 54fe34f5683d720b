import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import TaskKind, TaskState

from .organisations import Organisation


class TaskRecord(models.Model):
    """One piece of background work as its owner sees it: what it is, how far it got, and how it ended
    (ADR 0009). The task framework's own row (django_tasks_db) says which worker runs it; this one is what
    `/api/v1/tasks/{id}` shows, scoped to the owner's organisation (and the ministry) by the access policy.

    `result` and `error` hold counts, ids, codes, line numbers and field names, never personal data values.
    `payload` (an uploaded file) is personal data: it is read by the task and emptied when the task ends."""

    id = models.UUIDField(verbose_name=_("ID"), primary_key=True, default=uuid.uuid4, editable=False)  # not guessable
    kind = models.CharField(verbose_name=_("kind"), max_length=32, choices=TaskKind.choices)
    state = models.CharField(
        verbose_name=_("state"), max_length=16, choices=TaskState.choices, default=TaskState.QUEUED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # ids, dates, flags: what the task needs besides the file
    params = models.JSONField(verbose_name=_("parameters"), default=dict, blank=True)
    # personal data, emptied at the end
    payload = models.BinaryField(verbose_name=_("payload"), default=b"", blank=True, editable=False)
    stage = models.CharField(verbose_name=_("stage"), max_length=32, blank=True)
    done = models.PositiveIntegerField(verbose_name=_("done"), default=0)
    total = models.PositiveIntegerField(verbose_name=_("total"), default=0)
    result = models.JSONField(verbose_name=_("result"), null=True, blank=True)
    error = models.JSONField(verbose_name=_("error"), null=True, blank=True)
    # the task framework's id of the run
    backend_id = models.CharField(verbose_name=_("backend ID"), max_length=64, blank=True)
    # the request that started it; its audit entries too
    request_id = models.CharField(verbose_name=_("request ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(verbose_name=_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("finished at"), null=True, blank=True)
    # The worker's last sign of life: set when it claims the record and at every progress write. A running
    # record silent for longer than TASK_STALE_SECONDS lost its worker (registry.services.tasks.sweep_stale).
    heartbeat_at = models.DateTimeField(verbose_name=_("last sign of life at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task record")
        verbose_name_plural = _("task records")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"
