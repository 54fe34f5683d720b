"""The tracer study by e-mail: each wave's invitation once, one reminder, an unsubscribe link that works, and the
response rate per wave."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credentials.models import Certificate, EmailKind, EmailOptOut, OutboundEmail
from outcomes import tracer_mail as tracer
from outcomes.models import TracerInvitation
from outcomes.services import TracerAnswers, tracer_invitation_answer

TRACER_LINK = re.compile(r"/tracer/([A-Za-z0-9_-]{43})/")
UNSUBSCRIBE = re.compile(r"/unsubscribe/([A-Za-z0-9_:.-]+)")


@pytest.fixture
def graduate(issue):
    """A certificate awarded six months and a day ago, its holder's welcome e-mail already sent."""
    certificate = issue(email="ardita@example.org", language="en")
    awarded = tracer.add_months(timezone.localdate(), -6) - datetime.timedelta(days=1)
    Certificate.objects.filter(pk=certificate.pk).update(awarded_on=awarded)
    mail.outbox.clear()
    return certificate


def _sweep(capture):
    with capture(execute=True):
        return tracer.tracer_invitations_send()


def test_add_months():
    assert tracer.add_months(datetime.date(2026, 8, 31), -6) == datetime.date(2026, 2, 28)
    assert tracer.add_months(datetime.date(2026, 1, 15), 12) == datetime.date(2027, 1, 15)


def test_the_due_wave_is_invited_once_with_a_working_link(graduate, django_capture_on_commit_callbacks):
    assert _sweep(django_capture_on_commit_callbacks) == {"invited": 1, "reminded": 0}
    (message,) = mail.outbox
    assert message.to == ["ardita@example.org"]
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    token = TRACER_LINK.search(message.body).group(1)
    assert Client().get(f"/tracer/{token}/").status_code == 200
    invitation = TracerInvitation.objects.get()
    assert invitation.wave == 6 and token not in invitation.token_hash
    # Nothing more to send for wave 6; wave 12 is not due yet.
    assert _sweep(django_capture_on_commit_callbacks) == {"invited": 0, "reminded": 0}


def test_not_due_no_address_not_live(issue, django_capture_on_commit_callbacks, provider_user):
    issue(email="recent@example.org")  # awarded today: no wave due
    old = issue(email="")
    Certificate.objects.filter(pk=old.pk).update(awarded_on=tracer.add_months(timezone.localdate(), -13))
    assert _sweep(django_capture_on_commit_callbacks)["invited"] == 0


def test_one_reminder_with_the_same_link(graduate, django_capture_on_commit_callbacks):
    _sweep(django_capture_on_commit_callbacks)
    first = TRACER_LINK.search(mail.outbox[0].body).group(1)
    OutboundEmail.objects.filter(kind=EmailKind.TRACER_INVITATION).update(
        created_at=timezone.now() - datetime.timedelta(days=tracer.REMINDER_AFTER_DAYS + 1)
    )
    assert _sweep(django_capture_on_commit_callbacks) == {"invited": 0, "reminded": 1}
    reminder = mail.outbox[-1]
    assert TRACER_LINK.search(reminder.body).group(1) == first
    assert _sweep(django_capture_on_commit_callbacks)["reminded"] == 0


def test_unsubscribe_stops_the_study_e_mails(graduate, django_capture_on_commit_callbacks):
    _sweep(django_capture_on_commit_callbacks)
    token = UNSUBSCRIBE.search(mail.outbox[0].body).group(1)
    client = Client()
    assert 'data-state="unsubscribe_confirm"' in client.get(f"/unsubscribe/{token}").content.decode()
    assert not EmailOptOut.objects.exists()  # a GET (a link preview) changes nothing
    assert 'data-state="unsubscribed"' in client.post(f"/unsubscribe/{token}").content.decode()
    assert EmailOptOut.objects.get().learner_id == graduate.learner_id
    OutboundEmail.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))
    Certificate.objects.filter(pk=graduate.pk).update(awarded_on=tracer.add_months(timezone.localdate(), -13))
    assert _sweep(django_capture_on_commit_callbacks) == {"invited": 0, "reminded": 0}
    assert client.get(f"/unsubscribe/{token[:-2]}xx").status_code == 404


def test_response_rate_per_wave(graduate, django_capture_on_commit_callbacks, ministry_client, anon_client):
    _sweep(django_capture_on_commit_callbacks)
    rates = ministry_client.get("/api/v1/stats/tracer-response-rates").json()
    assert rates == [{"wave": 6, "invited": 1, "answered": 0, "response_rate": 0.0}]
    token = TRACER_LINK.search(mail.outbox[0].body).group(1)
    tracer_invitation_answer(token=token, answers=TracerAnswers(employment_status="employed_municipality"))
    assert ministry_client.get("/api/v1/stats/tracer-response-rates").json()[0]["response_rate"] == 1.0
    assert anon_client.get("/api/v1/stats/tracer-response-rates").status_code in (401, 403)
