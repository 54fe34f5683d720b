"""`GET /api/v1/stats/tracer-response-rates`: the tracer study's response rate per wave (outcomes.tracer_mail)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials import selectors
from outcomes.tracer_mail import tracer_response_rates

ERROR = OpenApiResponse(description="The one error shape: {error: {code, message, fields, request_id}}.")


class TracerResponseRateSerializer(serializers.Serializer):
    wave = serializers.IntegerField(help_text="Months after the award.")
    invited = serializers.IntegerField(help_text="Graduates given a one-time link (by e-mail or by hand).")
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)


class TracerResponseRatesView(APIView):
    policy = "tracer.read"

    @extend_schema(
        operation_id="stats_tracer_response_rates",
        tags=["statistics"],
        responses={200: TracerResponseRateSerializer(many=True), 403: ERROR},
        description=(
            "Per wave of the tracer study: graduates invited, how many answered through their link, and the rate; "
            "over the certificates you may read (a provider its own, the ministry all)."
        ),
    )
    def get(self, request):
        rows = tracer_response_rates(selectors.certificates_visible_to(request.user))
        return Response(TracerResponseRateSerializer(rows, many=True).data)
