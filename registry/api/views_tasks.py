"""`/api/v1/tasks/{id}`: background work and its progress (ADR 0009)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets

from core import policy
from core.api.tasks import TaskSerializer
from registry.models import TaskRecord
from registry.services.tasks import sweep_stale

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class TaskViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A task started by your organisation (the ministry: any). Anyone else's answers 404, as a missing one."""

    policy = "task.read"
    serializer_class = TaskSerializer
    lookup_value_regex = UUID_PATTERN
    filter_backends = []

    def get_queryset(self):
        return policy.readable(self.request.user, TaskRecord.objects.defer("payload", "params"))

    @extend_schema(
        description=(
            "State (queued, running, succeeded, failed), progress (done of total rows), and the result or the "
            "error the synchronous call would have answered. Poll until the state is succeeded or failed. A task "
            "whose worker stopped answers failed with the code `worker_lost`: start it again."
        )
    )
    def retrieve(self, request, *args, **kwargs):
        sweep_stale(record_ids=[kwargs[self.lookup_field]])  # a dead worker's task reads failed, not running forever
        return super().retrieve(request, *args, **kwargs)
