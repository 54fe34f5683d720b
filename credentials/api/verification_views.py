"""Verification API: `GET/POST /api/v1/verifications` and the verification log `GET /api/v1/verification-events`.

Thin views over `credentials.verification.services`. The verification answers are built as plain dicts by the
service (`VerificationReport.as_public_dict`); the serializers below describe them for the OpenAPI schema and
validate input shape only.
"""

from __future__ import annotations

import datetime
import functools

import django_filters
import orjson
from django import forms
from django.conf import settings as django_settings
from django.db.models import Count
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import policy
from core.api.errors import error_body, throttled_message, translated
from core.api.pagination import KeysetPagination
from core.api.strict import unknown_names_error
from core.middleware import current_request_id
from credentials.choices import VerificationChannel, VerificationOutcome
from credentials.models import VerificationEvent
from credentials.verification import services
from credentials.verification.credential_document import looks_like_credential, verify_credential
from credentials.verification.events import Caller
from credentials.verification.selectors import verification_events_visible_to
from credentials.verification.throttles import VerificationRateThrottle

# --- schema: answers ----------------------------------------------------------------------------------------

EXAMPLE_VID = "0BV7Q3M9XKZ1P4R8T2W6Y5C0DE"
EXAMPLE_QR_FRAGMENT = (  # the shape of a compact QR token (ADR 0017); its signature is not a real one
    "AIGDENRQGYWTGZTBHFRTCF2MGUWVGRKOFVHUGTRNGIYDENRNGAYDAMJSGMIEC4TENF2GCICLOJQXG3TJOFUQWT2DJYWUYNJNKNCU4BIFKFIEO"
    "SQLJ5BU4ICMN5XGI33OKB6WUHTRMAAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IBBEIRSIJJGE4UCSKRLFQWS4LZQGE"
    "ZDGNBVGY3TQOJ2HM6D2PR7"
)


class VerificationTitleSerializer(serializers.Serializer):
    sq = serializers.CharField()
    sr = serializers.CharField()
    en = serializers.CharField()


class VerificationQualificationSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = VerificationTitleSerializer()
    type = serializers.CharField()
    nqf_level = serializers.IntegerField()
    eqf_level = serializers.IntegerField()
    hours_theory = serializers.IntegerField(allow_null=True, help_text="Hours of theory the qualification requires.")
    hours_practice = serializers.IntegerField(
        allow_null=True, help_text="Hours of practice the qualification requires."
    )


class VerificationOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    country = serializers.CharField()


class VerificationEquivalentQualificationSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = VerificationTitleSerializer()


class VerificationEquivalencySerializer(serializers.Serializer):
    """The ministry decision (as printed) that makes a foreign awarding body's qualification equivalent to a
    national one."""

    decision_number = serializers.CharField()
    decided_on = serializers.DateField()
    decided_by = VerificationOrganisationSerializer()
    equivalent_to = VerificationEquivalentQualificationSerializer()


class VerificationCertificateFactsSerializer(serializers.Serializer):
    """What the certificate prints on its front. Never the personal number, date of birth or results."""

    serial_number = serializers.CharField()
    verification_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "suspended", "revoked", "superseded"])
    status_changed_on = serializers.DateField(allow_null=True)
    holder_name = serializers.CharField()
    qualification = VerificationQualificationSerializer()
    provider = VerificationOrganisationSerializer()
    awarding_body = VerificationOrganisationSerializer()
    equivalency = VerificationEquivalencySerializer(
        allow_null=True, help_text="For a foreign awarding body's qualification; null for a national one."
    )
    awarded_on = serializers.DateField()
    issued_on = serializers.DateField()


class VerificationCheckSerializer(serializers.Serializer):
    check = serializers.ChoiceField(
        choices=["signature", "status", "accreditation", "equivalency", "token", "issuer", "proof"],
        help_text="`issuer` and `proof` only for a verifiable credential document.",
    )
    result = serializers.ChoiceField(choices=["ok", "failed", "skipped"])
    code = serializers.CharField(help_text="Machine-readable, e.g. `status_revoked`, `equivalency_not_needed`.")
    message = serializers.CharField()


