"""Input serializers that several areas of the API share."""

from rest_framework import serializers


class StatusTransitionInputSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
