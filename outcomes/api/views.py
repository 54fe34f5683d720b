"""Tracer study endpoints. Responses, invitations and surveys are personal data: only the ministry, the
provider that issued the certificate and (for surveys) the employer read them. The impact statistics are
aggregated and suppressed, so they are public."""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api.parsers import decode_text_body
from core.api.tasks import TaskSerializer, accepted, runs_in_background
from core.errors import DomainError
from outcomes import published, selectors, services, stats, tasks
from outcomes.filtersets import EmployerSurveyFilterSet, TracerInvitationFilterSet, TracerResponseFilterSet
from outcomes.services import TracerAnswers
from outcomes.throttles import ImpactRateThrottle

from . import serializers as s
from .renderers import ImpactCsvRenderer

READ_WRITE = ["get", "post", "patch", "head", "options"]


class CsvTextParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"csv": decode_text_body(stream)}  # not UTF-8: a 400, not a 500


class InvitationAnswerThrottle(AnonRateThrottle):
    scope = "tracer_answer_anon"
    rate = "30/min"

    def get_rate(self):
        return self.rate


@extend_schema_view(
    list=extend_schema(description="Tracer responses: the ministry reads all, a provider those of its graduates."),
    create=extend_schema(request=s.TracerResponseCreateInputSerializer, responses={201: s.TracerResponseSerializer}),
    partial_update=extend_schema(
        request=s.TracerResponseUpdateInputSerializer, responses={200: s.TracerResponseSerializer}
    ),
)
class TracerResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    policy = {"read": "tracer.read", "write": "tracer.write"}
    http_method_names = READ_WRITE
    serializer_class = s.TracerResponseSerializer
    filterset_class = TracerResponseFilterSet
    search_fields = ["certificate__serial_number", "employer_name"]
    ordering_fields = ["responded_on", "wave", "created_at"]

    def get_queryset(self):
        return selectors.tracer_responses_for(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.TracerResponseCreateInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        answers = data.answers()
        answers.responded_on = data.validated_data.get("responded_on")
        response = services.tracer_response_record(
            actor=request.user,
            certificate=data.validated_data["certificate"],
            wave=data.validated_data["wave"],
            answers=answers,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=response.pk)).data, status=201)

    def update(self, request, *args, **kwargs):
        response = self.get_object()
        data = s.TracerResponseUpdateInputSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        current = {
            field: getattr(response, field)
            for field in TracerAnswers.__dataclass_fields__
            if field not in data.validated_data
        }
        answers = TracerAnswers(**{**current, **data.validated_data})
        services.tracer_response_update(actor=request.user, response=response, answers=answers)
        return Response(self.get_serializer(self.get_queryset().get(pk=response.pk)).data)

    @extend_schema(
        request={"multipart/form-data": s.TracerImportInputSerializer, "text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter("dry_run", bool, description="Validate only; write nothing."),
            OpenApiParameter(
                "Prefer",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="`respond-async`: run as a background task (202) whatever the size.",
            ),
        ],
        responses={
            200: s.TracerImportResultSerializer,
            201: s.TracerImportResultSerializer,
            202: OpenApiResponse(TaskSerializer, description="Runs as a background task: poll the task."),
        },
        description=(
            "Import responses from CSV. Every row is validated first; one bad row imports nothing and the "
            "error lists each problem's line, field and code (`error.rows`). The answer gives the ids of the "
            "responses created (`ids`; none on a dry run). A file of more than 200 rows (the registry's default "
            "threshold), or any file sent with `Prefer: respond-async`, runs as a background task: 202 with the "
            "task, whose `result` is the answer and `error` the same error."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, CsvTextParser],
        serializer_class=s.TracerImportResultSerializer,
        filterset_class=None,
    )
    def import_csv(self, request):
        if "csv" in request.data:
            text = request.data["csv"]
            dry_run = request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}
        else:
            data = s.TracerImportInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            raw = data.validated_data["file"].read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise DomainError("invalid", "The file is not UTF-8.", fields={"file": ["Not UTF-8."]}) from None
            dry_run = data.validated_data["dry_run"] or request.query_params.get("dry_run", "") in {"1", "true"}
        rows = len(services.read_tracer_rows(text))  # a header problem is a 400 either way, and starts no task
        if runs_in_background(request, rows):
            return accepted(
                request, tasks.tracer_import_start(actor=request.user, csv_text=text, dry_run=dry_run, rows=rows)
            )
        created = services.tracer_responses_import(actor=request.user, csv_text=text, dry_run=dry_run)
        ids = [] if dry_run else [response.pk for response in created]
        return Response(
            {"imported": len(created), "ids": ids, "dry_run": dry_run},
            status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED,
        )


