"""Share links: the public facts of /v/ without the verification id, counted apart, expiring, withdrawn at will; and
hiding a certificate from anonymous serial number + date of birth lookups, indistinguishably from a mismatch."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credentials.choices import VerificationChannel
from credentials.models import ShareLink, VerificationEvent

from .conftest import link_in

SHARE = re.compile(r"/s/([A-Za-z0-9_-]{43})")


@pytest.fixture
def holder(issue):
    certificate = issue()
    return certificate, link_in(mail.outbox[0])


def _share(client, token, certificate, days=30) -> str:
    response = client.post(f"/my/{token}", {"action": "share", "certificate": certificate.pk, "days": days})
    assert response.status_code == 303
    page = client.get(f"/my/{token}").content.decode()
    return SHARE.search(page).group(1)


def test_a_share_link_opens_the_public_facts_and_is_counted_apart(holder):
    certificate, token = holder
    client = Client()
    share_token = _share(client, token, certificate)
    response = Client().get(f"/s/{share_token}")
    assert response.status_code == 200
    page = response.content.decode()
    assert certificate.serial_number in page and "Ardita Krasniqi" in page
    assert 'data-state="valid"' in page
    assert certificate.verification_id not in page  # nothing that outlives the link
    assert response["Referrer-Policy"] == "no-referrer" and response["Cache-Control"] == "no-store"
    event = VerificationEvent.objects.get()
    assert (event.channel, event.certificate_id, event.verifier_organisation_id) == (
        VerificationChannel.SHARE,
        certificate.pk,
        None,
    )
    Client().get(f"/v/{certificate.verification_id}")
    page = client.get(f"/my/{token}").content.decode()
    assert 'data-anonymous="1" data-shared="1"' in page
    assert ShareLink.objects.get().views == 1


def test_a_withdrawn_share_link_stops_working(holder):
    certificate, token = holder
    client = Client()
    share_token = _share(client, token, certificate)
    share = ShareLink.objects.get()
    response = client.post(f"/my/{token}", {"action": "withdraw", "share": share.pk})
    assert response.status_code == 303
    response = Client().get(f"/s/{share_token}")
    assert response.status_code == 404 and certificate.serial_number not in response.content.decode()
    # withdrawing twice is a 404: it is gone
    assert client.post(f"/my/{token}", {"action": "withdraw", "share": share.pk}).status_code == 404


def test_an_expired_share_link_stops_working(holder):
    certificate, token = holder
    share_token = _share(Client(), token, certificate, days=1)
    assert Client().get(f"/s/{share_token}").status_code == 200
    ShareLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().get(f"/s/{share_token}")
    assert response.status_code == 404
    assert 'data-state="share_invalid"' in response.content.decode()


@pytest.mark.parametrize("days", ["0", "366", "x", "-3"])
def test_a_bad_duration_writes_nothing(holder, days):
    certificate, token = holder
    response = Client().post(f"/my/{token}", {"action": "share", "certificate": certificate.pk, "days": days})
    assert response.status_code == 400
    assert not ShareLink.objects.exists()


def test_unknown_share_links_answer_alike(db):
    for token in ("x", "A" * 43):
        response = Client().get(f"/s/{token}")
        assert response.status_code == 404


def _lookup(client, serial, dob="1995-04-12"):
    return client.post("/api/v1/verifications", {"serial_number": serial, "date_of_birth": dob}, format="json")


def test_a_hidden_certificate_answers_anonymous_lookups_as_a_mismatch(holder, anon_client, verifier_client):
    certificate, token = holder
    assert _lookup(anon_client, certificate.serial_number).json()["outcome"] == "valid"
    response = Client().post(f"/my/{token}", {"action": "hide", "certificate": certificate.pk})
    assert response.status_code == 303

    hidden = _lookup(anon_client, certificate.serial_number)
    wrong_date = _lookup(anon_client, certificate.serial_number, dob="1990-01-01")
    unknown = _lookup(anon_client, "TEST-2026-999999")

    def shape(response):
        body = dict(response.json())
        body.pop("verified_at")
        return response.status_code, body

    assert shape(hidden) == shape(wrong_date) == shape(unknown)
    assert shape(hidden)[1]["outcome"] == "date_of_birth_mismatch"
    # logged as a mismatch, against no certificate, like any other
    assert VerificationEvent.objects.filter(certificate__isnull=True, outcome="date_of_birth_mismatch").count() == 3
    # a signed-in verifier still finds it
    assert _lookup(verifier_client, certificate.serial_number).json()["outcome"] == "valid"
    # and the holder can show it again
    Client().post(f"/my/{token}", {"action": "unhide", "certificate": certificate.pk})
    assert _lookup(anon_client, certificate.serial_number).json()["outcome"] == "valid"


def test_a_share_link_to_a_record_that_fails_its_checks_says_not_confirmed(holder):
    """The share page shows what /v/ shows: a certificate listed as valid whose stored record no longer matches
    its signature is NOT CONFIRMED, never VALID."""
    certificate, token = holder
    share_token = _share(Client(), token, certificate)
    snapshot = {**certificate.snapshot, "holder": {**certificate.snapshot["holder"], "given_name": "Someone"}}
    type(certificate).objects.filter(pk=certificate.pk).update(snapshot=snapshot)
    page = Client().get(f"/s/{share_token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-state="not_confirmed"' in page and "NOT CONFIRMED" in page
    assert 'data-state="valid"' not in page
