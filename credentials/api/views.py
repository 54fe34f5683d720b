"""Endpoints for training records and certificates. Views parse input, call a service, and serialize; the
rules and the object-level checks live in credentials.services, the scoping in credentials.selectors.

No DELETE anywhere: certificates are revoked, enrolments withdrawn, never removed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import policy
from core.api.tasks import TaskSerializer, accepted, runs_in_background
from core.api.viewsets import ServiceWriteMixin
from credentials import filtersets, selectors, tasks
from credentials import services as svc
from credentials.choices import LIVE_CERTIFICATE_STATUSES
from credentials.models import Certificate
from credentials.services import idempotency
from registry.choices import TaskKind

from . import serializers as s

# A database id that fits a bigint: anything else does not match the route (404), never reaches the database.
ID_PATTERN = "[0-9]{1,18}"
WRITE_METHODS = ["get", "post", "put", "patch", "head", "options"]
READ_AND_POST = ["get", "post", "head", "options"]

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Replays the first successful answer for the same key and body (header `Idempotent-Replayed: true`); "
        "the same key with another body is refused with 422 `idempotency_key_reused`."
    ),
)
ERROR = OpenApiResponse(description="The one error shape: {error: {code, message, fields, request_id}}.")
PREFER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "`respond-async`: run as a background task (202) whatever the size. Work above BACKGROUND_THRESHOLD "
        "rows (200 by default) always does."
    ),
)
ACCEPTED = OpenApiResponse(
    TaskSerializer,
    description="Runs as a background task: poll the task (`Location`, `url`) until it has succeeded or failed.",
)


class IdempotentMixin:
    """Honour an `Idempotency-Key` header on a POST workflow (rule 2 of DESIGN.md)."""

    def idempotent(self, request, handler):
        raw = request.headers.get("Idempotency-Key")
        if raw is None:
            return handler()
        key = idempotency.check_key(raw)
        scope = f"{request.method} {request.path.rstrip('/')}"
        body = request.data.dict() if hasattr(request.data, "dict") else request.data
        lookup = {"user": request.user, "scope": scope[:128], "key": key}
        fingerprint = idempotency.request_fingerprint(body)
        try:
            with transaction.atomic():
                record = idempotency.idempotency_lookup(**lookup, fingerprint=fingerprint)
                if record is not None:
                    return self._replay(record)
                response = handler()
                if 200 <= response.status_code < 300:
                    idempotency.idempotency_store(
                        **lookup, fingerprint=fingerprint, status=response.status_code, body=response.data
                    )
                return response
        except IntegrityError:
            # A concurrent request with the same key stored its answer first; ours rolled back entirely.
            record = idempotency.idempotency_lookup(**lookup, fingerprint=fingerprint)
            if record is None:
                raise
            return self._replay(record)

    @staticmethod
    def _replay(record) -> Response:
        return Response(record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"})


class ServiceModelViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List/retrieve from a scoped selector; create (and update, where offered) through a service."""

    selector = None
    policy = {"read": "training.read", "write": "training.write"}
    lookup_value_regex = ID_PATTERN
    http_method_names = READ_AND_POST

    def get_queryset(self):
        return type(self).selector(self.request.user)


def _import(request, kind: str) -> Response:
    """A CSV import: at once for a small file, as a background task (202) for a large one (ADR 0009). A file
    that cannot be read (encoding, size, header) is a 400 either way, and starts no task."""
    form = s.CsvImportInputSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    provider = policy.acting_provider(request.user)
    content, dry_run = form.validated_data["file"].read(), form.validated_data["dry_run"]
    service, count = tasks.IMPORTS[kind]
    rows = count(content)
    if runs_in_background(request, rows):
        record = tasks.training_import_start(
            actor=request.user, kind=kind, provider=provider, content=content, dry_run=dry_run, rows=rows
        )
        return accepted(request, record)
    report = service(actor=request.user, provider=provider, content=content, dry_run=dry_run)
    return Response(s.CsvImportReportSerializer(report.as_dict()).data)


