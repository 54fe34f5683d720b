"""Every HTML page carries a Content-Security-Policy (core/middleware.py, api_docs/urls.py) that lets no
inline script run except by nonce or hash, and loads nothing from another host.

The pages are walked, not listed by hand: every admin changelist and add form, every API list in the browsable
API, the docs, DRF's login, the public pages, and the 404 and 500 pages. tests/e2e/test_html_pages.py loads
them in Chromium and checks that the policies break nothing.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django.urls import NoReverseMatch, path, reverse

from config import urls as project_urls
from core.middleware import CONTENT_SECURITY_POLICY
from registry.models import User
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

NONCE_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_safe_policy(response, label: str) -> None:
    """A policy is present and never lets an inline script or another host's script or style in."""
    policy = response.get("Content-Security-Policy")
    assert policy, f"{label}: no Content-Security-Policy ({response.status_code})"
    directives = _directives(policy)
    for kind in ("script-src", "style-src"):
        sources = directives.get(kind, directives.get("default-src"))
        assert sources, f"{label}: {kind} unrestricted: {policy}"
        assert all(s.startswith("'") or s in ("blob:", "data:") for s in sources), f"{label}: {kind} {sources}"
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"]), f"{label}: {policy}"
    assert "'unsafe-eval'" not in policy, label
    assert directives.get("object-src", directives["default-src"]) == ["'none'"], label
    assert directives.get("frame-ancestors") == ["'none'"], label
    assert directives.get("base-uri") == ["'none'"], label


def _html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


@pytest.fixture
def demo(db):
    """One issued certificate and everything it rests on: a row for most admin change pages."""
    return CertificateFactory()


@pytest.fixture
def staff_client(demo) -> Client:
    user = User.objects.create_superuser("csp-admin", "csp-admin@example.invalid", "unused-password-8431")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _admin_pages() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        meta = model._meta
        for action in ("changelist", "add"):
            try:
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}"))
            except NoReverseMatch:
                continue
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return urls


def test_every_admin_page_has_a_content_security_policy(staff_client):
    pages = _admin_pages()
    assert len(pages) > 40, "the admin lost its models, or this test its way of finding them"
    checked = 0
    for url in pages:
        response = staff_client.get(url)
        if _html(response):
            assert_safe_policy(response, url)
            checked += 1
    assert checked > 30
    login = Client().get(reverse("admin:login"))
    assert login.status_code == 200 and login["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_every_page_of_the_browsable_api_has_a_content_security_policy(staff_client):
    schema = Client().get("/api/schema/?format=json").json()
    lists = [p for p, ops in schema["paths"].items() if "get" in ops and "{" not in p]
    assert len(lists) > 15
    for url in ["/api/v1/", *lists]:
        response = staff_client.get(url, HTTP_ACCEPT="text/html")
        if response.status_code == 406 or not _html(response):  # a CSV or a PDF: not a page
            continue
        assert_safe_policy(response, url)
    # Its one inline script, the "Log out" link's handler, runs by its hash, not by 'unsafe-inline'.
    page = staff_client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert "onclick=" in page.content.decode() and "'unsafe-hashes' 'sha256-" in page["Content-Security-Policy"]


def test_docs_login_and_public_pages_have_a_content_security_policy(demo):
    client = Client(raise_request_exception=False)
    certificate = demo
    pages = {
        "/api/docs/": 200,
        "/api/redoc/": 200,
        "/api-auth/login/": 200,
        "/impact/": 200,
        "/impact/?lang=en": 200,
        "/tracer/not-a-real-invitation/": 404,
        f"/v/{certificate.verification_id}": 200,
        "/no-such-page/": 404,
        "/api/v1/no-such-endpoint/": 404,  # JSON, in the error shape: no page, no policy needed
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        if url.startswith("/api/v1/"):
            assert not _html(response)
            continue
        assert _html(response), url
        assert_safe_policy(response, url)
    # The verification page keeps its own, stricter policy (nonces, no form posts).
    assert "form-action 'none'" in client.get(f"/v/{certificate.verification_id}")["Content-Security-Policy"]
    # Swagger UI runs no inline script or style at all: its start is a script of its own.
    swagger = client.get("/api/docs/")
    assert swagger["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert not [tag for tag, attrs in NONCE_TAG.findall(swagger.content.decode()) if "src=" not in attrs]


def test_an_inline_style_runs_only_by_the_nonce_its_page_names(demo):
    client = Client()
    first, second = client.get("/impact/"), client.get("/impact/")
    nonces = []
    for response in (first, second):
        tags = NONCE_TAG.findall(response.content.decode())
        assert tags and all('nonce="' in attrs for _, attrs in tags), tags
        [nonce] = {re.search(r'nonce="([^"]+)"', attrs).group(1) for _, attrs in tags}
        assert f"'nonce-{nonce}'" in _directives(response["Content-Security-Policy"])["style-src"]
        assert 'style="' not in response.content.decode()  # style attributes would need 'unsafe-inline'
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    # A page that prints no nonce names none.
    assert "nonce-" not in client.get("/no-such-page/")["Content-Security-Policy"]


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), *project_urls.urlpatterns]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_has_a_content_security_policy(caplog):
    caplog.set_level("CRITICAL", logger="django.request")
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500 and _html(response)
    assert_safe_policy(response, "500 page")


@override_settings(DEBUG=True)
def test_debug_error_pages_may_run_their_inline_code_and_nothing_else(db):
    response = Client().get("/no-such-page/")
    directives = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in directives["script-src"] and "'self'" in directives["script-src"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
