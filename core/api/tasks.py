"""The API's side of background work (ADR 0009): how a task is shown, and the 202 that hands one out.

A `POST` whose work may outlast a web request answers `202 Accepted` with the task (the body below) and its
address in `Location`; the client polls `GET /api/v1/tasks/{id}` until `state` is `succeeded` or `failed`.
Work under the size threshold (`BACKGROUND_THRESHOLD`) answers at once, unless the client asks for a task
with `Prefer: respond-async` (RFC 7240), which the answer confirms with `Preference-Applied`.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.response import Response

RESPOND_ASYNC = "respond-async"


class TaskProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class TaskSerializer(serializers.Serializer):
    """One task as its owner's organisation (and the ministry) sees it. `result` is the work's answer (what the
    synchronous call would have answered); `error`, when it failed, the error object it would have answered
    (`code`, `message`, `fields`, and for imports the row errors: line, field, code, message)."""

    id = serializers.UUIDField()
    url = serializers.SerializerMethodField()
    kind = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    stage = serializers.CharField(help_text="What the task is doing: check, write, issue ...")
    progress = TaskProgressSerializer(source="*")
    result = serializers.JSONField(allow_null=True)
    error = serializers.JSONField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, record) -> str:
        return task_url(self.context.get("request"), record)


def task_url(request, record) -> str:
    path = reverse("task-detail", kwargs={"pk": str(record.pk)})
    return request.build_absolute_uri(path) if request is not None else path


def prefers_background(request) -> bool:
    preferences = {p.split("=", 1)[0].strip().lower() for p in request.headers.get("Prefer", "").split(",")}
    return RESPOND_ASYNC in preferences


def runs_in_background(request, size: int) -> bool:
    """Whether work of `size` rows (or enrolments) runs as a task: above the threshold, or when asked to."""
    return size > settings.BACKGROUND_THRESHOLD or prefers_background(request)


def accepted(request, record) -> Response:
    """202 with the task and its address."""
    headers = {"Location": task_url(request, record)}
    if prefers_background(request):
        headers["Preference-Applied"] = RESPOND_ASYNC
    return Response(
        TaskSerializer(record, context={"request": request}).data, status=status.HTTP_202_ACCEPTED, headers=headers
    )
