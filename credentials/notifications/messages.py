"""What each kind of e-mail says: the subject and the template context, built from the record's ids when the message
is sent (in the recipient's language: `mail.render` turns it on). Templates: holders/email/<kind>.txt and .html."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from credentials.models import Certificate, EmailKind, HolderAccess, OutboundEmail

from .mail import builder

STATUS_WORDS = {
    "valid": lambda: gettext("valid again"),
    "revoked": lambda: gettext("revoked"),
    "suspended": lambda: gettext("suspended"),
    "superseded": lambda: gettext("superseded by a new certificate"),
}


def _title(certificate: Certificate, lang: str) -> str:
    titles = ((certificate.snapshot or {}).get("qualification") or {}).get("title") or {}
    return titles.get(lang) or titles.get(lang.split("-")[0]) or titles.get("sq") or ""


def _status_word(status: str) -> str:
    word = STATUS_WORDS.get(status)
    return word() if word else status


@builder(EmailKind.HOLDER_LINK)
def holder_link(record: OutboundEmail):
    from credentials.holders.services import holder_url

    access = HolderAccess.objects.select_related("learner").get(pk=record.context["access"])
    certificate = record.certificate
    return gettext("Your certificates in the Kosovo credential registry"), {
        "given_name": access.learner.given_name,
        "link": holder_url(access, lang=record.language),
        "expires_at": access.expires_at,
        "reason": record.context.get("reason", ""),
        "serial_number": certificate.serial_number if certificate else "",
        "title": _title(certificate, record.language) if certificate else "",
    }


@builder(EmailKind.CERTIFICATE_STATUS)
def certificate_status(record: OutboundEmail):
    certificate = record.certificate
    status = record.context.get("status", certificate.status)
    link = ""
    if access_id := record.context.get("access"):
        from credentials.holders.services import holder_url

        link = holder_url(HolderAccess.objects.get(pk=access_id), lang=record.language)
    return gettext("Your certificate %(serial)s is %(status)s") % {
        "serial": certificate.serial_number,
        "status": _status_word(status),
    }, {
        "given_name": record.learner.given_name if record.learner else "",
        "serial_number": certificate.serial_number,
        "title": _title(certificate, record.language),
        "status": status,
        "status_word": _status_word(status),
        "link": link,
        "provider": ((certificate.snapshot or {}).get("provider") or {}).get("name", ""),
    }


@builder(EmailKind.SUBSCRIBER_STATUS)
def subscriber_status(record: OutboundEmail):
    certificate = record.certificate
    status = record.context.get("status", certificate.status)
    return gettext("Certificate %(serial)s is %(status)s") % {
        "serial": certificate.serial_number,
        "status": _status_word(status),
    }, {
        "organisation": record.organisation.name if record.organisation else "",
        "serial_number": certificate.serial_number,
        "status": status,
        "status_word": _status_word(status),
        "verification_url": settings.PUBLIC_BASE_URL + reverse("verification-page", args=[certificate.verification_id]),
    }
