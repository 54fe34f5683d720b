"""Serializers for training records and certificates: shape and field validation only; the rules live in
credentials.services. Workflow input/output serializers are named per action so OpenAPI components
never collide."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import policy
from credentials import selectors
from credentials.choices import EnrolmentStatus, RevocationReason, StatusAuthority
from credentials.models import Certificate, Cohort, Enrolment, Learner, ModuleResult
from registry.models import Curriculum, CurriculumModule, Municipality


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id looked up only among the records the requesting user may see: another provider's
    record answers "does not exist", exactly like a missing one."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        # No request, no caller: nobody's scope (never the system's, which is everything).
        return self.selector(request.user if request is not None else AnonymousUser())


def municipality_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=Municipality.objects.all(), required=False, allow_null=True
    )


# --- learners ------------------------------------------------------------------------------------


class LearnerSerializer(serializers.ModelSerializer):
    """A learner, with personal data: only the learner's provider and the ministry ever read this."""

    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    municipality = municipality_field()
    full_name = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        allow_blank=True,
        help_text="The language the registry writes to the holder in (e-mails, the private page); blank: Albanian.",
    )

    class Meta:
        model = Learner
        fields = [
            "id",
            "provider",
            "given_name",
            "family_name",
            "full_name",
            "date_of_birth",
            "personal_number",
            "gender",
            "municipality",
            "email",
            "language",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # uniqueness per provider is the service's check (clear code, 409)


# --- cohorts -------------------------------------------------------------------------------------


class CohortSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    curriculum = serializers.PrimaryKeyRelatedField(queryset=Curriculum.objects.all())
    qualification = serializers.IntegerField(source="curriculum.qualification_id", read_only=True)
    municipality = municipality_field()
    mentors = serializers.ListField(child=serializers.CharField(max_length=255), required=False)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "provider",
            "curriculum",
            "qualification",
            "code",
            "name",
            "start_date",
            "end_date",
            "delivery_mode",
            "municipality",
            "mentors",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []


# --- enrolments ----------------------------------------------------------------------------------


class EnrolmentSerializer(serializers.ModelSerializer):
    learner = ScopedPrimaryKeyField(selectors.learners_actionable_by)
    cohort = ScopedPrimaryKeyField(selectors.cohorts_actionable_by)
    enrolled_on = serializers.DateField(required=False)

    class Meta:
        model = Enrolment
        fields = ["id", "learner", "cohort", "status", "enrolled_on", "completed_on", "created_at", "updated_at"]
        read_only_fields = ["status", "completed_on", "created_at", "updated_at"]
        validators = []


class EnrolmentTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    on = serializers.DateField(required=False, help_text="Completion date (default: today).")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EligibilityReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.DictField(required=False)


class EligibilityHoursSerializer(serializers.Serializer):
    required = serializers.IntegerField()
    attended = serializers.IntegerField()
    missing = serializers.IntegerField()


class EnrolmentEligibilityHoursSerializer(serializers.Serializer):
    theory = EligibilityHoursSerializer()
    practice = EligibilityHoursSerializer()


class EligibilityMissingModuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.CharField()


class EnrolmentEligibilitySerializer(serializers.Serializer):
    """What issuing a certificate for this enrolment on `awarded_on` would meet, and what is missing."""

    enrolment = serializers.IntegerField()
    awarded_on = serializers.DateField()
    eligible = serializers.BooleanField()
    reasons = EligibilityReasonSerializer(many=True)
    missing_modules = EligibilityMissingModuleSerializer(many=True)
    hours = EnrolmentEligibilityHoursSerializer()
    accreditation = serializers.IntegerField(allow_null=True)
    equivalency = serializers.IntegerField(allow_null=True)
    certificate = serializers.IntegerField(allow_null=True, help_text="The live certificate, if already issued.")


# --- module results ------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "The module: its id, or its code in the enrolment's curriculum (e.g. `M12`). Answers: the id.",
    }
)
class ModuleIdOrCodeField(serializers.Field):
    """A curriculum module named by its id (a number) or by its code, which is unique only within a curriculum:
    a code is resolved in the enrolment's curriculum by the serializer's `validate`."""

    default_error_messages = {"invalid": "Give the module's id (a number) or its code (e.g. M12)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or str(data).strip() == "":
            self.fail("invalid")
        text = str(data).strip()
        if text.isdigit():
            module = CurriculumModule.objects.filter(pk=int(text)).first()
            if module is None:
                raise serializers.ValidationError(gettext("No module with id %(id)s.") % {"id": text})
            return module
        if len(text) > 32:
            self.fail("invalid")
        return text  # a code, resolved in validate()

    def to_representation(self, value):
        return value.pk


class ModuleResultSerializer(serializers.ModelSerializer):
    """A learner's result in one module (personal data). POST records or corrects (one per module)."""

    enrolment = ScopedPrimaryKeyField(selectors.enrolments_actionable_by)
    module = ModuleIdOrCodeField()
    module_code = serializers.CharField(source="module.code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    def validate(self, attrs):
        module, enrolment = attrs.get("module"), attrs.get("enrolment")
        if isinstance(module, str) and enrolment is not None:
            found = CurriculumModule.objects.filter(curriculum_id=enrolment.cohort.curriculum_id, code=module).first()
            if found is None:
                raise serializers.ValidationError(
                    {
                        "module": [
                            gettext("No module with code %(code)s in the curriculum of this enrolment's cohort.")
                            % {"code": repr(module)}
                        ]
                    }
                )
            attrs["module"] = found
        return attrs

    class Meta:
        model = ModuleResult
        fields = [
            "id",
            "enrolment",
            "module",
            "module_code",
            "hours_theory",
            "hours_practice",
            "outcome",
            "assessed_on",
            "assessor",
            "recorded_by",
            "updated_at",
        ]
        read_only_fields = ["recorded_by", "updated_at"]
        validators = []


class ModuleResultUpdateSerializer(ModuleResultSerializer):
    module = ModuleIdOrCodeField(read_only=True)

    class Meta(ModuleResultSerializer.Meta):
        read_only_fields = ["enrolment", "module", "recorded_by", "updated_at"]


class CsvImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV; see docs/csv-import.md for the columns.")
    dry_run = serializers.BooleanField(default=False, help_text="Check and count, write nothing.")


class CsvImportReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    created_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the learners (or results) created; empty on a dry run."
    )
    updated_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the learners (or results) changed; empty on a dry run."
    )
    enrolment_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the enrolments created (learner imports)."
    )