class VerificationResultSerializer(serializers.Serializer):
    verification_id = serializers.CharField(allow_null=True)
    outcome = serializers.ChoiceField(choices=VerificationOutcome.choices)
    valid = serializers.BooleanField(help_text="True when no check failed.")
    verified_at = serializers.DateTimeField()
    certificate = VerificationCertificateFactsSerializer(allow_null=True)
    checks = VerificationCheckSerializer(many=True)
    date_of_birth_matches = serializers.BooleanField(
        allow_null=True, help_text="Only for a serial number + date of birth request; the date is never returned."
    )
    compare_with_id_card = serializers.CharField(allow_null=True)


class VerificationErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    request_id = serializers.CharField()


class VerificationErrorSerializer(serializers.Serializer):
    error = VerificationErrorBodySerializer()


class VerificationBatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    result = VerificationResultSerializer(allow_null=True)
    error = VerificationErrorBodySerializer(allow_null=True)


class VerificationBatchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    valid_count = serializers.IntegerField()
    results = VerificationBatchItemResultSerializer(many=True)


# --- schema: requests ---------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class RawTextField(serializers.Field):
    """Text passed through untouched (no trimming, no NUL refusal): the verification parser gives each bad
    input its own error code."""

    def __init__(self, *, max_length: int = 8192, **kwargs):
        self.max_length = max_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Expected text."), code="invalid")
        if len(data) > self.max_length:
            raise serializers.ValidationError(
                _("Longer than %(max)d characters.") % {"max": self.max_length}, code="too_long"
            )
        return data

    def to_representation(self, value):
        return value


class VerificationBatchItemInputSerializer(serializers.Serializer):
    verification_id = RawTextField(max_length=1024)
    qr = RawTextField()
    serial_number = RawTextField(max_length=1024)
    date_of_birth = RawTextField(max_length=1024)


class VerificationRequestInputSerializer(serializers.Serializer):
    """One of: `qr` (raw scanned text), `verification_id`, `serial_number` + `date_of_birth`, or `items`."""

    verification_id = RawTextField(max_length=1024)
    qr = RawTextField()
    serial_number = RawTextField(max_length=1024)
    date_of_birth = RawTextField(max_length=1024)
    items = serializers.ListField(
        child=serializers.DictField(), required=False, allow_empty=True, max_length=services.MAX_BATCH * 4
    )

    def validate(self, attrs):
        forms = [
            name
            for name, present in (
                ("qr", "qr" in attrs),
                ("verification_id", "verification_id" in attrs),
                ("serial_number", "serial_number" in attrs or "date_of_birth" in attrs),
                ("items", "items" in attrs),
            )
            if present
        ]
        if len(forms) != 1:
            raise serializers.ValidationError(
                "Send exactly one of: qr, verification_id, serial_number with date_of_birth, or items."
            )
        return attrs


class VerifiableCredentialInputSerializer(serializers.Serializer):
    """A verifiable credential of this registry (W3C VC 2.0), sent whole as `/credentials/{verification_id}`
    serves it: its proof is checked against the registry's keys, then the certificate it names is verified."""

    def get_fields(self):
        return {
            "@context": serializers.ListField(child=serializers.CharField(), help_text="Starts with the VC 2.0 one."),
            "id": serializers.CharField(help_text="`{PUBLIC_BASE_URL}/credentials/{verification_id}`."),
            "type": serializers.ListField(child=serializers.CharField(), help_text="Includes VerifiableCredential."),
            "issuer": serializers.JSONField(help_text="The registry's did:web, or a Profile with that `id`."),
            "validFrom": serializers.CharField(),
            "credentialSubject": serializers.JSONField(),
            "credentialStatus": serializers.JSONField(required=False, help_text="BitstringStatusListEntry objects."),
            "proof": serializers.JSONField(help_text="Data Integrity proof(s), eddsa-rdfc-2022."),
        }