IMPORT_SCHEMA = extend_schema(
    request={"multipart/form-data": s.CsvImportInputSerializer},
    parameters=[PREFER],
    responses={200: s.CsvImportReportSerializer, 202: ACCEPTED, 400: ERROR},
    description=(
        "All or nothing: a file with any bad row imports nothing and the error lists every bad row "
        "(`error.row_errors`: line, field, code, message). The report gives the ids of what was written "
        "(`created_ids`, `updated_ids`, `enrolment_ids`; none on a dry run). A file of more than 200 rows (the "
        "registry's default threshold), or any file sent with `Prefer: respond-async`, runs as a background task: "
        "202 with the task, whose `result` is the report and whose `error` is the same error. Format: "
        "docs/csv-import.md."
    ),
)


# --- learners ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(description="Your learners (the ministry: all). Personal data: never public."),
    create=extend_schema(description="Record a learner of your organisation (names as on the ID card)."),
)
class LearnerViewSet(ServiceModelViewSet):
    selector = staticmethod(selectors.learners_visible_to)
    serializer_class = s.LearnerSerializer
    filterset_class = filtersets.LearnerFilterSet
    search_fields = ["given_name", "family_name", "personal_number"]
    ordering_fields = ["family_name", "given_name", "date_of_birth", "created_at", "id"]
    http_method_names = WRITE_METHODS

    def create_instance(self, data):
        return svc.learner_create(
            actor=self.request.user, provider=policy.acting_provider(self.request.user), data=data
        )

    def update_instance(self, instance, data):
        return svc.learner_update(actor=self.request.user, learner=instance, data=data)

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        return _import(request, TaskKind.LEARNERS_IMPORT)


# --- cohorts -------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(description="Your cohorts (the ministry: all)."))
class CohortViewSet(IdempotentMixin, ServiceModelViewSet):
    selector = staticmethod(selectors.cohorts_visible_to)
    serializer_class = s.CohortSerializer
    filterset_class = filtersets.CohortFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["start_date", "end_date", "code", "created_at", "id"]
    http_method_names = WRITE_METHODS

    def create_instance(self, data):
        return svc.cohort_create(actor=self.request.user, provider=policy.acting_provider(self.request.user), data=data)

    def update_instance(self, instance, data):
        return svc.cohort_update(actor=self.request.user, cohort=instance, data=data)

    @extend_schema(
        request=s.CohortIssueCertificatesInputSerializer,
        responses={
            200: s.CohortIssueCertificatesResultSerializer,
            202: ACCEPTED,
            400: ERROR,
            403: ERROR,
            404: ERROR,
        },
        parameters=[IDEMPOTENCY_KEY, PREFER],
        description=(
            "Issue a certificate to every eligible enrolment of the cohort that has none yet, in one "
            "transaction. With `dry_run` nothing is written: the answer lists who would get one and, for "
            "the others, every broken rule. Learners whose certificate was revoked are never issued here "
            "(`previously_revoked`). Issuing moves the cohort on: `finished` once no learner is still "
            "in training, else `running`. A cohort of more than BACKGROUND_THRESHOLD enrolments (200 by "
            "default), or any cohort with `Prefer: respond-async`, is issued by a background task: 202 with "
            "the task, whose `result` is this same answer."
        ),
        examples=[OpenApiExample("Dry run", value={"dry_run": True, "awarded_on": "2026-06-30"})],
    )
    @action(detail=True, methods=["post"], url_path="issue-certificates")
    def issue_certificates(self, request, pk=None):
        cohort = self.get_object()

        def handler():
            form = s.CohortIssueCertificatesInputSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            if runs_in_background(request, cohort.enrolments.count()):
                return accepted(
                    request, tasks.cohort_issuance_start(actor=request.user, cohort=cohort, **form.validated_data)
                )
            result = svc.cohort_issue_certificates(actor=request.user, cohort=cohort, **form.validated_data)
            return Response(result.as_dict())

        return self.idempotent(request, handler)


# --- enrolments ----------------------------------------------------------------------------------


