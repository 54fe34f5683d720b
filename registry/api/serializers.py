"""Catalogue serializers: shape and field validation only; rules live in registry.services."""

from rest_framework import serializers

from registry.choices import AccreditationStatus, DeliveryMode
from registry.models import (
    Accreditation,
    AccreditationCondition,
    AuditEntry,
    Competence,
    Curriculum,
    CurriculumModule,
    Duty,
    Equivalency,
    LearningOutcome,
    Municipality,
    OccupationalStandard,
    Organisation,
    Qualification,
)


def org_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all(), **kwargs)


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "slug", "name_sq", "name_sr", "name_sr_cyrl", "name_en"]


class OrganisationSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(
        slug_field="slug", queryset=Municipality.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "kind",
            "name",
            "short_name",
            "registration_number",
            "country",
            "municipality",
            "website",
            "signatory_name",
            "signatory_title",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class CompetenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competence
        fields = ["id", "code", "kind", "description", "order"]
        read_only_fields = ["id"]


class DutySerializer(serializers.ModelSerializer):
    competences = CompetenceSerializer(many=True, required=False)

    class Meta:
        model = Duty
        fields = ["id", "code", "title", "order", "competences"]
        read_only_fields = ["id"]


class OccupationalStandardSerializer(serializers.ModelSerializer):
    duties = DutySerializer(many=True, required=False)

    class Meta:
        model = OccupationalStandard
        fields = [
            "id",
            "code",
            "title",
            "version",
            "isco08_code",
            "esco_uri",
            "status",
            "approved_on",
            "review_on",
            "developed_by",
            "duties",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        approved, review = attrs.get("approved_on"), attrs.get("review_on")
        if self.instance is not None:
            approved = attrs.get("approved_on", self.instance.approved_on)
            review = attrs.get("review_on", self.instance.review_on)
        if approved and review and review <= approved:
            raise serializers.ValidationError({"review_on": "The review date must come after approval."})
        return attrs


class QualificationSerializer(serializers.ModelSerializer):
    owner = org_field()
    awarding_body = org_field()
    standards = serializers.PrimaryKeyRelatedField(
        many=True, queryset=OccupationalStandard.objects.all(), required=False
    )
    hours_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Qualification
        fields = [
            "id",
            "code",
            "serial_prefix",
            "title_sq",
            "title_sr",
            "title_en",
            "type",
            "nqf_level",
            "eqf_level",
            "credits",
            "isced_f_code",
            "hours_theory",
            "hours_practice",
            "hours_total",
            "owner",
            "awarding_body",
            "standards",
            "status",
            "operational_start",
            "operational_end",
            "certification_end",
            "supersedes",
            "supersedes_is_equivalent",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    def validate(self, attrs):
        def value(name):
            return attrs.get(name, getattr(self.instance, name, None) if self.instance else None)

        start, end, cert_end = value("operational_start"), value("operational_end"), value("certification_end")
        errors = {}
        if start and end and end < start:
            errors["operational_end"] = "The operational end comes before its start."
        if end and cert_end and cert_end < end:
            errors["certification_end"] = "Certification cannot end before the qualification's operational end."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class LearningOutcomeSerializer(serializers.ModelSerializer):
    assessment_criteria = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=50
    )

    class Meta:
        model = LearningOutcome
        fields = ["code", "description", "assessment_criteria", "order"]


class CurriculumModuleSerializer(serializers.ModelSerializer):
    learning_outcomes = LearningOutcomeSerializer(many=True, required=False)
    competences = serializers.PrimaryKeyRelatedField(many=True, queryset=Competence.objects.all(), required=False)

    class Meta:
        model = CurriculumModule
        fields = [
            "id",
            "code",
            "title",
            "title_en",
            "kind",
            "hours_theory",
            "hours_practice",
            "credits",
            "mandatory",
            "order",
            "competences",
            "learning_outcomes",
        ]
        read_only_fields = ["id"]


class CurriculumSerializer(serializers.ModelSerializer):
    delivery_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=DeliveryMode.choices), min_length=1, max_length=3
    )
    modules = CurriculumModuleSerializer(many=True)
    hours_theory = serializers.SerializerMethodField()
    hours_practice = serializers.SerializerMethodField()

    class Meta:
        model = Curriculum
        fields = [
            "id",
            "qualification",
            "version",
            "title",
            "delivery_modes",
            "developed_by",
            "status",
            "approved_on",
            "hours_theory",
            "hours_practice",
            "modules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_hours_theory(self, obj) -> int:
        return sum(m.hours_theory for m in obj.modules.all() if m.mandatory)

    def get_hours_practice(self, obj) -> int:
        return sum(m.hours_practice for m in obj.modules.all() if m.mandatory)


class AccreditationConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccreditationCondition
        fields = ["id", "description", "deadline", "met", "met_on"]
        read_only_fields = ["id"]


class AccreditationSerializer(serializers.ModelSerializer):
    provider = org_field()
    agent = org_field()
    municipalities = serializers.SlugRelatedField(
        many=True, slug_field="slug", queryset=Municipality.objects.all(), required=False
    )
    conditions = AccreditationConditionSerializer(many=True, required=False)
    status = serializers.ChoiceField(
        choices=AccreditationStatus.choices,
        required=False,
        help_text="On create: applied, granted or granted_with_conditions. Later changes go through `transition`.",
    )

    class Meta:
        model = Accreditation
        fields = [
            "id",
            "provider",
            "qualification",
            "nqf_level",
            "agent",
            "kind",
            "extent",
            "decision_number",
            "valid_from",
            "valid_until",
            "municipalities",
            "sites",
            "conditions",
            "status",
            "status_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status_reason", "created_at", "updated_at"]

    def validate(self, attrs):
        def value(name):
            return attrs.get(name, getattr(self.instance, name, None) if self.instance else None)

        errors = {}
        start, end = value("valid_from"), value("valid_until")
        if start and end and end < start:
            errors["valid_until"] = "The accreditation's validity ends before it starts."
        if value("qualification") is None and value("nqf_level") is None:
            errors["qualification"] = "Name the qualification (programme) or the NQF level (institutional)."
        elif value("qualification") is not None and value("nqf_level") is not None:
            errors["nqf_level"] = "Give either a qualification or an NQF level, not both."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EquivalencySerializer(serializers.ModelSerializer):
    decided_by = org_field()

    class Meta:
        model = Equivalency
        fields = [
            "id",
            "qualification",
            "equivalent_to",
            "decided_by",
            "decision_number",
            "decided_on",
            "valid_from",
            "valid_until",
            "status",
            "status_reason",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "status_reason", "created_at", "updated_at"]

    def validate(self, attrs):
        def value(name):
            return attrs.get(name, getattr(self.instance, name, None) if self.instance else None)

        start, end = value("valid_from"), value("valid_until")
        if start and end and end < start:
            raise serializers.ValidationError({"valid_until": "The equivalency's validity ends before it starts."})
        if value("qualification") and value("qualification") == value("equivalent_to"):
            raise serializers.ValidationError({"equivalent_to": "A qualification is not equivalent to itself."})
        return attrs


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "actor",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "reason",
            "request_id",
            "created_at",
        ]
        read_only_fields = fields