VERIFICATION_REQUEST = PolymorphicProxySerializer(
    component_name="VerificationPost",
    serializers=[VerificationRequestInputSerializer, VerifiableCredentialInputSerializer],
    resource_type_field_name=None,
)


def _refuse_unknown_fields(data) -> None:
    """The body is the credential's own when it is one; otherwise only the fields this operation documents. (The
    polymorphic request body is described as a whole, so the check is made here.)"""
    if not hasattr(data, "keys") or isinstance(data, list):
        return
    unknown = sorted(set(data.keys()) - set(VerificationRequestInputSerializer().fields) - {"csrfmiddlewaretoken"})
    if unknown:
        raise unknown_names_error("unknown_field", unknown, VerificationRequestInputSerializer().fields)


# --- views --------------------------------------------------------------------------------------------------


def _caller(request) -> Caller:
    user = request.user if request.user.is_authenticated else None
    return Caller.from_request(request, user=user)


def _answer(report) -> Response:
    if report.error is not None:
        raise report.error
    return Response(report.as_public_dict())


_ERRORS = {
    400: OpenApiResponse(VerificationErrorSerializer, description="A bad id, URL, QR text, token or date."),
    404: OpenApiResponse(VerificationErrorSerializer, description="No certificate has this id (`not_found`)."),
    429: OpenApiResponse(VerificationErrorSerializer, description="Throttled (`throttled`, with Retry-After)."),
}

_VALID_EXAMPLE = {
    "verification_id": EXAMPLE_VID,
    "outcome": "valid",
    "valid": True,
    "verified_at": "2026-06-30T09:15:02+02:00",
    "certificate": {
        "serial_number": "L5-SEN-OCN-2026-000123",
        "verification_id": EXAMPLE_VID,
        "status": "valid",
        "status_changed_on": None,
        "holder_name": "Ardita Krasniqi",
        "qualification": {
            "code": "OCN-L5-SEN",
            "title": {
                "sq": "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore",
                "sr": "Asistent za decu/učenike sa posebnim obrazovnim potrebama",
                "en": "Assistant for children/pupils with special educational needs",
            },
            "type": "vocational",
            "nqf_level": 5,
            "eqf_level": 5,
            "hours_theory": 600,
            "hours_practice": 600,
        },
        "provider": {
            "slug": "qpgj",
            "name": "Qendra Profesionale për Gjithëpërfshirje",
            "short_name": "QPGJ",
            "country": "XK",
        },
        "awarding_body": {"slug": "ocn-london", "name": "OCN London", "short_name": "OCN", "country": "GB"},
        "equivalency": {
            "decision_number": "MESTI-EQ-2024-017",
            "decided_on": "2024-03-12",
            "decided_by": {"slug": "mesti", "name": "MESTI", "short_name": "MESTI", "country": "XK"},
            "equivalent_to": {
                "code": "NQA-L5-SEN",
                "title": {
                    "sq": "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore",
                    "sr": "Asistent za decu/učenike sa posebnim obrazovnim potrebama",
                    "en": "Assistant for children/pupils with special educational needs",
                },
            },
        },
        "awarded_on": "2026-06-01",
        "issued_on": "2026-06-02",
    },
    "checks": [
        {
            "check": "signature",
            "result": "ok",
            "code": "signature_valid",
            "message": "The printed record is signed by the registry (key 2606-3fa9c1).",
        },
        {"check": "status", "result": "ok", "code": "status_valid", "message": "The certificate is valid."},
        {
            "check": "accreditation",
            "result": "ok",
            "code": "accreditation_in_force_on_award_date",
            "message": "The provider was accredited (OCN-ACC-2024-01, OCN London) on the award date 2026-06-01.",
        },
        {
            "check": "equivalency",
            "result": "ok",
            "code": "equivalency_in_force_on_award_date",
            "message": "The ministry's equivalency MESTI-EQ-2024-017 covered this qualification on 2026-06-01.",
        },
    ],
    "date_of_birth_matches": None,
    "compare_with_id_card": services.COMPARE_WITH_ID_CARD,
}
_REVOKED_EXAMPLE = {
    **_VALID_EXAMPLE,
    "outcome": "revoked",
    "valid": False,
    "certificate": {**_VALID_EXAMPLE["certificate"], "status": "revoked", "status_changed_on": "2026-07-14"},
    "checks": [
        _VALID_EXAMPLE["checks"][0],
        {
            "check": "status",
            "result": "failed",
            "code": "status_revoked",
            "message": "The certificate was revoked on 2026-07-14.",
        },
        *_VALID_EXAMPLE["checks"][2:],
    ],
}


