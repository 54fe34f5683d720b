"""One rule decides the client's address for every per-address limit (core/client_ip.py): the socket's address,
or with TRUSTED_PROXY_DEPTH proxies of ours the hop they appended to X-Forwarded-For; never a header the
client wrote. These run in one process: they show that no header buys a new quota even where a single cache
holds every count (tests/ops/test_shared_limits.py shows the same across processes)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.client_ip import client_ip
from credentials.models import VerificationEvent
from tests import factories

pytestmark = pytest.mark.django_db

# Headers a client may send to name "its" address; proxies and CDNs of others set some of them.
SPOOFED = {
    "HTTP_TRUE_CLIENT_IP": "198.51.100.1",
    "HTTP_X_REAL_IP": "198.51.100.2",
    "HTTP_X_FORWARDED_FOR": "198.51.100.3",
    "HTTP_FORWARDED": "for=198.51.100.4",
    "HTTP_CF_CONNECTING_IP": "198.51.100.5",
    "HTTP_X_CLIENT_IP": "198.51.100.6",
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


@pytest.fixture
def anon_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "2/hour", "verify_verifier": "100/min", "verify_user": "100/min"},
    }


def test_without_a_proxy_the_address_is_the_sockets_whatever_the_headers_say(rf, settings):
    settings.TRUSTED_PROXY_DEPTH = 0
    assert client_ip(rf.get("/", REMOTE_ADDR="203.0.113.9", **SPOOFED)) == "203.0.113.9"


@pytest.mark.parametrize(
    ("depth", "forwarded", "expected"),
    [
        (1, "198.51.100.3, 203.0.113.7", "203.0.113.7"),  # the client wrote the first hop, our proxy the last
        (2, "198.51.100.3, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # CDN, then load balancer
        (2, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the one our proxy wrote
        (1, "", "10.0.0.1"),  # no header from the proxy: the socket's address
    ],
)
def test_with_proxies_the_address_is_the_hop_our_innermost_proxies_appended(rf, settings, depth, forwarded, expected):
    settings.TRUSTED_PROXY_DEPTH = depth
    headers = {**SPOOFED, "HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", **headers)) == expected


def test_drf_names_the_same_client_as_our_rule(rf):
    assert api_settings.NUM_PROXIES == 0  # the default depth, passed on to DRF
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.3")
    throttle = type("AnyDRFThrottle", (SimpleRateThrottle,), {"rate": "1/min"})()
    assert throttle.get_ident(request) == client_ip(request) == "203.0.113.9"


def test_client_supplied_headers_never_buy_a_new_verification_quota(client, certificate, anon_rate):
    """A spent quota stays spent whatever address the request claims, on the API and the page alike."""
    url = f"/api/v1/verifications/{certificate.verification_id}"
    assert client.get(url).status_code == 200
    assert client.get(f"/v/{certificate.verification_id}").status_code == 200
    assert client.get(url).status_code == 429
    for name, value in SPOOFED.items():
        assert client.get(url, **{name: value}).status_code == 429, name
        assert client.get(f"/v/{certificate.verification_id}", **{name: value}).status_code == 429, name
    assert client.get(url, REMOTE_ADDR="203.0.113.50").status_code == 200  # another socket is another caller


def test_behind_a_proxy_the_quota_follows_the_address_the_proxy_saw(client, certificate, anon_rate, settings):
    settings.TRUSTED_PROXY_DEPTH = 1
    url = f"/api/v1/verifications/{certificate.verification_id}"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", **proxy).status_code == 200
    for forged in ("198.51.100.2, 203.0.113.7", "198.51.100.3,203.0.113.7"):
        refused = client.get(url, HTTP_X_FORWARDED_FOR=forged, HTTP_TRUE_CLIENT_IP="198.51.100.9", **proxy)
        assert refused.status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 200


def test_the_events_ip_hash_follows_the_same_rule(client, certificate):
    url = f"/api/v1/verifications/{certificate.verification_id}"
    client.get(url, REMOTE_ADDR="203.0.113.9")
    client.get(url, REMOTE_ADDR="203.0.113.9", **SPOOFED)
    client.get(url, REMOTE_ADDR="203.0.113.10")
    first, spoofed, other = VerificationEvent.objects.order_by("pk").values_list("ip_hash", flat=True)
    assert first == spoofed != other
