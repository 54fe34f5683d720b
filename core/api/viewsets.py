"""Viewset building blocks shared by every area's API."""

from rest_framework import status
from rest_framework.response import Response

from core.api.serializers import StatusTransitionInputSerializer


class ServiceWriteMixin:
    """Create and update through a service: the serializer validates the shape, `create_instance` /
    `update_instance` call the service (which holds the rules), and the answer is re-read through the
    viewset's queryset so it has the same shape (and query cost) as a read."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.create_instance(dict(serializer.validated_data))
        return Response(self.get_serializer(self._reload(instance)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.update_instance(instance, dict(serializer.validated_data))
        return Response(self.get_serializer(self._reload(instance)).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _reload(self, instance):
        return self.get_queryset().get(pk=instance.pk)

    def create_instance(self, data):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def update_instance(self, instance, data):  # pragma: no cover - subclasses that offer updates override
        raise NotImplementedError

    def run_transition(self, request, service, object_kwarg: str):
        """`POST {id}/transition`: validate {status, reason}, call `service(actor=..., <object_kwarg>=obj, ...)`."""
        payload = StatusTransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        instance = service(actor=request.user, **{object_kwarg: self.get_object()}, **payload.validated_data)
        return Response(self.get_serializer(self._reload(instance)).data)