_PROTECT_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "no-referrer",
}


class NoStoreMixin:
    """Verification answers are never cached anywhere (a revocation shows at once), never indexed and never
    leak the URL (which carries the verification id) to another site."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in _PROTECT_HEADERS.items():
            response[header] = value
        return response


def json_bytes(body: dict) -> bytes:
    """JSON as DRF's JSONRenderer writes it (compact, UTF-8, U+2028/U+2029 escaped), by orjson (a fifth of the
    time). The answers hold strings, integers, booleans and None only (no float: orjson would write NaN as null
    where DRF refuses it)."""
    text = orjson.dumps(body, option=orjson.OPT_PASSTHROUGH_DATETIME)  # a datetime: TypeError (DRF writes its own)
    return text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


class VerificationJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer, its bytes written by orjson (`json_bytes`) when the answer holds only plain values, as
    verification answers do (a batch of 500 spent a twentieth of its time in json.dumps); anything else (a date,
    a lazy translation, an indented answer) is DRF's own."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is not None and self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                return json_bytes(data)
            except TypeError:  # orjson.JSONEncodeError: a value orjson would write otherwise than DRF
                pass
        return super().render(data, accepted_media_type, renderer_context)


def _json_response(body: dict, status: int) -> HttpResponse:
    return HttpResponse(VerificationJSONRenderer().render(body), status=status, content_type="application/json")


def _detail_response(request, verification_id: str, *, user) -> HttpResponse:
    """The one answer of `GET /api/v1/verifications/{id}`, whoever asks, and the same path for unknown, malformed
    and revoked ids: one statement looks up and logs, then the report or its error is rendered."""
    report = services.verify_by_id(verification_id=verification_id, caller=Caller.from_request(request, user=user))
    error = report.error
    if error is not None:
        message, fields = translated(error.message, error.fields)
        return _json_response(error_body(error.code, message, fields, **error.extra), error.status_code)
    return _json_response(report.as_public_dict(), 200)


# What DRF's APIView adds to the same answer (Allow, Vary), plus the verification headers.
_DETAIL_HEADERS = {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept", **_PROTECT_HEADERS}


def _anonymous_detail(request, verification_id: str) -> HttpResponse:
    """The GET of a caller that presents no credentials (no Authorization header, no session cookie): the
    public's path and nearly all of the traffic. The same throttle, service and answer as the APIView below,
    without DRF's per-request work (request wrapper, authenticators, content negotiation, renderer)."""
    throttle = VerificationRateThrottle()
    if not throttle.allow_request(request, None):
        refused = exceptions.Throttled(throttle.wait())
        extra = {"retry_after": int(refused.wait)} if refused.wait else {}
        response = _json_response(error_body("throttled", throttled_message(refused.wait), **extra), 429)
        if refused.wait:
            response["Retry-After"] = str(int(refused.wait))
    else:
        response = _detail_response(request, verification_id, user=None)
    for header, value in _DETAIL_HEADERS.items():
        response[header] = value
    return response


def _presents_credentials(request) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or django_settings.SESSION_COOKIE_NAME in request.COOKIES


