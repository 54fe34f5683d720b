"""Tracer study and impact serializers: shape and field validation only; rules live in outcomes.services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import policy
from credentials.choices import LIVE_CERTIFICATE_STATUSES
from credentials.models import Certificate
from outcomes.choices import CompetenceArea, EmploymentStatus
from outcomes.models import EmployerSurvey, TracerInvitation, TracerResponse
from outcomes.services import INVITATION_DEFAULT_DAYS, INVITATION_MAX_DAYS, TracerAnswers
from outcomes.stats import DIMENSIONS
from registry.models import Municipality, Organisation


def _slug(model, **kwargs):
    return serializers.SlugRelatedField(slug_field="slug", queryset=model.objects.all(), **kwargs)


class SkillsSatisfactionSerializer(serializers.Serializer):
    """Satisfaction with the skills gained, 1-5, per competence area (any subset of the areas)."""

    def get_fields(self):
        return {
            area: serializers.IntegerField(min_value=1, max_value=5, required=False, help_text=label)
            for area, label in CompetenceArea.choices
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(CompetenceArea.values))
            if unknown:
                raise serializers.ValidationError({k: ["Unknown competence area."] for k in unknown})
        return super().to_internal_value(data)


class TracerAnswersInputSerializer(serializers.Serializer):
    employment_status = serializers.ChoiceField(choices=EmploymentStatus.choices)
    employer = _slug(Organisation, required=False, allow_null=True)
    employer_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    work_municipality = _slug(Municipality, required=False, allow_null=True)
    months_to_first_job = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    job_uses_qualification = serializers.BooleanField(required=False, allow_null=True, default=None)
    skills_satisfaction = SkillsSatisfactionSerializer(required=False)
    would_choose_again = serializers.BooleanField(required=False, allow_null=True, default=None)

    def answers(self) -> TracerAnswers:
        data = dict(self.validated_data)
        data.pop("certificate", None)
        data.pop("wave", None)
        data.pop("token", None)
        return TracerAnswers(**{"skills_satisfaction": {}, **data})


def recordable_certificates(request):
    """Certificates the caller may record tracer data for: those it may act on (core.policy)."""
    if request is None:
        return Certificate.objects.none()
    return policy.actionable(request.user, Certificate.objects.all())


@extend_schema_field(OpenApiTypes.INT)
class ScopedCertificateField(serializers.PrimaryKeyRelatedField):
    """A certificate id among the caller's own (another provider's certificate reads as 'does not exist')."""

    def get_queryset(self):
        return recordable_certificates(self.context.get("request"))


class TracerResponseCreateInputSerializer(TracerAnswersInputSerializer):
    certificate = ScopedCertificateField()
    wave = serializers.IntegerField(min_value=1, max_value=120)
    responded_on = serializers.DateField(required=False)


class TracerResponseUpdateInputSerializer(TracerAnswersInputSerializer):
    responded_on = serializers.DateField(required=False)


class TracerResponseSerializer(serializers.ModelSerializer):
    serial_number = serializers.CharField(source="certificate.serial_number", read_only=True)
    holder_name = serializers.CharField(source="certificate.holder_name", read_only=True)
    provider = serializers.CharField(source="certificate.provider.slug", read_only=True)
    employer = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    work_municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    skills_satisfaction = SkillsSatisfactionSerializer(read_only=True)
    skills_mean = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = TracerResponse
        fields = [
            "id",
            "certificate",
            "serial_number",
            "holder_name",
            "provider",
            "wave",
            "employment_status",
            "employer",
            "employer_name",
            "work_municipality",
            "months_to_first_job",
            "job_uses_qualification",
            "skills_satisfaction",
            "skills_mean",
            "would_choose_again",
            "responded_on",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TracerImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV with a header line; see docs/tracer-study.md.")
    dry_run = serializers.BooleanField(required=False, default=False)


class TracerImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the tracer responses created; empty on a dry run."
    )
    dry_run = serializers.BooleanField()


class TracerInvitationCreateInputSerializer(serializers.Serializer):
    certificate = ScopedCertificateField()
    wave = serializers.IntegerField(min_value=1, max_value=120)
    valid_days = serializers.IntegerField(min_value=1, max_value=INVITATION_MAX_DAYS, default=INVITATION_DEFAULT_DAYS)


class TracerInvitationSerializer(serializers.ModelSerializer):
    used = serializers.SerializerMethodField()

    class Meta:
        model = TracerInvitation
        fields = ["id", "certificate", "wave", "expires_at", "used", "used_at", "created_at"]
        read_only_fields = fields

    def get_used(self, obj) -> bool:
        return obj.used_at is not None


class TracerInvitationCreatedSerializer(TracerInvitationSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; only its hash is stored.")
    url = serializers.CharField(read_only=True, help_text="The link to send to the graduate.")

    class Meta(TracerInvitationSerializer.Meta):
        fields = [*TracerInvitationSerializer.Meta.fields, "token", "url"]
        read_only_fields = fields


class TracerAnswerInputSerializer(TracerAnswersInputSerializer):
    token = serializers.CharField(max_length=128)


class TracerAnswerResultSerializer(serializers.Serializer):
    wave = serializers.IntegerField()
    responded_on = serializers.DateField()


class LiveCertificateByVerificationIdField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="verification_id",
            queryset=Certificate.objects.filter(status__in=LIVE_CERTIFICATE_STATUSES),
            **kwargs,
        )


class EmployerSurveyCreateInputSerializer(serializers.Serializer):
    employer = _slug(
        Organisation, required=False, help_text="Defaults to the caller's own organisation (the ministry must say)."
    )
    verification_id = LiveCertificateByVerificationIdField(help_text="The graduate's certificate, as on its QR.")
    graduate_satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    programme_satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    surveyed_on = serializers.DateField(required=False)


class EmployerSurveySerializer(serializers.ModelSerializer):
    employer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    serial_number = serializers.CharField(source="certificate.serial_number", read_only=True)
    holder_name = serializers.CharField(source="certificate.holder_name", read_only=True)
    provider = serializers.CharField(source="certificate.provider.slug", read_only=True)

    class Meta:
        model = EmployerSurvey
        fields = [
            "id",
            "employer",
            "certificate",
            "serial_number",
            "holder_name",
            "provider",
            "graduate_satisfaction",
            "programme_satisfaction",
            "surveyed_on",
            "created_at",
        ]
        read_only_fields = fields


class ImpactQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=DIMENSIONS, required=False, allow_null=True, default=None)
    provider = serializers.SlugField(required=False, allow_null=True, default=None)
    qualification = serializers.CharField(max_length=32, required=False, allow_null=True, default=None)


class ImpactIndicatorsSerializer(serializers.Serializer):
    learners_trained = serializers.IntegerField(
        allow_null=True, help_text="Enrolments not withdrawn. Every count is rounded to a multiple of rounding_base."
    )
    certified = serializers.IntegerField(allow_null=True, help_text="Live (valid or suspended) certificates.")
    respondents = serializers.IntegerField(allow_null=True, help_text="Graduates with a tracer response.")
    employed = serializers.IntegerField(allow_null=True, help_text="Employed at their latest wave.")
    employment_rate = serializers.FloatField(
        allow_null=True, help_text="employed / respondents (the rounded counts); null under min_rate_base respondents."
    )
    employed_sen = serializers.IntegerField(allow_null=True, help_text="In a public school, municipality or family.")
    sen_employment_rate = serializers.FloatField(allow_null=True)
    employed_public_school = serializers.IntegerField(allow_null=True)
    employed_municipality = serializers.IntegerField(allow_null=True)
    employed_private_family = serializers.IntegerField(allow_null=True)
    median_months_to_first_job = serializers.FloatField(allow_null=True)
    municipalities_reached = serializers.IntegerField(
        allow_null=True, help_text="Municipalities whose rounded learner count reaches min_group_size."
    )
    employer_surveys = serializers.IntegerField(allow_null=True)
    employer_satisfaction_rate = serializers.FloatField(allow_null=True, help_text="Share of surveys scoring >= 4.")
    graduate_satisfaction_mean = serializers.FloatField(allow_null=True, help_text="Mean skill score, 1-5.")
    suppressed = serializers.BooleanField(
        help_text="The rounded learner count is under min_group_size: every figure is null (groups are not listed)."
    )
    suppressed_indicators = serializers.ListField(
        child=serializers.CharField(), help_text="Rates, medians and means hidden because their base is too small."
    )


class ImpactGroupSerializer(ImpactIndicatorsSerializer):
    key = serializers.CharField(help_text="Public key of the group: a slug, code, gender or year.")
    label_sq = serializers.CharField()
    label_en = serializers.CharField()


class ImpactFiltersSerializer(serializers.Serializer):
    provider = serializers.CharField(allow_null=True)
    qualification = serializers.CharField(allow_null=True)


class ImpactStatsSerializer(serializers.Serializer):
    min_group_size = serializers.IntegerField(
        help_text="A group is listed when its rounded learner count reaches this."
    )
    rounding_base = serializers.IntegerField(
        help_text="Every count is the true count randomly rounded to a multiple of this (docs/tracer-study.md)."
    )
    min_rate_base = serializers.IntegerField(help_text="A rate, median or mean needs a rounded base of this.")
    by = serializers.CharField(allow_null=True)
    filters = ImpactFiltersSerializer()
    overall = ImpactIndicatorsSerializer()
    groups = ImpactGroupSerializer(many=True)
