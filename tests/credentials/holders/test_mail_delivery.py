"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1, started by the test): sent, recorded without its body,
retried with backoff when the server says "try later", given up after the last attempt."""

from __future__ import annotations

import datetime
import email
from email import policy

import pytest
from django.utils import timezone

from credentials.models import DeliveryState, OutboundEmail
from credentials.notifications import mail
from credentials.notifications.mail import email_queue, email_send

from .conftest import LINK


def test_issuance_sends_the_link_through_smtp(issue, smtp_server):
    certificate = issue(email="ardita@example.org", language="en")
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["ardita@example.org"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    assert certificate.serial_number in text and LINK.search(text)
    record = OutboundEmail.objects.get()
    assert record.state == DeliveryState.SENT and record.message_id == message["Message-ID"]
    # The record keeps no body: only what the message was about.
    assert set(record.context) == {"access", "reason"}


def test_a_refusal_is_retried_with_backoff_then_sent(issue, smtp_server, settings):
    smtp_server.refuse = 1
    issue(email="ardita@example.org")
    record = OutboundEmail.objects.get()
    assert (record.state, record.attempts, record.last_error) == (DeliveryState.RETRYING, 1, "SMTPDataError")
    assert record.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert smtp_server.messages == []
    # Not yet due: a second delivery of the task does nothing.
    email_send(record.pk)
    record.refresh_from_db()
    assert record.attempts == 1
    OutboundEmail.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())
    assert record.pk in set(mail.emails_due().values_list("pk", flat=True))
    email_send(record.pk)
    record.refresh_from_db()
    assert (record.state, record.attempts) == (DeliveryState.SENT, 2)
    assert len(smtp_server.messages) == 1
    email_send(record.pk)  # sent once, whatever runs it again
    assert len(smtp_server.messages) == 1


def test_gives_up_after_the_last_attempt(issue, smtp_server, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    smtp_server.refuse = 5
    issue(email="ardita@example.org")
    record = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())
    email_send(record.pk)
    record.refresh_from_db()
    assert (record.state, record.attempts, record.next_attempt_at) == (DeliveryState.FAILED, 2, None)


@pytest.mark.parametrize("address", ["", "no-at-sign", "a@b.org\nBcc: victim@example.org", "x@y.org\r\nSubject: hi"])
def test_no_message_to_an_address_that_could_inject_headers(db, address):
    assert email_queue(kind="holder_link", recipient=address) is None
    assert not OutboundEmail.objects.exists()
