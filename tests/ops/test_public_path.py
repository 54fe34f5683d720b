"""The public verification path's short way through the middleware (core/public_path.py): a verification asked with
no credentials and no cookie answers exactly as through the whole stack (status, every header, the body), and
anything else takes the whole stack."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from credentials.verification.checks import signature_memo
from tests import factories

pytestmark = pytest.mark.django_db

SHORT_WAY = "core.public_path.PublicPathMiddleware"


@pytest.fixture(autouse=True)
def _fresh_throttles_and_memo():
    cache.clear()
    signature_memo.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _whole_stack(settings_fixture) -> None:
    settings_fixture.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != SHORT_WAY]


_VARYING = [
    (re.compile(r"nonce-[A-Za-z0-9_-]+"), "nonce-N"),
    (re.compile(r'nonce="[A-Za-z0-9_-]+"'), 'nonce="N"'),
    (re.compile(r'"verified_at":"[^"]+"'), '"verified_at":"T"'),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"), "YYYY-MM-DD HH:MM"),  # the page's {% now %}
    (re.compile(r'"request_id": ?"[0-9a-f]+"'), '"request_id":"R"'),
    (re.compile(r"expires=[A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} [\d:]{8} GMT"), "expires=E"),  # the language cookie's
]


def _comparable(response) -> tuple:
    body = response.content.decode()
    headers = {name: value for name, value in response.headers.items() if name != "X-Request-ID"}
    for pattern, replacement in _VARYING:
        body = pattern.sub(replacement, body)
        headers = {name: pattern.sub(replacement, value) for name, value in headers.items()}
    cookies = response.cookies.output()
    for pattern, replacement in _VARYING:
        cookies = pattern.sub(replacement, cookies)
    return response.status_code, headers, body, cookies


def _ask(path: str, method: str, extra: dict):
    client = Client()
    response = getattr(client, method)(path, **extra)
    return response, hasattr(response.wsgi_request, "session")


@pytest.mark.parametrize(
    ("path", "method", "extra"),
    [
        ("/api/v1/verifications/{vid}", "get", {"HTTP_ACCEPT": "application/json"}),
        ("/api/v1/verifications/{vid}/", "get", {}),
        ("/api/v1/verifications/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "get", {}),  # unknown: 404
        ("/api/v1/verifications/not-an-id!", "get", {}),  # malformed: 400
        ("/api/v1/verifications/{vid}", "head", {}),
        ("/v/{vid}", "get", {"HTTP_ACCEPT": "text/html"}),
        ("/v/{vid}/", "get", {"HTTP_ACCEPT_LANGUAGE": "sr"}),
        ("/v/{vid}", "get", {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}),
        ("/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE", "get", {}),
        ("/v/{vid}", "head", {}),
    ],
)
def test_a_verification_without_credentials_answers_the_same_by_the_short_way(
    certificate, settings, path, method, extra
):
    path = path.format(vid=certificate.verification_id)
    short, short_stack = _ask(path, method, extra)
    _whole_stack(settings)
    cache.clear()
    whole, whole_stack = _ask(path, method, extra)
    assert (short_stack, whole_stack) == (False, True)  # the short way was taken, and then not
    assert _comparable(short) == _comparable(whole)
    assert short["X-Frame-Options"] == "DENY" and "Accept-Language" in short["Vary"]
    assert short["Content-Length"] == str(len(short.content)) or method == "head"


@pytest.mark.parametrize("status", ["valid", "revoked", "suspended", "superseded"])
@pytest.mark.parametrize(
    ("path", "method", "extra"),
    [
        ("/api/v1/verifications/{vid}", "get", {}),
        ("/api/v1/verifications/{vid}", "head", {}),
        ("/api/v1/verifications/{vid}?lang=en", "get", {}),
        ("/api/v1/verifications/{vid}/?lang=sr-Cyrl&x=1", "get", {}),
        ("/api/v1/verifications/{vid}", "get", {"HTTP_ACCEPT_LANGUAGE": "sr-Latn-RS"}),
        ("/api/v1/verifications/{vid}", "get", {"HTTP_ACCEPT_LANGUAGE": "hr,en;q=0.5"}),
        ("/api/v1/verifications/{vid}", "get", {"HTTP_ACCEPT_LANGUAGE": "de"}),
        ("/v/{vid}?lang=en", "get", {}),
    ],
)
def test_every_status_and_language_answers_the_same_by_the_short_way(
    certificate, settings, status, path, method, extra
):
    """Byte for byte (apart from the request id, the nonce and the time): status line, every header, the body."""
    if status != "valid":
        type(certificate).objects.filter(pk=certificate.pk).update(
            status=status, status_changed_at=timezone.now(), status_reason_code="fraud", status_reference="X-1"
        )
    path = path.format(vid=certificate.verification_id)
    short, short_stack = _ask(path, method, extra)
    _whole_stack(settings)
    cache.clear()
    whole, whole_stack = _ask(path, method, extra)
    assert (short_stack, whole_stack) == (False, True)
    assert _comparable(short) == _comparable(whole)
    if method == "get" and path.startswith("/api/"):
        assert short.json()["outcome"] == status


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/verifications/{lower}",  # Crockford: read as the same id
        "/api/v1/verifications/{vid}%20",
        "/api/v1/verifications/%30BV7",  # a percent-encoded character
        "/api/v1/verifications/%C3%AB%C3%AB",  # non-ASCII
        "/api/v1/verifications/%FF",  # not UTF-8
        "/api/v1/verifications/{vid}//",
        "/api/v1/verifications//{vid}",
        "/api/v1/verifications/{vid}/x",
        "/api/v1/verifications/" + "7" * 300,
        "/api/v1/verifications/%00",
    ],
)
def test_odd_paths_answer_the_same_whichever_way_they_take(certificate, settings, path):
    path = path.format(vid=certificate.verification_id, lower=certificate.verification_id.lower())
    short, _ = _ask(path, "get", {})
    _whole_stack(settings)
    cache.clear()
    whole, _ = _ask(path, "get", {})
    assert _comparable(short) == _comparable(whole)


def test_a_throttled_verification_answers_the_same_by_the_short_way(certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "1/min", "verify_verifier": "9/min", "verify_user": "9/min"},
    }
    path = f"/api/v1/verifications/{certificate.verification_id}"
    _ask(path, "get", {})
    short, _ = _ask(path, "get", {})
    _whole_stack(settings)
    cache.clear()
    _ask(path, "get", {})
    whole, _ = _ask(path, "get", {})
    assert short.status_code == whole.status_code == 429
    assert _comparable(short) == _comparable(whole)


@pytest.mark.parametrize(
    ("path", "method", "extra"),
    [
        ("/api/v1/verifications/{vid}", "get", {"HTTP_COOKIE": "django_language=sr"}),
        ("/api/v1/verifications/{vid}", "get", {"HTTP_COOKIE": "sessionid=abc"}),
        ("/v/{vid}", "get", {"HTTP_COOKIE": "csrftoken=abc"}),
        ("/api/v1/verifications/{vid}", "get", {"HTTP_AUTHORIZATION": "Token nonsense"}),
        ("/api/v1/verifications/{vid}", "options", {}),
        ("/api/v1/verifications/{vid}", "delete", {}),
        ("/v/", "get", {}),  # the form page (CSRF cookie): not marked
        ("/api/v1/verification-events", "get", {}),
        ("/healthz", "get", {}),
    ],
)
def test_anything_else_takes_the_whole_stack(certificate, path, method, extra):
    _response, whole_stack = _ask(path.format(vid=certificate.verification_id), method, extra)
    assert whole_stack


def test_a_language_cookie_is_still_honoured(certificate):
    response = Client().get(f"/api/v1/verifications/{certificate.verification_id}", HTTP_COOKIE="django_language=sr")
    assert response["Content-Language"] == "sr"


def test_a_host_outside_allowed_hosts_is_refused_by_the_short_way_too(certificate, settings):
    settings.ALLOWED_HOSTS = ["registry.example"]
    path = f"/api/v1/verifications/{certificate.verification_id}"
    short = Client().get(path, HTTP_HOST="evil.example")
    _whole_stack(settings)
    whole = Client().get(path, HTTP_HOST="evil.example")
    assert short.status_code == whole.status_code == 400
    assert _comparable(short) == _comparable(whole)
