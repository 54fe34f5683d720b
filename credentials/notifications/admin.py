"""The back office's screens for notifications (registered by credentials.apps): a verifier organisation sets where it
is told (e-mail, webhook), follows certificates it checked and sees its webhook deliveries; providers and the ministry
see the record of e-mails sent (the address masked). Every save goes through credentials.notifications.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import PolicyAdmin
from credentials.models import CertificateSubscription, NotificationEndpoint, OutboundEmail, WebhookDelivery

from . import services


class NotificationEndpointForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("Webhook URL"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = NotificationEndpoint
        fields = ["email", "webhook_url", "all_checked"]


class NotificationEndpointAdmin(PolicyAdmin):
    read_permission = "notification.read"
    add_permission = "notification.manage"
    change_permission = "notification.manage"
    form = NotificationEndpointForm
    list_display = ["organisation", "email", "webhook_url", "all_checked", "updated_at"]

    def save_model(self, request, obj, form, change):
        endpoint, secret = services.notification_endpoint_set(actor=request.user, **form.cleaned_data)
        obj.pk = endpoint.pk
        if secret:
            messages.warning(
                request, _("Webhook signing secret (shown once, keep it with your webhook receiver): %s") % secret
            )


class SubscribeForm(forms.ModelForm):
    verification_id = forms.CharField(
        label=_("Verification id"), max_length=64, help_text=_("A certificate your organisation has checked.")
    )

    class Meta:
        model = CertificateSubscription
        fields: list[str] = []


@admin.action(description=_("Stop following the selected certificates"))
def unsubscribe(modeladmin, request, queryset):
    for subscription in queryset:
        services.certificate_unsubscribe(actor=request.user, subscription=subscription)


class CertificateSubscriptionAdmin(PolicyAdmin):
    read_permission = "notification.read"
    add_permission = "notification.manage"
    list_display = ["certificate", "certificate_status", "created_at"]
    list_select_related = ["certificate"]
    actions = [unsubscribe]

    form = SubscribeForm

    def get_fields(self, request, obj=None):
        return ["verification_id"] if obj is None else ["certificate", "organisation", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Status"))
    def certificate_status(self, obj):
        return obj.certificate.get_status_display()

    def save_model(self, request, obj, form, change):
        # A refusal (not checked by the organisation) is a DomainError: PolicyAdmin shows it on the form.
        subscription, _created = services.certificate_subscribe(
            actor=request.user, verification_id=form.cleaned_data["verification_id"]
        )
        obj.pk = subscription.pk


class OutboundEmailAdmin(PolicyAdmin):
    read_permission = "holder.read"
    list_display = ["created_at", "kind", "masked_recipient", "language", "state", "attempts", "sent_at"]
    list_filter = ["kind", "state"]
    exclude = ["recipient", "context"]
    readonly_fields = [
        "kind",
        "masked_recipient",
        "language",
        "subject",
        "state",
        "attempts",
        "last_error",
        "message_id",
        "created_at",
        "sent_at",
        "next_attempt_at",
    ]

    @admin.display(description=_("Recipient"))
    def masked_recipient(self, obj):
        local, _at, domain = obj.recipient.partition("@")
        return f"{local[:1]}…@{domain}"


class WebhookDeliveryAdmin(PolicyAdmin):
    read_permission = "notification.read"
    list_display = ["created_at", "organisation", "event", "certificate", "state", "attempts", "last_status"]
    list_filter = ["state", "event"]
    exclude = ["payload"]


def register(site) -> None:
    site.register(NotificationEndpoint, NotificationEndpointAdmin)
    site.register(CertificateSubscription, CertificateSubscriptionAdmin)
    site.register(OutboundEmail, OutboundEmailAdmin)
    site.register(WebhookDelivery, WebhookDeliveryAdmin)
