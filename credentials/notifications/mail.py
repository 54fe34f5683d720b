"""E-mail through Django's e-mail framework, sent by background tasks, with a record of each message and never its
body (`OutboundEmail`).

- `email_queue(...)` records the message (kind, recipient, language, the ids it is about) and enqueues its sending
  when the surrounding transaction commits: a rolled-back issuance sends nothing.
- `email_send(id)` (the task's body) renders the message in the recipient's language from templates
  (`holders/email/<kind>.txt` and `.html`) and the ids, sends it through `EMAIL_BACKEND` (SMTP in production, files
  or the console under `make run`, Django's outbox in tests), and records the outcome. A failure the mail server
  may get over (a refused connection, a 4xx answer, a timeout) is retried with backoff, up to `EMAIL_MAX_ATTEMPTS`;
  a retry is a new task run after the wait on a backend that can defer (the database queue), and
  `manage.py send_due_notifications` re-queues whatever is due (after a worker was down, or under a backend that
  cannot defer).
- Nothing about a message reaches a log line but its id, kind and state: never the address, never the body, never
  the error's text (an SMTP error may quote the address); `last_error` keeps the exception's class.
- Header injection: addresses are validated before a message is queued (no CR/LF can pass `EmailValidator`), the
  subject is one line (line breaks removed), and Django refuses any header with a line break anyway.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import socket
from collections.abc import Callable
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from credentials.models import DeliveryState, OutboundEmail

logger = logging.getLogger("registry.mail")

# How long to wait before attempt n+1 (minutes): 1, 5, 30, 120, 720.
BACKOFF_MINUTES = (1, 5, 30, 120, 720)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, socket.timeout)

# kind -> builder(record) returning the template context and the subject (called with the message's language on).
Builder = Callable[[OutboundEmail], tuple[str, dict]]
BUILDERS: dict[str, Builder] = {}


# kind -> headers(record) for extra headers (List-Unsubscribe ...); other apps register theirs (outcomes.tracer_mail).
HEADERS: dict[str, Callable[[OutboundEmail], dict]] = {}


def headers(kind: str):
    def register(function):
        HEADERS[kind] = function
        return function

    return register


def builder(kind: str):
    def register(function: Builder) -> Builder:
        BUILDERS[kind] = function
        return function

    return register


def max_attempts() -> int:
    return int(getattr(settings, "EMAIL_MAX_ATTEMPTS", len(BACKOFF_MINUTES) + 1))


def language_for(value: str | None) -> str:
    languages = dict(settings.LANGUAGES)
    return value if value in languages else settings.LANGUAGE_CODE


def deliverable(address: str | None) -> bool:
    if not address:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return "\n" not in address and "\r" not in address


def email_queue(
    *,
    kind: str,
    recipient: str,
    language: str = "",
    learner=None,
    organisation=None,
    certificate=None,
    context: dict | None = None,
) -> OutboundEmail | None:
    """Record one message and send it (as a task) once the current transaction commits. None when there is no
    valid address to send to."""
    if not deliverable(recipient):
        return None
    record = OutboundEmail.objects.create(
        kind=kind,
        recipient=recipient,
        language=language_for(language),
        learner=learner,
        organisation=organisation,
        certificate=certificate,
        context=context or {},
    )
    transaction.on_commit(lambda: _enqueue(record.pk))
    return record


def _enqueue(record_id: int, *, run_after: datetime.datetime | None = None) -> None:
    from .tasks import send_email_task

    task = send_email_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # `send_due_notifications` picks it up when it is due
        task = task.using(run_after=run_after)
    task.enqueue(record_id)


def site_host() -> str:
    return urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"


def render(record: OutboundEmail) -> tuple[str, str, str]:
    """(subject, text, html) of a message, in its language."""
    from . import messages  # noqa: F401 (registers this app's builders; outcomes registers its own when it loads)

    with translation.override(record.language):
        subject, context = BUILDERS[record.kind](record)
        context = {**context, "registry_url": settings.PUBLIC_BASE_URL}
        text = render_to_string(f"holders/email/{record.kind}.txt", context)
        html = render_to_string(f"holders/email/{record.kind}.html", context)
    subject = " ".join(str(subject).split())[:255]  # one line, whatever went into it
    return subject, text, html


def email_send(record_id: int) -> OutboundEmail | None:
    """Send one recorded message if it is still due. Safe to run twice: the row is locked while it is sent, and a
    message already sent (or given up) is left alone."""
    now = timezone.now()
    with transaction.atomic():
        record = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=record_id, state__in=(DeliveryState.QUEUED, DeliveryState.RETRYING))
            .first()
        )
        if record is None:
            return None
        if record.next_attempt_at and record.next_attempt_at > now:
            return record  # a duplicate delivery of the task, ahead of its time
        record.attempts += 1
        try:
            subject, text, html = render(record)
            message = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[record.recipient],
                headers={
                    "Message-ID": make_msgid(domain=site_host()),
                    "Auto-Submitted": "auto-generated",
                    **_extra_headers(record),
                },
            )
            message.attach_alternative(html, "text/html")
            message.send()
        except TRANSIENT_ERRORS as exc:
            return _failed(record, exc, now)
        record.state = DeliveryState.SENT
        record.sent_at = timezone.now()
        record.subject = subject
        record.message_id = message.extra_headers["Message-ID"][:255]
        record.last_error = ""
        record.next_attempt_at = None
        record.save()
    logger.info("e-mail %s (%s) sent", record.pk, record.kind)
    return record


def _extra_headers(record: OutboundEmail) -> dict:
    extra = HEADERS.get(record.kind)
    return extra(record) if extra else {}


def _failed(record: OutboundEmail, exc: Exception, now) -> OutboundEmail:
    record.last_error = type(exc).__name__[:64]
    if record.attempts >= max_attempts():
        record.state = DeliveryState.FAILED
        record.next_attempt_at = None
        record.save()
        logger.warning(
            "e-mail %s (%s) failed %d times; given up (%s)", record.pk, record.kind, record.attempts, record.last_error
        )
        return record
    wait = BACKOFF_MINUTES[min(record.attempts - 1, len(BACKOFF_MINUTES) - 1)]
    record.state = DeliveryState.RETRYING
    record.next_attempt_at = now + datetime.timedelta(minutes=wait)
    record.save()
    logger.warning("e-mail %s (%s) not sent (%s); retry in %d min", record.pk, record.kind, record.last_error, wait)
    when = record.next_attempt_at
    transaction.on_commit(lambda: _enqueue(record.pk, run_after=when))
    return record


def emails_due(now=None):
    """Messages whose next attempt is due (or that were never picked up): for `send_due_notifications`."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=10)
    return OutboundEmail.objects.filter(
        state__in=(DeliveryState.QUEUED, DeliveryState.RETRYING), created_at__lte=stale, next_attempt_at__isnull=True
    ) | OutboundEmail.objects.filter(state=DeliveryState.RETRYING, next_attempt_at__lte=now)
