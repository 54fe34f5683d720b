"""Catalogue endpoints. CRUD viewsets whose writes call the services; status changes are a `transition`
action; nothing in the catalogue is deleted (withdraw or close it instead)."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action

from core.api.pagination import KeysetPagination
from core.api.serializers import StatusTransitionInputSerializer
from core.api.viewsets import ServiceWriteMixin
from registry import filtersets, selectors
from registry.services import accreditation as acc_services
from registry.services import catalogue

from . import serializers as s

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


class ServiceViewSet(ServiceWriteMixin, viewsets.ModelViewSet):
    """A ModelViewSet whose writes go through services; subclasses give `create_instance`/`update_instance`."""

    http_method_names = NO_DELETE
    policy = {"read": "catalogue.read", "write": "catalogue.write"}


TRANSITION_SCHEMA = extend_schema(
    request=StatusTransitionInputSerializer,
    examples=[OpenApiExample("Suspend", value={"status": "suspended", "reason": "Inspection found gaps"})],
)


@extend_schema_view(list=extend_schema(description="Kosovo's 38 municipalities, in Albanian, Serbian and English."))
class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.municipality_list()
    serializer_class = s.MunicipalitySerializer
    filterset_class = filtersets.MunicipalityFilterSet
    search_fields = ["slug", "name_sq", "name_sr", "name_sr_cyrl", "name_en"]
    ordering_fields = ["name_sq", "name_en", "slug"]
    lookup_field = "slug"
    policy = "catalogue.read"


class OrganisationViewSet(ServiceViewSet):
    queryset = selectors.organisation_list()
    serializer_class = s.OrganisationSerializer
    filterset_class = filtersets.OrganisationFilterSet
    search_fields = ["slug", "name", "short_name", "registration_number"]
    ordering_fields = ["name", "slug", "kind", "created_at"]
    lookup_field = "slug"

    def create_instance(self, data):
        return catalogue.organisation_create(actor=self.request.user, data=data)

    def update_instance(self, instance, data):
        return catalogue.organisation_update(actor=self.request.user, organisation=instance, data=data)


class OccupationalStandardViewSet(ServiceViewSet):
    queryset = selectors.occupational_standard_list()
    serializer_class = s.OccupationalStandardSerializer
    filterset_class = filtersets.OccupationalStandardFilterSet
    search_fields = ["code", "title", "isco08_code"]
    ordering_fields = ["code", "version", "approved_on", "review_on"]

    def create_instance(self, data):
        duties = data.pop("duties", [])
        return catalogue.occupational_standard_create(actor=self.request.user, data=data, duties=duties)

    def update_instance(self, instance, data):
        duties = data.pop("duties", None)
        return catalogue.occupational_standard_update(
            actor=self.request.user, standard=instance, data=data, duties=duties
        )


QUALIFICATION_EXAMPLE = OpenApiExample(
    "Level 5 SEN assistant",
    request_only=True,
    value={
        "code": "NQA-L5-SEN",
        "serial_prefix": "L5-SEN",
        "title_sq": "Asistent/e për fëmijë/nxënës me nevoja të veçanta arsimore",
        "title_sr": "Asistent/kinja za decu/učenike sa posebnim obrazovnim potrebama",
        "title_en": "Assistant for children/pupils with special educational needs (SEN)",
        "type": "vocational",
        "nqf_level": 5,
        "eqf_level": 5,
        "credits": 120,
        "isced_f_code": "0113",
        "hours_theory": 600,
        "hours_practice": 600,
        "owner": "mesti",
        "awarding_body": "nqa",
        "standards": [1],
        "operational_start": "2017-09-01",
    },
)
ACCREDITATION_EXAMPLE = OpenApiExample(
    "OCN London accredits QPGJ",
    request_only=True,
    value={
        "provider": "qpgj",
        "qualification": 2,
        "agent": "ocn-london",
        "kind": "programme",
        "extent": "training_and_assessment",
        "decision_number": "OCN-LDN-2024-0412",
        "valid_from": "2024-01-15",
        "valid_until": "2027-01-14",
        "status": "granted",
        "municipalities": ["prishtine", "ferizaj", "gjilan"],
        "conditions": [],
    },
)


@extend_schema_view(
    list=extend_schema(
        description="The qualification catalogue. Example: `?eqf_level=5&search=SEN` finds the Level 5 "
        "qualification for assistants to children with special educational needs."
    ),
    create=extend_schema(
        description="Add a qualification (ministry). It starts as a draft; see `transition`.",
        examples=[QUALIFICATION_EXAMPLE],
    ),
)
class QualificationViewSet(ServiceViewSet):
    queryset = selectors.qualification_list()
    serializer_class = s.QualificationSerializer
    filterset_class = filtersets.QualificationFilterSet
    search_fields = ["code", "serial_prefix", "title_sq", "title_sr", "title_en"]
    ordering_fields = ["code", "nqf_level", "eqf_level", "operational_start", "created_at"]

    def create_instance(self, data):
        standards = data.pop("standards", [])
        return catalogue.qualification_create(actor=self.request.user, data=data, standards=standards)

    def update_instance(self, instance, data):
        standards = data.pop("standards", None)
        return catalogue.qualification_update(
            actor=self.request.user, qualification=instance, data=data, standards=standards
        )

    @TRANSITION_SCHEMA
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the qualification along draft → approved → available → no_longer_awarded → certification_closed."""
        return self.run_transition(request, catalogue.qualification_transition, "qualification")


