"""The private page: only the link's own learner's certificates; unknown, malformed and ended links answer alike; an
expired link offers a new one by e-mail; `/my/` never says whether an address is known; throttled."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credentials.holders import services, tokens
from credentials.models import HolderAccess, OutboundEmail, ShareLink
from registry.models import AuditEntry

from .conftest import link_in


@pytest.fixture
def two_holders(issue):
    first = issue(email="ardita@example.org", given_name="Ardita", family_name="Krasniqi")
    second = issue(email="milica@example.org", given_name="Milica", family_name="Jovanović")
    links = {m.to[0]: link_in(m) for m in mail.outbox}
    return first, second, links["ardita@example.org"], links["milica@example.org"]


def test_a_page_shows_its_own_holder_and_never_the_other(two_holders):
    first, second, first_token, second_token = two_holders
    page = Client().get(f"/my/{first_token}").content.decode()
    assert first.serial_number in page and "Krasniqi" in page
    assert second.serial_number not in page and "Jovanović" not in page
    page = Client().get(f"/my/{second_token}").content.decode()
    assert second.serial_number in page and first.serial_number not in page


def test_another_holders_certificate_is_out_of_reach_through_a_link(two_holders):
    first, second, first_token, _second_token = two_holders
    client = Client()
    assert client.get(f"/my/{first_token}/certificates/{second.pk}.pdf").status_code == 404
    assert client.get(f"/my/{first_token}/certificates/{first.pk}.pdf")["Content-Type"] == "application/pdf"
    for action in ("share", "hide"):
        response = client.post(f"/my/{first_token}", {"action": action, "certificate": second.pk})
        assert response.status_code == 404
    assert not ShareLink.objects.exists()
    # The other holder's share link cannot be withdrawn either.
    share = services.share_link_create(
        access=HolderAccess.objects.get(learner=second.learner), certificate_id=second.pk
    )
    assert client.post(f"/my/{first_token}", {"action": "withdraw", "share": share.pk}).status_code == 404
    share.refresh_from_db()
    assert share.withdrawn_at is None


@pytest.mark.parametrize("token", ["nope", "A" * 43, "A" * 44, "%00"])
def test_unknown_and_malformed_links_answer_alike(db, token):
    response = Client().get(f"/my/{token}")
    assert response.status_code == 404
    assert 'data-state="invalid"' in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_an_ended_link_answers_as_an_unknown_one(issue):
    issue()
    token = link_in(mail.outbox[0])
    client = Client()
    assert client.post(f"/my/{token}", {"action": "end"}).status_code == 200
    response = client.get(f"/my/{token}")
    assert response.status_code == 404 and 'data-state="invalid"' in response.content.decode()
    assert AuditEntry.objects.filter(object_type="credentials.holderaccess", action="status_change").exists()


def test_the_token_is_stored_only_as_a_nonce_and_a_hash(issue):
    issue()
    token = link_in(mail.outbox[0])
    access = HolderAccess.objects.get()
    assert token not in (access.nonce, access.token_hash)
    assert access.token_hash == tokens.hash_token(token)
    assert len(token) == 43  # 256 bits
    for entry in AuditEntry.objects.filter(object_type="credentials.holderaccess"):
        assert access.nonce not in str(entry.after) and access.token_hash not in str(entry.after)


def test_an_expired_link_offers_a_new_one_by_e_mail(issue, django_capture_on_commit_callbacks):
    issue()
    token = link_in(mail.outbox[0])
    HolderAccess.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    client = Client()
    response = client.get(f"/my/{token}")
    assert response.status_code == 410 and 'data-state="expired"' in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/my/{token}", {"action": "renew"})
    assert 'data-state="renew_sent"' in response.content.decode()
    (message,) = mail.outbox
    new_token = link_in(message)
    assert new_token != token
    assert client.get(f"/my/{new_token}").status_code == 200


def test_asking_for_a_link_answers_alike_for_known_and_unknown_addresses(issue, django_capture_on_commit_callbacks):
    issue(email="ardita@example.org")
    mail.outbox.clear()
    client = Client(enforce_csrf_checks=False)
    answers = []
    for address in ("ARDITA@example.org", "nobody@example.org", "not an address"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/my/", {"email": address})
        answers.append((response.status_code, re.sub(r'nonce-[^\'"]+|nonce="[^"]+"', "", response.content.decode())))
    assert answers[0] == answers[1] == answers[2]
    assert [m.to for m in mail.outbox] == [["ardita@example.org"]]


def test_link_requests_per_address_are_capped(issue, django_capture_on_commit_callbacks):
    issue(email="ardita@example.org")
    mail.outbox.clear()
    for _ in range(services.LINK_REQUESTS_PER_ADDRESS + 2):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/my/", {"email": "ardita@example.org"})
    assert len(mail.outbox) == services.LINK_REQUESTS_PER_ADDRESS


def test_the_private_page_is_throttled(issue, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "holder_page": "2/min"},
    }
    issue()
    token = link_in(mail.outbox[0])
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(f"/my/{token}").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(f"/my/{token}")["Retry-After"]


def test_no_public_response_or_log_line_carries_an_e_mail_address(issue, caplog, client_for, provider_user):
    caplog.set_level("DEBUG")
    certificate = issue(email="ardita@example.org")
    token = link_in(mail.outbox[0])
    client = Client()
    bodies = [
        client.get(f"/my/{token}").content,
        client.get(f"/v/{certificate.verification_id}").content,
        client.get(f"/api/v1/verifications/{certificate.verification_id}").content,
        client_for(provider_user).post(f"/api/v1/certificates/{certificate.pk}/holder-link", {}, format="json").content,
    ]
    for body in bodies:
        assert b"ardita@example.org" not in body
    assert "ardita@example.org" not in caplog.text
    for entry in AuditEntry.objects.all():
        assert "ardita@example.org" not in f"{entry.before}{entry.after}{entry.reason}{entry.object_repr}"
    assert OutboundEmail.objects.filter(recipient="ardita@example.org").exists()  # kept only in the record of sends


def test_no_log_line_carries_a_link_token(issue, caplog):
    caplog.set_level("DEBUG")
    issue()
    token = link_in(mail.outbox[0])
    client = Client()
    client.get(f"/my/{token}")
    client.get(f"/my/{token[:-1]}x")  # an unknown one: a 404, which Django logs
    client.get(f"/s/{'B' * 43}")
    assert token not in caplog.text and token[:-1] not in caplog.text and "B" * 43 not in caplog.text


def test_the_page_follows_the_holders_language_and_lang(issue):
    issue(language="sr")  # Serbian in Cyrillic
    token = link_in(mail.outbox[0])
    assert "lang=sr-Cyrl" in mail.outbox[0].body
    assert '<html lang="sr-Cyrl">' in Client().get(f"/my/{token}").content.decode()
    assert '<html lang="en">' in Client().get(f"/my/{token}?lang=en").content.decode()


def test_make_runs_welcome_prints_a_private_link_that_opens(issue):
    from io import StringIO

    from django.core.management import call_command

    certificate = issue()
    out = StringIO()
    call_command("welcome", "--base", "http://testserver", stdout=out)
    token = re.search(r"http://testserver/my/([A-Za-z0-9_-]{43})", out.getvalue()).group(1)
    assert certificate.serial_number in Client().get(f"/my/{token}").content.decode()


@pytest.mark.redis
def test_the_private_page_throttle_counts_in_the_shared_redis(issue, settings, redis_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "holder_page": "2/min"},
    }
    issue()
    token = link_in(mail.outbox[0])
    # Two clients from one address (two workers would see the same): one budget.
    first, second = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.7")
    assert [first.get(f"/my/{token}").status_code, second.get(f"/my/{token}").status_code] == [200, 200]
    assert first.get(f"/my/{token}").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get(f"/my/{token}").status_code == 200