class EligibilityQuerySerializer(serializers.Serializer):
    awarded_on = serializers.DateField(required=False)


@extend_schema_view(list=extend_schema(description="Enrolments in your cohorts (the ministry: all)."))
class EnrolmentViewSet(ServiceModelViewSet):
    selector = staticmethod(selectors.enrolments_visible_to)
    serializer_class = s.EnrolmentSerializer
    filterset_class = filtersets.EnrolmentFilterSet
    search_fields = ["learner__given_name", "learner__family_name", "cohort__code"]
    ordering_fields = ["enrolled_on", "completed_on", "created_at", "id"]

    def create_instance(self, data):
        return svc.enrolment_create(actor=self.request.user, **data)

    @extend_schema(
        request=s.EnrolmentTransitionInputSerializer,
        responses={200: s.EnrolmentSerializer, 400: ERROR},
        description="Complete (needs every mandatory module passed and the hours), withdraw or re-activate.",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        enrolment = self.get_object()
        form = s.EnrolmentTransitionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        enrolment = svc.enrolment_transition(actor=request.user, enrolment=enrolment, **form.validated_data)
        return Response(self.get_serializer(self._reload(enrolment)).data)

    @extend_schema(
        parameters=[OpenApiParameter("awarded_on", OpenApiTypes.DATE, description="Award date (default: today).")],
        responses={200: s.EnrolmentEligibilitySerializer},
        description="Whether a certificate could be issued for this enrolment, and what is missing if not.",
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        enrolment = self.get_object()
        query = EligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        enrolment = selectors.enrolment_with_results(self.get_queryset().filter(pk=enrolment.pk)).get()
        awarded_on = query.validated_data.get("awarded_on") or timezone.localdate()
        data = svc.enrolment_eligibility(enrolment=enrolment, awarded_on=awarded_on).as_dict()
        live = (
            Certificate.objects.filter(enrolment=enrolment, status__in=LIVE_CERTIFICATE_STATUSES)
            .values_list("pk", flat=True)
            .first()
        )
        data["certificate"] = live
        return Response(s.EnrolmentEligibilitySerializer(data).data)


# --- module results ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(description="Module results of your enrolments (personal data)."),
    create=extend_schema(
        description="Record a result; a second POST for the same enrolment and module corrects it (200)."
    ),
)
class ModuleResultViewSet(ServiceModelViewSet):
    selector = staticmethod(selectors.module_results_visible_to)
    filterset_class = filtersets.ModuleResultFilterSet
    ordering_fields = ["assessed_on", "updated_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.ModuleResultUpdateSerializer
        return s.ModuleResultSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        result, created = svc.module_result_record(
            actor=request.user, enrolment=data.pop("enrolment"), module=data.pop("module"), data=data
        )
        return Response(
            self.get_serializer(self._reload(result)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def update_instance(self, instance, data):
        result, _created = svc.module_result_record(
            actor=self.request.user, enrolment=instance.enrolment, module=instance.module, data=data
        )
        return result

    @IMPORT_SCHEMA
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        return _import(request, TaskKind.RESULTS_IMPORT)


# --- certificates --------------------------------------------------------------------------------

CERTIFICATE_WORKFLOW = {200: s.CertificateDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}


@extend_schema_view(
    list=extend_schema(
        description=(
            "Certificates you may read: a provider its own, an awarding body those issued under accreditations "
            "it granted, the ministry all."
        )
    ),
    retrieve=extend_schema(responses={200: s.CertificateDetailSerializer}),
    create=extend_schema(
        request=s.CertificateIssueInputSerializer,
        responses={
            201: s.CertificateDetailSerializer,
            200: s.CertificateDetailSerializer,
            400: ERROR,
            403: ERROR,
            409: ERROR,
        },
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "Issue the certificate of one enrolment (201). Issuing again returns the first one (200). A "
            "refusal names the broken rule in `error.code` and lists all in `error.reasons`. If a certificate "
            "of the enrolment was revoked, a new one is an explicit decision: `replaces_revoked` (its id) and "
            "a `reason`; without them 409 `previously_revoked`. After a revocation by the ministry the ministry "
            "must first allow a replacement (`allow-replacement`), else 403 `decided_by_ministry`."
        ),
    ),
)
class CertificateViewSet(IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    policy = {
        "read": "certificate.read",
        "create": "certificate.issue",
        "revoke": "certificate.change_status",
        "suspend": "certificate.change_status",
        "reinstate": "certificate.change_status",
        "reissue": "certificate.reissue",
        "allow_replacement": "certificate.change_status",
    }
    lookup_value_regex = ID_PATTERN
    filterset_class = filtersets.CertificateFilterSet
    search_fields = ["serial_number", "holder_name", "verification_id"]
    ordering_fields = ["issued_on", "awarded_on", "serial_number", "created_at", "id"]
    http_method_names = READ_AND_POST

    def get_queryset(self):
        return selectors.certificates_visible_to(self.request.user)

    def get_serializer_class(self):
        return s.CertificateSerializer if self.action == "list" else s.CertificateDetailSerializer

    def _answer(self, certificate, code=status.HTTP_200_OK) -> Response:
        certificate = self.get_queryset().get(pk=certificate.pk)
        return Response(
            s.CertificateDetailSerializer(certificate, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        def handler():
            form = s.CertificateIssueInputSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            certificate, created = svc.certificate_issue(actor=request.user, **form.validated_data)
            return self._answer(certificate, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

        return self.idempotent(request, handler)

    def _workflow(self, request, form_class, service, **extra):
        certificate = self.get_object()

        def handler():
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            return self._answer(service(actor=request.user, certificate=certificate, **form.validated_data, **extra))

        return self.idempotent(request, handler)

    @extend_schema(
        request=s.CertificateRevokeInputSerializer,
        responses=CERTIFICATE_WORKFLOW,
        parameters=[IDEMPOTENCY_KEY],
        description="Revoke (annul). The ministry may revoke any certificate; a provider only its own. Final.",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._workflow(request, s.CertificateRevokeInputSerializer, svc.certificate_revoke)

    @extend_schema(
        request=s.CertificateSuspendInputSerializer,
        responses=CERTIFICATE_WORKFLOW,
        parameters=[IDEMPOTENCY_KEY],
        description="Suspend a valid certificate while a question is examined.",
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._workflow(request, s.CertificateSuspendInputSerializer, svc.certificate_suspend)

    @extend_schema(
        request=s.CertificateReinstateInputSerializer,
        responses=CERTIFICATE_WORKFLOW,
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "Reinstate a suspended certificate. A suspension decided by the ministry is lifted only by the "
            "ministry (403 `decided_by_ministry`)."
        ),
    )
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._workflow(request, s.CertificateReinstateInputSerializer, svc.certificate_reinstate)

    @extend_schema(
        request=s.CertificateReissueInputSerializer,
        responses={**CERTIFICATE_WORKFLOW, 201: s.CertificateDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "Correct the holder's name: a new certificate (new serial and verification id) supersedes this "
            "one, which then verifies as `superseded`. Answers the new certificate (201)."
        ),
    )
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        certificate = self.get_object()

        def handler():
            form = s.CertificateReissueInputSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            new = svc.certificate_reissue(actor=request.user, certificate=certificate, **form.validated_data)
            return self._answer(new, status.HTTP_201_CREATED)

        return self.idempotent(request, handler)

    @extend_schema(
        request=s.CertificateAllowReplacementInputSerializer,
        responses=CERTIFICATE_WORKFLOW,
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "Ministry only: lift the bar a revocation decided by the ministry puts on the enrolment. The "
            "certificate stays revoked; its provider may then issue a new one naming it (`replaces_revoked`)."
        ),
    )
    @action(detail=True, methods=["post"], url_path="allow-replacement")
    def allow_replacement(self, request, pk=None):
        return self._workflow(request, s.CertificateAllowReplacementInputSerializer, svc.certificate_allow_replacement)