class VerificationDetailView(NoStoreMixin, APIView):
    """Public: verify one certificate by its verification id.

    Routed by `as_view()` below: a GET or HEAD that presents no credentials goes straight to `_anonymous_detail`
    (DRF's request handling was a third of the busiest path's Python time; ADR 0005); a caller with a token or
    a session, and every other method, goes through this APIView (authentication, its own quota, OPTIONS,
    405). Both answer with `_detail_response`. The OpenAPI schema is this class's: drf-spectacular reads it from
    the view's `cls`, which `as_view()` keeps.
    """

    policy = "verification.verify"
    throttle_classes = [VerificationRateThrottle]

    @classmethod
    def as_view(cls, **initkwargs):
        drf_view = super().as_view(**initkwargs)

        def view(request, *args, **kwargs):
            if request.method in ("GET", "HEAD") and not _presents_credentials(request):
                return _anonymous_detail(request, *args, **kwargs)
            return drf_view(request, *args, **kwargs)

        return functools.update_wrapper(view, drf_view)  # cls, initkwargs, view_class, csrf_exempt: as DRF's

    @extend_schema(
        operation_id="verifications_retrieve",
        summary="Verify a certificate by its verification id",
        description=(
            "The facts the certificate prints and each check (signature, status, accreditation on the award date, "
            "equivalency) as ok / failed / skipped. Ids are read per Crockford: case-insensitive, I and L as 1, "
            "O as 0, hyphens and spaces ignored. Anonymous callers are throttled per IP; a verifier "
            "organisation's token has a higher quota. Never returns personal number, date of birth or results."
        ),
        parameters=[OpenApiParameter("verification_id", str, OpenApiParameter.PATH, description="26 characters.")],
        responses={200: VerificationResultSerializer, **_ERRORS},
        examples=[
            OpenApiExample("Valid", value=_VALID_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample("Revoked", value=_REVOKED_EXAMPLE, response_only=True, status_codes=["200"]),
        ],
        tags=["verification"],
    )
    def get(self, request, verification_id: str):
        user = request.user if request.user.is_authenticated else None
        return _detail_response(request, verification_id, user=user)


class VerificationCreateView(NoStoreMixin, APIView):
    """Verify a scanned QR text, a serial number + date of birth, or a batch."""

    policy = "verification.verify"
    throttle_classes = [VerificationRateThrottle]
    renderer_classes = [VerificationJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        operation_id="verifications_create",
        summary="Verify a scanned QR code, a serial number with a date of birth, or a batch",
        description=(
            "Send exactly one of:\n\n"
            "* `qr`: the raw text a scanner read (`https://.../v/{id}#{token}` or a bare id). A signed token in the "
            "fragment must verify against the registry's keys and describe this certificate (`token_*` codes).\n"
            "* `verification_id`: a typed id.\n"
            "* `serial_number` + `date_of_birth` (YYYY-MM-DD): answers only whether the date matches, never what "
            "it is. A match answers as a verification (`date_of_birth_matches: true`); a date that does not match, "
            "and a serial number no certificate has, both answer outcome `date_of_birth_mismatch` with no "
            "verification id, certificate or checks. "
            f"At most {services.DOB_ATTEMPTS_PER_SERIAL} failed dates per serial number per day "
            "(`too_many_attempts`, 429).\n"
            f"* `items`: a batch of up to {services.MAX_BATCH} of the above, for a municipality's hiring round; "
            "verifier organisations and the ministry only.\n"
            "* or, as the whole body, a verifiable credential of this registry (the JSON document "
            "`/credentials/{verification_id}` serves; recognised by its `@context`). The checks are then `issuer` "
            "(this registry's did:web and one of its published keys), `proof` (Data Integrity, eddsa-rdfc-2022), "
            "`status` (its bits in the revocation and suspension lists it names), `accreditation` and "
            "`equivalency`; an altered credential or one signed by a key the registry does not publish answers "
            "outcome `credential_mismatch`. A body with `@context` that is not a credential document is 400 "
            "`credential_invalid`, and nothing is logged."
        ),
        request=VERIFICATION_REQUEST,
        responses={
            200: PolymorphicProxySerializer(
                component_name="VerificationPostResult",
                serializers=[VerificationResultSerializer, VerificationBatchResultSerializer],
                resource_type_field_name=None,
            ),
            401: OpenApiResponse(VerificationErrorSerializer, description="A batch needs a signed-in verifier."),
            403: OpenApiResponse(VerificationErrorSerializer, description="A batch needs a verifier or the ministry."),
            **_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Scanned QR code",
                value={"qr": f"https://registry.rks-gov.net/v/{EXAMPLE_VID}#{EXAMPLE_QR_FRAGMENT}"},
                request_only=True,
            ),
            OpenApiExample(
                "Typed id", value={"verification_id": "0bv7-q3m9-xkz1-p4r8-t2w6-y5c0-de"}, request_only=True
            ),
            OpenApiExample(
                "Serial number and date of birth",
                value={"serial_number": "L5-SEN-OCN-2026-000123", "date_of_birth": "1995-04-12"},
                request_only=True,
            ),
            OpenApiExample(
                "Batch",
                value={
                    "items": [
                        {"verification_id": EXAMPLE_VID},
                        {"serial_number": "L5-SEN-2025-000042", "date_of_birth": "1998-11-03"},
                    ]
                },
                request_only=True,
            ),
            OpenApiExample(
                "Verifiable credential (shortened)",
                value={
                    "@context": [
                        "https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                    ],
                    "id": f"https://registry.rks-gov.net/credentials/{EXAMPLE_VID}",
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                    "issuer": {"id": "did:web:registry.rks-gov.net", "type": ["Profile"], "name": "..."},
                    "validFrom": "2026-06-01T00:00:00Z",
                    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"...": "..."}},
                    "credentialStatus": [
                        {
                            "id": "https://registry.rks-gov.net/status/1/revocation#48213",
                            "type": "BitstringStatusListEntry",
                            "statusPurpose": "revocation",
                            "statusListIndex": "48213",
                            "statusListCredential": "https://registry.rks-gov.net/status/1/revocation",
                        }
                    ],
                    "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "...": "..."}],
                },
                request_only=True,
            ),
            OpenApiExample("Valid", value=_VALID_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "Date of birth does not match (or unknown serial number)",
                value={
                    "verification_id": None,
                    "outcome": "date_of_birth_mismatch",
                    "valid": False,
                    "verified_at": "2026-06-30T09:15:02+02:00",
                    "certificate": None,
                    "checks": [],
                    "date_of_birth_matches": False,
                    "compare_with_id_card": None,
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Altered token",
                value={
                    "error": {
                        "code": "token_bad_signature",
                        "message": services.TOKEN_MESSAGES["bad_signature"],
                        "fields": {"qr": [services.TOKEN_MESSAGES["bad_signature"]]},
                        "request_id": "5f0c9e0b7d3a4f7c",
                    }
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=["verification"],
    )
    def post(self, request):
        if looks_like_credential(request.data):
            return _answer(verify_credential(document=request.data, caller=_caller(request)))
        _refuse_unknown_fields(request.data)
        serializer = VerificationRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        caller = _caller(request)
        if "items" in data:
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated("A batch needs a verifier organisation's token.")
            policy.require(request.user, "verification.batch")
            # One serializer for all the items: a serializer per item copied its fields 500 times (a tenth of a
            # batch's time). The first bad item is reported, as before.
            items = VerificationBatchItemInputSerializer(data=data["items"], many=True)
            if not items.is_valid():
                found = items.errors.items() if isinstance(items.errors, dict) else enumerate(items.errors)
                position, errors = min(((index, error) for index, error in found if error), key=lambda pair: pair[0])
                raise serializers.ValidationError({"items": {position: errors}})
            reports = services.verify_batch(items=items.validated_data, caller=caller)
            results = [
                {
                    "index": index,
                    "result": None if report.error else report.as_public_dict(),
                    "error": None if report.error is None else _error_body(report.error),
                }
                for index, report in enumerate(reports)
            ]
            valid = sum(1 for report in reports if report.valid)
            return Response({"count": len(results), "valid_count": valid, "results": results})
        if "qr" in data:
            return _answer(services.verify_scanned(text=data["qr"], caller=caller))
        if "verification_id" in data:
            return _answer(services.verify_by_id(verification_id=data["verification_id"], caller=caller))
        return _answer(
            services.verify_by_serial_and_date_of_birth(
                serial_number=data.get("serial_number"), date_of_birth=data.get("date_of_birth"), caller=caller
            )
        )


def _error_body(error) -> dict:
    message, fields = translated(error.message, error.fields)
    return {"code": error.code, "message": message, "fields": fields, "request_id": current_request_id()}


# --- the verification log -----------------------------------------------------------------------------------


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time moved to UTC: PostgreSQL refuses offsets beyond +/-15:59 (a 500 otherwise)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(_("This date-time is out of range."), code="invalid") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class BigIntFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class VerificationEventFilter(django_filters.FilterSet):
    certificate = BigIntFilter(field_name="certificate_id")
    verification_id = django_filters.CharFilter(field_name="certificate__verification_id")
    serial_number = django_filters.CharFilter(field_name="certificate__serial_number")
    verifier_organisation = django_filters.CharFilter(field_name="verifier_organisation__slug")
    outcome = django_filters.ChoiceFilter(choices=VerificationOutcome.choices)
    channel = django_filters.ChoiceFilter(choices=VerificationChannel.choices)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = VerificationEvent
        fields = ["certificate", "verification_id", "serial_number", "verifier_organisation", "outcome", "channel"]


class VerificationEventSerializer(serializers.ModelSerializer):
    """One verification. No IP (not even its hash) and no personal data."""

    serial_number = serializers.CharField(source="certificate.serial_number", allow_null=True, default=None)
    verifier_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    verifier_organisation_name = serializers.CharField(
        source="verifier_organisation.name", allow_null=True, default=None
    )

    class Meta:
        model = VerificationEvent
        fields = [
            "id",
            "certificate",
            "serial_number",
            "verification_id_tried",
            "outcome",
            "channel",
            "verifier_organisation",
            "verifier_organisation_name",
            "user_agent_family",
            "created_at",
        ]
        read_only_fields = fields


class VerificationEventListView(ListAPIView):
    """Who verified what, scoped: a provider sees its certificates' events, an awarding body those of the
    certificates it awarded, a verifier organisation its own verifications, the ministry all."""

    serializer_class = VerificationEventSerializer
    policy = "verification.history"
    filterset_class = VerificationEventFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    search_fields: list[str] = []
    pagination_class = KeysetPagination  # millions of events: cursors, no count (core/api/pagination.py)

    def get_queryset(self):
        return verification_events_visible_to(self.request.user)

    @extend_schema(operation_id="verification_events_list", tags=["verification"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class VerificationEventSummaryOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class VerificationEventSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_outcome = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    organisations = VerificationEventSummaryOrganisationSerializer(many=True)


class VerificationEventSummaryView(APIView):
    """How often (filtered) certificates were verified, and by which organisations."""

    policy = "verification.history"

    @extend_schema(
        operation_id="verification_events_summary",
        parameters=[
            OpenApiParameter("certificate", int, description="A certificate's id."),
            OpenApiParameter("verification_id", str),
            OpenApiParameter("created_after", OpenApiTypes.DATETIME),
            OpenApiParameter("created_before", OpenApiTypes.DATETIME),
        ],
        responses={200: VerificationEventSummarySerializer},
        tags=["verification"],
    )
    def get(self, request):
        filterset = VerificationEventFilter(request.query_params, queryset=verification_events_visible_to(request.user))
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        events = filterset.qs.order_by()
        by_outcome = dict(events.values_list("outcome").annotate(n=Count("id")))
        by_channel = dict(events.values_list("channel").annotate(n=Count("id")))
        organisations = [
            {"slug": slug, "name": name, "count": n}
            for slug, name, n in events.filter(verifier_organisation__isnull=False)
            .values_list("verifier_organisation__slug", "verifier_organisation__name")
            .annotate(n=Count("id"))
            .order_by("-n", "verifier_organisation__slug")
        ]
        return Response(
            {
                "total": sum(by_outcome.values()),
                "by_outcome": by_outcome,
                "by_channel": by_channel,
                "organisations": organisations,
            }
        )
