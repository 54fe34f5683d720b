"""API of holders' links and of verifiers' notifications:

- `POST /api/v1/certificates/{id}/holder-link`: the provider (or the ministry) e-mails the holder their private link.
- `GET|PUT /api/v1/notification-endpoint`, `POST /api/v1/notification-endpoint/rotate-secret`: where a verifier
  organisation hears about the certificates it follows (e-mail, signed webhook).
- `GET|POST /api/v1/certificate-subscriptions`, `GET|DELETE /api/v1/certificate-subscriptions/{id}`: which.

Views parse, call a service, serialize; the rules are the services', the scopes core.policy's.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core import policy
from credentials import selectors
from credentials.holders.services import holder_link_send
from credentials.models import CertificateSubscription, NotificationEndpoint

from . import services

ERROR = OpenApiResponse(description="The one error shape: {error: {code, message, fields, request_id}}.")


# --- the holder's link ------------------------------------------------------------------------------------------


class HolderLinkInputSerializer(serializers.Serializer):
    revoke_previous = serializers.BooleanField(
        default=False, help_text="End every private link the holder had before sending a new one."
    )


class HolderLinkSentSerializer(serializers.Serializer):
    email = serializers.IntegerField(help_text="The id of the recorded message (its delivery runs as a task).")
    state = serializers.CharField(help_text="queued, retrying, sent or failed.")
    link_expires_at = serializers.DateTimeField()


class HolderLinkView(APIView):
    policy = "holder_link.send"

    @extend_schema(
        operation_id="certificates_holder_link",
        tags=["certificates"],
        request=HolderLinkInputSerializer,
        responses={202: HolderLinkSentSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        description=(
            "E-mail the certificate's holder their private link (`/my/{token}`: their certificates, PDFs, who "
            "checked them, share links), to the address on the learner's record, in the learner's language. "
            "409 `no_email` when the learner has none. The link itself is never in the answer."
        ),
    )
    def post(self, request, pk: int):
        certificate = selectors.certificates_visible_to(request.user).filter(pk=pk).first()
        if certificate is None:
            raise policy.not_found("certificate")
        form = HolderLinkInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        access, message = holder_link_send(actor=request.user, certificate=certificate, **form.validated_data)
        return Response(
            HolderLinkSentSerializer(
                {"email": message.pk, "state": message.state, "link_expires_at": access.expires_at}
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )


# --- a verifier's notification endpoint -------------------------------------------------------------------------


class NotificationEndpointSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = NotificationEndpoint
        fields = ["organisation", "email", "webhook_url", "all_checked", "updated_at"]
        read_only_fields = ["organisation", "updated_at"]


class NotificationEndpointInputSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)
    webhook_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)
    all_checked = serializers.BooleanField(
        required=False, default=False, help_text="Follow every certificate the organisation has checked."
    )


class NotificationEndpointSecretSerializer(NotificationEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The webhook signing secret: shown when it is made (creation, rotation), never again."
    )

    class Meta(NotificationEndpointSerializer.Meta):
        fields = [*NotificationEndpointSerializer.Meta.fields, "secret"]


class NotificationEndpointView(APIView):
    policy = {"get": "notification.read", "put": "notification.manage", "default": "notification.manage"}

    def _own(self, request) -> NotificationEndpoint:
        endpoint = (
            policy.readable(request.user, NotificationEndpoint.objects.select_related("organisation"))
            .filter(organisation_id=request.user.organisation_id)
            .first()
        )
        if endpoint is None:
            raise policy.not_found("notification endpoint")
        return endpoint

    @extend_schema(
        operation_id="notification_endpoint_retrieve",
        tags=["notifications"],
        responses={200: NotificationEndpointSerializer, 403: ERROR, 404: ERROR},
        description="Your organisation's notification endpoint (404 until it is set).",
    )
    def get(self, request):
        return Response(NotificationEndpointSerializer(self._own(request)).data)

    @extend_schema(
        operation_id="notification_endpoint_set",
        tags=["notifications"],
        request=NotificationEndpointInputSerializer,
        responses={
            200: NotificationEndpointSerializer,
            201: NotificationEndpointSecretSerializer,
            400: ERROR,
            403: ERROR,
        },
        description=(
            "Set where your organisation hears that a certificate it follows was revoked, suspended, superseded or "
            "reinstated: an e-mail address and/or an https webhook (signed: see docs/notifications.md). The first "
            "time (201) the answer carries the webhook `secret`, once."
        ),
    )
    def put(self, request):
        form = NotificationEndpointInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        endpoint, secret = services.notification_endpoint_set(actor=request.user, **form.validated_data)
        if secret is None:
            return Response(NotificationEndpointSerializer(endpoint).data)
        endpoint.secret = secret
        return Response(NotificationEndpointSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class NotificationSecretRotateView(APIView):
    policy = "notification.manage"

    @extend_schema(
        operation_id="notification_endpoint_rotate_secret",
        tags=["notifications"],
        request=None,
        responses={200: NotificationEndpointSecretSerializer, 403: ERROR, 404: ERROR},
        description="A new webhook signing secret, shown once; the old one stops signing at once.",
    )
    def post(self, request):
        endpoint = services.notification_secret_rotate(actor=request.user)
        return Response(NotificationEndpointSecretSerializer(endpoint).data)


# --- subscriptions ----------------------------------------------------------------------------------------------


class CertificateSubscriptionSerializer(serializers.ModelSerializer):
    serial_number = serializers.CharField(source="certificate.serial_number", read_only=True)
    verification_id = serializers.CharField(source="certificate.verification_id", read_only=True)
    status = serializers.CharField(source="certificate.status", read_only=True)

    class Meta:
        model = CertificateSubscription
        fields = ["id", "serial_number", "verification_id", "status", "created_at"]


class CertificateSubscriptionInputSerializer(serializers.Serializer):
    verification_id = serializers.CharField(max_length=64, help_text="The id of a certificate you have checked.")


@extend_schema_view(
    list=extend_schema(tags=["notifications"], description="The certificates your organisation follows."),
    retrieve=extend_schema(tags=["notifications"]),
    create=extend_schema(
        tags=["notifications"],
        request=CertificateSubscriptionInputSerializer,
        responses={
            201: CertificateSubscriptionSerializer,
            200: CertificateSubscriptionSerializer,
            400: ERROR,
            403: ERROR,
            409: ERROR,
        },
        description=(
            "Follow a certificate your organisation has checked (with its token): when it is revoked, suspended, "
            "superseded or reinstated, your notification endpoint hears of it. 409 `not_checked` otherwise. "
            "Following it again answers the subscription (200)."
        ),
    ),
    destroy=extend_schema(
        tags=["notifications"],
        responses={204: None, 403: ERROR, 404: ERROR},
        description="Stop following the certificate.",
    ),
)
class CertificateSubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    policy = {"read": "notification.read", "default": "notification.manage"}
    serializer_class = CertificateSubscriptionSerializer
    lookup_value_regex = "[0-9]{1,18}"
    filterset_fields: list[str] = []
    search_fields: list[str] = []
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return policy.readable(
            self.request.user, CertificateSubscription.objects.select_related("certificate")
        ).order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        form = CertificateSubscriptionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        subscription, created = services.certificate_subscribe(
            actor=request.user, verification_id=form.validated_data["verification_id"]
        )
        return Response(
            CertificateSubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance):
        services.certificate_unsubscribe(actor=self.request.user, subscription=instance)
