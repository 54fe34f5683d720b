"""The verification log: what an event keeps (no IP, a keyed hash), and who may read it."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.cache import cache

from credentials.models import VerificationEvent
from credentials.verification.events import ip_hash, user_agent_family
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(provider):
    return factories.CertificateFactory(enrolment=factories.issuable_enrolment(provider=provider))


def test_the_ip_is_kept_only_as_a_keyed_hash(client, certificate, settings):
    client.get(f"/v/{certificate.verification_id}", REMOTE_ADDR="192.0.2.44")
    event = VerificationEvent.objects.get()
    assert "192.0.2.44" not in str(VerificationEvent.objects.values().get())
    assert event.ip_hash != hashlib.sha256(b"192.0.2.44").hexdigest()  # not guessable without the key
    assert event.ip_hash == ip_hash("192.0.2.44") and len(event.ip_hash) == 64
    settings.IP_HASH_KEY = "a-separate-key"
    assert ip_hash("192.0.2.44") == hmac.new(b"a-separate-key", b"192.0.2.44", hashlib.sha256).hexdigest()
    assert ip_hash("192.0.2.44") != event.ip_hash


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Safari/604.1",
            "safari",
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0", "edge"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "firefox"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32", "python"),
        ("WhatsApp/2.23.20.0 A", "whatsapp"),
        ("", ""),
        ("something else", "other"),
    ],
)
def test_user_agent_family(agent, family):
    assert user_agent_family(agent) == family


def _events(client, **params):
    return client.get("/api/v1/verification-events", params)


def test_the_provider_sees_how_often_and_by_whom_its_certificate_was_verified(
    client, anon_client, client_for, verifier_user, provider_client, certificate
):
    client.get(f"/v/{certificate.verification_id}")
    client_for(verifier_user).get(f"/api/v1/verifications/{certificate.verification_id}")
    other = factories.CertificateFactory()
    client.get(f"/v/{other.verification_id}")
    body = _events(provider_client, certificate=certificate.pk).json()
    assert len(body["results"]) == 2  # the events list has no count (a cursor list); the summary counts
    slugs = {e["verifier_organisation"] for e in body["results"]}
    assert slugs == {None, verifier_user.organisation.slug}
    assert {e["channel"] for e in body["results"]} == {"page", "api"}
    assert all("ip_hash" not in e for e in body["results"])
    # Without a filter, still only its own certificates' events.
    assert len(_events(provider_client).json()["results"]) == 2
    summary = provider_client.get("/api/v1/verification-events/summary", {"certificate": certificate.pk}).json()
    assert summary["total"] == 2 and summary["by_channel"] == {"page": 1, "api": 1}
    assert summary["organisations"] == [
        {"slug": verifier_user.organisation.slug, "name": verifier_user.organisation.name, "count": 1}
    ]


def test_the_log_is_scoped_per_caller(
    client, anon_client, ministry_client, other_provider_client, client_for, verifier_user, certificate
):
    client.get(f"/v/{certificate.verification_id}")
    client_for(verifier_user).get(f"/api/v1/verifications/{certificate.verification_id}")
    client.get("/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE")  # unknown: belongs to no provider
    assert _events(anon_client).status_code == 401
    assert anon_client.get("/api/v1/verification-events/summary").status_code == 401
    assert len(_events(other_provider_client, certificate=certificate.pk).json()["results"]) == 0
    assert len(_events(ministry_client).json()["results"]) == 3
    own = _events(client_for(verifier_user)).json()
    assert len(own["results"]) == 1 and own["results"][0]["verifier_organisation"] == verifier_user.organisation.slug
    another_verifier = factories.UserFactory(verifier=True)
    assert len(_events(client_for(another_verifier)).json()["results"]) == 0
    awarding = factories.UserFactory(organisation=certificate.awarding_body, role="awarding_body")
    assert len(_events(client_for(awarding)).json()["results"]) == 2


def test_the_log_filters_by_outcome_and_channel(client, ministry_client, certificate):
    client.get(f"/v/{certificate.verification_id}")
    client.get("/v/not-an-id")
    assert len(_events(ministry_client, outcome="malformed").json()["results"]) == 1
    assert len(_events(ministry_client, channel="page", outcome="valid").json()["results"]) == 1
    assert len(_events(ministry_client, verification_id=certificate.verification_id).json()["results"]) == 1
    assert _events(ministry_client, outcome="nonsense").status_code == 400


@pytest.mark.parametrize("page_size", [1, 100])
def test_the_log_costs_constant_queries(client, ministry_client, django_assert_max_num_queries, page_size):
    certificates = factories.CertificateFactory.create_batch(3)
    for certificate in certificates:
        client.get(f"/v/{certificate.verification_id}")
    with django_assert_max_num_queries(2):  # token, page: a cursor list counts nothing
        response = _events(ministry_client, page_size=page_size)
    assert len(response.json()["results"]) == min(3, page_size)
    assert (response.json()["next"] is None) == (page_size >= 3)


@pytest.mark.parametrize(
    "query",
    [
        {"created_after": "0001-01-01T00:00:00+23:59"},
        {"certificate": "-252"},
        {"certificate": "99999999999999999999"},
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/verification-events", "/api/v1/verification-events/summary"])
def test_out_of_range_filters_are_400_not_500(ministry_client, path, query):
    response = ministry_client.get(path, query)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_an_offset_postgresql_refuses_is_moved_to_utc(ministry_client):
    response = ministry_client.get("/api/v1/verification-events", {"created_before": "0944-11-30T04:57:47-19:00"})
    assert response.status_code == 200 and response.json()["results"] == []


BOT = "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"


def test_api_calls_with_a_token_are_logged_whatever_the_user_agent(client_for, verifier_user, certificate):
    """The link-preview filter is for anonymous callers: a verifier cannot keep its checks out of the log (and out
    of the provider's sight) by sending a bot's User-Agent."""
    verifier = client_for(verifier_user)
    vid = certificate.verification_id
    assert verifier.get(f"/api/v1/verifications/{vid}", HTTP_USER_AGENT=BOT).status_code == 200
    verifier.post("/api/v1/verifications", {"verification_id": vid}, format="json", HTTP_USER_AGENT=BOT)
    verifier.post("/api/v1/verifications", {"items": [{"verification_id": vid}]}, format="json", HTTP_USER_AGENT=BOT)
    events = VerificationEvent.objects.filter(verifier_organisation=verifier_user.organisation)
    assert sorted(events.values_list("channel", flat=True)) == ["api", "api", "batch"]
    assert set(events.values_list("user_agent_family", flat=True)) == {"discordbot"}


def test_api_calls_with_a_session_are_logged_whatever_the_user_agent(verifier_user, certificate):
    from rest_framework.test import APIClient

    session = APIClient()
    session.force_login(verifier_user)
    assert session.get(f"/api/v1/verifications/{certificate.verification_id}", HTTP_USER_AGENT=BOT).status_code == 200
    assert VerificationEvent.objects.filter(verifier_organisation=verifier_user.organisation).count() == 1


def test_anonymous_link_preview_bots_are_still_not_counted(anon_client, certificate):
    assert (
        anon_client.get(f"/api/v1/verifications/{certificate.verification_id}", HTTP_USER_AGENT=BOT).status_code == 200
    )
    assert VerificationEvent.objects.count() == 0
