"""GET /api/v1/catalogue-changes: the public feed of catalogue changes (registry/catalogue_changes.py)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import catalogue_changes
from registry.choices import AuditAction


class PublicSchema(AutoSchema):
    """Documents the operation as open to anyone (`security: [{}]`): it needs no credentials and reads none."""

    def get_auth(self):
        return [{}]


class CatalogueChangeSerializer(serializers.Serializer):
    changed_at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=AuditAction.choices)
    object_type = serializers.ChoiceField(choices=sorted(name for name, _, _ in catalogue_changes.CATALOGUE.values()))
    object_id = serializers.CharField(help_text="The record's id (organisations and municipalities: see `url`).")
    url = serializers.URLField(allow_null=True, help_text="The record in the catalogue API, as it is now.")
    fields = serializers.DictField(
        help_text="The public fields the change set, with their new values (every field on `create`); relations "
        "as the related record's id. Empty for a deletion."
    )


class CatalogueChangesPageSerializer(serializers.Serializer):
    results = CatalogueChangeSerializer(many=True, source="changes")
    next_since = serializers.CharField(
        help_text="Pass as `since` for the next page, or later to get what changed meanwhile (never skips a change)."
    )
    has_more = serializers.BooleanField(help_text="More changes are waiting: ask again with `next_since` now.")


class CatalogueChangesView(APIView):
    authentication_classes = []  # public, and the same answer for everyone: no credentials are read
    policy = "catalogue.read"
    schema = PublicSchema()

    @extend_schema(
        operation_id="catalogue_changes",
        summary="Changes to the catalogue, oldest first, for harvesting",
        description=(
            "Every change to the public catalogue (organisations, municipalities, occupational standards, "
            "qualifications, curricula, accreditations, equivalencies) from the audit trail, oldest first, paged "
            "by cursor. Start without `since`; then pass each page's `next_since`, now if `has_more` is true, "
            "otherwise at the next harvest. Each change is given exactly once. No personal data: who made a "
            "change, and why, is not published. The full records: the catalogue endpoints, or the Europass "
            "datasets at /datasets/qualifications.xml (docs/datasets.md)."
        ),
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.STR, description="A `next_since` this feed gave; leave out to start over."
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Changes per page, 1 to {catalogue_changes.MAX_LIMIT} "
                f"(default {catalogue_changes.DEFAULT_LIMIT}).",
            ),
        ],
        responses={
            200: CatalogueChangesPageSerializer,
            400: OpenApiResponse(description="`invalid_since` (not a cursor of this feed) or `invalid_limit`."),
        },
    )
    def get(self, request):
        page = catalogue_changes.catalogue_changes(
            since=request.query_params.get("since"),
            limit=catalogue_changes.parse_limit(request.query_params.get("limit")),
        )
        return Response(CatalogueChangesPageSerializer(page).data)