@extend_schema_view(
    create=extend_schema(
        request=s.TracerInvitationCreateInputSerializer,
        responses={201: s.TracerInvitationCreatedSerializer},
        description="A one-time link for the graduate to answer one wave; the token is shown only here.",
    )
)
class TracerInvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    policy = {"read": "tracer.read", "write": "tracer.write"}
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = s.TracerInvitationSerializer
    filterset_class = TracerInvitationFilterSet
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        return selectors.tracer_invitations_for(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.TracerInvitationCreateInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        invitation, token = services.tracer_invitation_create(actor=request.user, **data.validated_data)
        invitation.token = token
        invitation.url = f"{settings.PUBLIC_BASE_URL}/tracer/{token}/"
        return Response(s.TracerInvitationCreatedSerializer(invitation).data, status=201)


class TracerAnswerView(APIView):
    """A graduate answers through the one-time link, without an account (the JSON twin of /tracer/<token>/)."""

    policy = "tracer.answer_by_link"
    authentication_classes: list = []
    throttle_classes = [InvitationAnswerThrottle]

    @extend_schema(
        request=s.TracerAnswerInputSerializer,
        responses={201: s.TracerAnswerResultSerializer, 404: OpenApiResponse(description="Bad or spent link.")},
    )
    def post(self, request):
        data = s.TracerAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.tracer_invitation_answer(token=data.validated_data["token"], answers=data.answers())
        return Response({"wave": response.wave, "responded_on": response.responded_on}, status=201)


@extend_schema_view(
    create=extend_schema(
        request=s.EmployerSurveyCreateInputSerializer,
        responses={
            201: s.EmployerSurveySerializer,
            403: OpenApiResponse(
                description=(
                    "Not allowed; `employer_not_linked` when no tracer answer of the graduate names the employer "
                    "and the employer never verified the graduate's certificate itself."
                )
            ),
        },
        description=(
            "Rate a graduate the employer is linked to: named as employer in the graduate's tracer answer, or "
            "having verified the graduate's certificate (`GET /api/v1/verifications/{verification_id}`)."
        ),
    )
)
class EmployerSurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Employers and municipalities record their own ratings; the ministry reads all; a provider reads
    those about its graduates."""

    policy = {"read": "employer_survey.read", "write": "employer_survey.write"}
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = s.EmployerSurveySerializer
    filterset_class = EmployerSurveyFilterSet
    ordering_fields = ["surveyed_on", "created_at", "graduate_satisfaction"]

    def get_queryset(self):
        return selectors.employer_surveys_for(self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.EmployerSurveyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employer = values.pop("employer", None) or request.user.organisation
        if employer is None:
            raise DomainError("invalid", "Name the employer.", fields={"employer": ["Required."]})
        survey = services.employer_survey_record(
            actor=request.user, employer=employer, certificate=values.pop("verification_id"), **values
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=survey.pk)).data, status=201)


class ImpactStatsView(APIView):
    """Public: aggregated indicators only, every count rounded, small groups left out (outcomes.stats)."""

    policy = "statistics.read"
    throttle_classes = [ImpactRateThrottle]  # shared with the page (outcomes/throttles.py)
    renderer_classes = [JSONRenderer, ImpactCsvRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=list(stats.DIMENSIONS), description="Break the indicators down."),
            OpenApiParameter("provider", str, description="Only this provider (slug)."),
            OpenApiParameter("qualification", str, description="Only this qualification (code)."),
            OpenApiParameter("format", str, enum=["json", "csv"]),
        ],
        responses={200: s.ImpactStatsSerializer},
        description=(
            "The seed documents' indicators computed from the registry: learners trained, certified, employed "
            "(latest tracer wave; SEN roles), median months to the first job, municipalities reached, employer "
            "and graduate satisfaction. Public, so no figure is exact: every count is randomly rounded to a "
            "multiple of `rounding_base` (the same people always give the same figure), groups whose rounded "
            "learner count is under `min_group_size` are left out, and rates come from the rounded counts."
        ),
    )
    def get(self, request, format=None):
        query = s.ImpactQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = query.validated_data
        renderer, media_type = request.accepted_renderer, request.accepted_media_type
        context = self.get_renderer_context()

        def answer() -> bytes:
            return renderer.render(published.impact(**figures), media_type, context)

        # The rendered answer is cached whole (outcomes/published.py): at 100,000 graduates `by=cohort` is
        # thousands of rows, as costly to render as to compute.
        key = (media_type, figures["by"], figures["provider"], figures["qualification"])
        content_type = f"{renderer.media_type}; charset={renderer.charset}" if renderer.charset else renderer.media_type
        response = HttpResponse(published.cached("answer", key, answer), content_type=content_type)
        if renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="impact-{figures["by"] or "overall"}.csv"'
        return response