class CurriculumViewSet(ServiceViewSet):
    queryset = selectors.curriculum_list()
    serializer_class = s.CurriculumSerializer
    filterset_class = filtersets.CurriculumFilterSet
    search_fields = ["version", "title", "qualification__code", "modules__title"]
    ordering_fields = ["version", "approved_on", "created_at"]

    def create_instance(self, data):
        modules = data.pop("modules")
        return catalogue.curriculum_create(actor=self.request.user, data=data, modules=modules)

    def update_instance(self, instance, data):
        modules = data.pop("modules", None)
        return catalogue.curriculum_update(actor=self.request.user, curriculum=instance, data=data, modules=modules)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()


@extend_schema_view(
    create=extend_schema(
        description="Record an accreditation. An awarding body records only those it grants (agent = itself).",
        examples=[ACCREDITATION_EXAMPLE],
    )
)
class AccreditationViewSet(ServiceViewSet):
    """Accreditations are recorded by their accrediting agent (an awarding body or NQA) or by the ministry."""

    queryset = selectors.accreditation_list()
    serializer_class = s.AccreditationSerializer
    filterset_class = filtersets.AccreditationFilterSet
    search_fields = ["decision_number", "provider__name", "provider__short_name", "qualification__code", "sites"]
    ordering_fields = ["valid_from", "valid_until", "decision_number", "created_at"]
    policy = {"read": "catalogue.read", "write": "accreditation.record"}

    def create_instance(self, data):
        conditions = data.pop("conditions", [])
        municipalities = data.pop("municipalities", [])
        return acc_services.accreditation_create(
            actor=self.request.user, data=data, conditions=conditions, municipalities=municipalities
        )

    def update_instance(self, instance, data):
        conditions = data.pop("conditions", None)
        municipalities = data.pop("municipalities", None)
        return acc_services.accreditation_update(
            actor=self.request.user,
            accreditation=instance,
            data=data,
            conditions=conditions,
            municipalities=municipalities,
        )

    @TRANSITION_SCHEMA
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Grant, suspend, withdraw or expire. Certificates already issued are never affected."""
        return self.run_transition(request, acc_services.accreditation_transition, "accreditation")


class EquivalencyViewSet(ServiceViewSet):
    """Ministry decisions that a foreign awarding body's qualification equals a national one."""

    queryset = selectors.equivalency_list()
    serializer_class = s.EquivalencySerializer
    filterset_class = filtersets.EquivalencyFilterSet
    search_fields = ["decision_number", "qualification__code", "equivalent_to__code", "notes"]
    ordering_fields = ["decided_on", "valid_from", "decision_number"]
    policy = {"read": "catalogue.read", "write": "equivalency.decide"}

    def create_instance(self, data):
        return acc_services.equivalency_create(actor=self.request.user, data=data)

    def update_instance(self, instance, data):
        return acc_services.equivalency_update(actor=self.request.user, equivalency=instance, data=data)

    @TRANSITION_SCHEMA
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Suspend, reinstate or withdraw the decision."""
        return self.run_transition(request, acc_services.equivalency_transition, "equivalency")


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only audit trail (ministry only)."""

    queryset = selectors.audit_entry_list()
    serializer_class = s.AuditEntrySerializer
    filterset_class = filtersets.AuditEntryFilterSet
    policy = "audit.read"
    search_fields = ["object_repr", "reason", "object_type"]
    ordering_fields = ["created_at", "id"]
    pagination_class = KeysetPagination  # millions of entries: cursors, no count (core/api/pagination.py)