# --- certificates --------------------------------------------------------------------------------


class CertificateSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    awarding_body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_reason_code = serializers.ChoiceField(
        choices=RevocationReason.choices, allow_blank=True, read_only=True, help_text="Empty while valid."
    )
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "serial_number",
            "verification_id",
            "status",
            "status_reason_code",
            "status_reference",
            "status_changed_at",
            "status_authority",
            "holder_name",
            "learner",
            "enrolment",
            "qualification",
            "curriculum",
            "provider",
            "awarding_body",
            "accreditation",
            "equivalency",
            "awarded_on",
            "issued_on",
            "key_id",
            "signature",
            "supersedes",
            "superseded_by",
            "replaces_revoked",
            "created_at",
        ]
        read_only_fields = fields

    def get_superseded_by(self, obj) -> int | None:
        try:
            return obj.superseded_by.pk
        except Certificate.superseded_by.RelatedObjectDoesNotExist:
            return None


class CertificateDetailSerializer(CertificateSerializer):
    """With the signed snapshot of everything printed. Its modules' outcomes are the learner's results (personal
    data): they are shown to callers who may read the transcript (`certificate.transcript`: the issuing provider,
    the ministry) and left out for the others (an awarding body), and for a caller the serializer was not told."""

    class Meta(CertificateSerializer.Meta):
        fields = [*CertificateSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        snapshot = data.get("snapshot")
        if isinstance(snapshot, dict) and not (request is not None and policy.may(request.user, TRANSCRIPT)):
            data["snapshot"] = without_results(snapshot)
        return data


TRANSCRIPT = "certificate.transcript"
RESULT_KEYS = ("outcome",)  # per module: the learner's result (the module's hours and credits are the curriculum's)


def without_results(snapshot: dict) -> dict:
    """The snapshot less the learner's results (each module's outcome)."""
    modules = snapshot.get("modules")
    if not isinstance(modules, list):
        return snapshot
    return {
        **snapshot,
        "modules": [
            {k: v for k, v in module.items() if k not in RESULT_KEYS} if isinstance(module, dict) else module
            for module in modules
        ],
    }


class CertificateIssueInputSerializer(serializers.Serializer):
    enrolment = ScopedPrimaryKeyField(
        selectors.enrolments_actionable_by, help_text="The enrolment to certify (one of your cohorts')."
    )
    awarded_on = serializers.DateField(required=False, help_text="Award date (default: today; never in the future).")
    replaces_revoked = ScopedPrimaryKeyField(
        selectors.certificates_visible_to,
        required=False,
        allow_null=True,
        help_text=(
            "The revoked certificate of this enrolment the new one follows: the explicit decision to issue "
            "again after a revocation (with `reason`)."
        ),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text="Why a new certificate follows the revoked one (required with `replaces_revoked`).",
    )


class CohortIssueCertificatesInputSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False, help_text="List who would get one and why others not.")
    awarded_on = serializers.DateField(required=False)


class CohortIssueEnrolmentSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    learner = serializers.IntegerField()
    holder_name = serializers.CharField()
    reasons = EligibilityReasonSerializer(many=True, required=False)


class CohortIssuedCertificateSerializer(serializers.Serializer):
    """A compact line per certificate (the full record: GET /certificates/{id})."""

    id = serializers.IntegerField()
    serial_number = serializers.CharField()
    verification_id = serializers.CharField()
    status = serializers.CharField()
    holder_name = serializers.CharField()
    enrolment = serializers.IntegerField()
    learner = serializers.IntegerField()


class CohortIssuePreviouslyRevokedSerializer(serializers.Serializer):
    """A learner whose certificate was revoked: a batch never issues them again; a new certificate is an
    explicit decision (POST /certificates with `replaces_revoked`)."""

    enrolment = serializers.IntegerField()
    learner = serializers.IntegerField()
    holder_name = serializers.CharField()
    revoked_certificate = serializers.IntegerField()
    revoked_serial_number = serializers.CharField()
    decided_by = serializers.ChoiceField(choices=StatusAuthority.choices, help_text="Who revoked it.")


class CohortIssueCertificatesResultSerializer(serializers.Serializer):
    cohort = serializers.IntegerField()
    awarded_on = serializers.DateField()
    dry_run = serializers.BooleanField()
    issued = CohortIssuedCertificateSerializer(many=True)
    already_issued = CohortIssuedCertificateSerializer(many=True)
    would_issue = CohortIssueEnrolmentSerializer(many=True)
    refused = CohortIssueEnrolmentSerializer(many=True)
    previously_revoked = CohortIssuePreviouslyRevokedSerializer(many=True)


class CertificateRevokeInputSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=RevocationReason.choices)
    reference = serializers.CharField(max_length=255, help_text="Decision, case or letter number.")


class CertificateSuspendInputSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=RevocationReason.choices)
    reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CertificateReinstateInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CertificateReissueInputSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=2000, help_text="Why the name is corrected (e.g. ID card copy ref).")
    correct_learner = serializers.BooleanField(default=True, help_text="Also correct the learner's record.")


class CertificateAllowReplacementInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=255, help_text="The ministry's decision (case or letter number).")
