"""The tracer study by e-mail (docs/tracer-study.md): each wave's invitation (6 and 12 months after the award by
default, `settings.TRACER_WAVES`) goes to every graduate with an e-mail address, one reminder follows after
REMINDER_AFTER_DAYS if the link was not used, and every message carries an unsubscribe link (also as
`List-Unsubscribe`). `manage.py send_tracer_invitations` (daily, from cron) queues the task that does it.

The invitation's one-time token is derived from a nonce the e-mail record keeps (credentials/holders/tokens.py), so
a retried message and its reminder carry the same link while only its hash is stored with the invitation.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from core.language import public_tag
from credentials.choices import LIVE_CERTIFICATE_STATUSES
from credentials.holders import tokens
from credentials.models import Certificate, EmailKind, EmailOptOut, OutboundEmail
from credentials.notifications.mail import builder, deliverable, email_queue, headers
from credentials.notifications.unsubscribe import opted_out as opted_out_learners
from credentials.notifications.unsubscribe import unsubscribe_url
from outcomes.models import TracerInvitation, TracerResponse
from outcomes.services import tracer_invitation_create, tracer_waves

logger = logging.getLogger("registry.tracer")
TRACER = "tracer"
REMINDER_AFTER_DAYS = 14
INVITATION_VALID_DAYS = 60


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _waves() -> tuple[int, ...]:
    return tracer_waves()


def tracer_invitations_send(*, today: datetime.date | None = None) -> dict:
    """Invite every graduate whose wave is due and who has neither an invitation nor an answer for it, and remind
    those who did not use their link. Returns counts (a task's result)."""
    today = today or timezone.localdate()
    invited = reminded = 0
    opted_out = opted_out_learners(EmailOptOut.TRACER)
    for wave in _waves():
        awarded_by = _award_date_for(today, wave)
        certificates = (
            Certificate.objects.filter(status__in=LIVE_CERTIFICATE_STATUSES, awarded_on__lte=awarded_by)
            .exclude(learner__email="")
            .exclude(tracer_invitations__wave=wave)
            .exclude(enrolment__tracer_responses__wave=wave)
            .select_related("learner")
            .order_by("id")
        )
        for certificate in certificates.iterator(chunk_size=500):
            learner = certificate.learner
            if learner.pk in opted_out or not deliverable(learner.email):
                continue
            nonce = tokens.new_nonce()
            with transaction.atomic():
                invitation, _token = tracer_invitation_create(
                    actor=None,
                    certificate=certificate,
                    wave=wave,
                    valid_days=INVITATION_VALID_DAYS,
                    token=tokens.token_for(TRACER, nonce),
                )
                email_queue(
                    kind=EmailKind.TRACER_INVITATION,
                    recipient=learner.email,
                    language=learner.language,
                    learner=learner,
                    certificate=certificate,
                    context={"invitation": invitation.pk, "nonce": nonce, "wave": wave},
                )
            invited += 1
    # Reminders: one per e-mailed invitation still unused, REMINDER_AFTER_DAYS after it went out.
    due = timezone.now() - datetime.timedelta(days=REMINDER_AFTER_DAYS)
    sent = OutboundEmail.objects.filter(kind=EmailKind.TRACER_INVITATION, created_at__lte=due)
    reminded_ids = set(
        OutboundEmail.objects.filter(kind=EmailKind.TRACER_REMINDER).values_list("context__invitation", flat=True)
    )
    for message in sent.select_related("learner").order_by("id").iterator(chunk_size=500):
        invitation_id = message.context.get("invitation")
        if invitation_id in reminded_ids or message.learner_id in opted_out:
            continue
        usable = TracerInvitation.objects.filter(
            pk=invitation_id, used_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
        answered = TracerResponse.objects.filter(
            certificate_id=message.certificate_id, wave=message.context.get("wave")
        ).exists()
        if not usable or answered or not deliverable(message.learner.email):
            continue
        with transaction.atomic():
            email_queue(
                kind=EmailKind.TRACER_REMINDER,
                recipient=message.learner.email,
                language=message.learner.language,
                learner=message.learner,
                certificate=message.certificate,
                context={**message.context},
            )
        reminded += 1
    logger.info("tracer study e-mails: %d invitation(s), %d reminder(s)", invited, reminded)
    return {"invited": invited, "reminded": reminded}


def _award_date_for(today: datetime.date, wave: int) -> datetime.date:
    """The latest award date whose wave `wave` (months after the award) has come by `today`."""
    return add_months(today, -wave)


def tracer_response_rates(certificates) -> list[dict]:
    """Per wave: graduates invited by e-mail or link, how many answered through their invitation, and the rate.
    `certificates` is the caller's readable certificates (core.policy)."""
    rows = (
        TracerInvitation.objects.filter(certificate__in=certificates)
        .values("wave")
        .annotate(invited=Count("id"), answered=Count("id", filter=Q(used_at__isnull=False)))
        .order_by("wave")
    )
    return [
        {
            "wave": row["wave"],
            "invited": row["invited"],
            "answered": row["answered"],
            "response_rate": round(row["answered"] / row["invited"], 3) if row["invited"] else None,
        }
        for row in rows
    ]


# --- the messages ---------------------------------------------------------------------------------------------


def _tracer_context(record: OutboundEmail) -> dict:
    from credentials.notifications.messages import _title

    token = tokens.token_for(TRACER, record.context["nonce"])
    certificate = record.certificate
    return {
        "given_name": record.learner.given_name if record.learner else "",
        "wave": record.context.get("wave"),
        "title": _title(certificate, record.language) if certificate else "",
        "link": settings.PUBLIC_BASE_URL
        + reverse("tracer-form", args=[token])
        + f"?lang={public_tag(record.language)}",
        "unsubscribe_url": unsubscribe_url(record.learner),
    }


@builder(EmailKind.TRACER_INVITATION)
def tracer_invitation(record: OutboundEmail):
    return gettext("How is your work going? A short survey about your qualification"), _tracer_context(record)


@builder(EmailKind.TRACER_REMINDER)
def tracer_reminder(record: OutboundEmail):
    return gettext("Reminder: a short survey about your qualification"), _tracer_context(record)


@headers(EmailKind.TRACER_INVITATION)
@headers(EmailKind.TRACER_REMINDER)
def tracer_headers(record: OutboundEmail) -> dict:
    """The study's messages can be left: the link, and one-click (RFC 8058) for mail clients."""
    if record.learner is None:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(record.learner)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@task()
def tracer_invitations_task() -> dict:
    return tracer_invitations_send()
