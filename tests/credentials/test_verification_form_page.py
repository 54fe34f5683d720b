"""`/v/`: a page where a person types a verification id (to its page) or a serial number with the holder's date
of birth (answered "matches" / "does not match" only; no personal data on the page)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from credentials.models import VerificationEvent
from credentials.services.lifecycle import certificate_revoke
from credentials.tokens import verification_url
from tests import factories

pytestmark = pytest.mark.django_db

RIGHT_DOB = "1995-04-12"
UNKNOWN_SERIAL = "TEST-2026-999999"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


@pytest.fixture
def browser():
    """A client that enforces CSRF as a browser meets it: GET the form, then POST with its token."""
    return Client(enforce_csrf_checks=True)


def _post(browser, serial, dob, lang="en"):
    form = browser.get(f"/v/?lang={lang}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    return browser.post(
        f"/v/?lang={lang}", {"csrfmiddlewaretoken": token, "serial_number": serial, "date_of_birth": dob}
    )


def _banner(response) -> tuple[str, str]:
    html = response.content.decode()
    match = re.search(r'id="status-banner"[^>]*data-state="([^"]+)"[^>]*>\s*<strong>([^<]*)</strong>', html)
    return match.groups() if match else ("", "")


def test_v_is_a_form_to_type_an_id_or_a_serial_and_date_of_birth(client):
    response = client.get("/v/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="sq"' in html and "Verifikoni një certifikatë" in html  # Albanian by default
    assert re.search(r'<form method="get" action="/v/">', html) and 'name="id"' in html
    assert re.search(r'<form method="post" action="/v/\?lang=sq">', html)
    assert 'name="serial_number"' in html and 'name="date_of_birth"' in html and "csrfmiddlewaretoken" in html
    csp = response["Content-Security-Policy"]
    assert "form-action 'self'" in csp and "default-src 'none'" in csp and "script-src 'nonce-" in csp
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert "<script" not in html  # nothing to run here
    assert VerificationEvent.objects.count() == 0
    assert "Verify a certificate" in client.get("/v/?lang=en").content.decode()
    assert "Proverite sertifikat" in client.get("/v/?lang=sr").content.decode()


def test_the_form_sends_a_typed_id_to_its_page(client, certificate):
    vid = certificate.verification_id
    messy = "-".join(vid[i : i + 4] for i in range(0, 26, 4)).lower()
    response = client.get("/v/", {"id": f"  {messy} ", "lang": "en"})
    assert response.status_code == 302 and response["Location"] == f"/v/{vid}?lang=en"
    assert response["Referrer-Policy"] == "no-referrer"
    # A pasted QR link keeps its signed token in the fragment, for the page's own check.
    url = verification_url(certificate)
    response = client.get("/v/", {"id": url, "lang": "sq"})
    assert response["Location"] == f"/v/{vid}?lang=sq#{url.split('#')[1]}"
    assert VerificationEvent.objects.count() == 0  # the page it opens logs the verification


@pytest.mark.parametrize("typed", ["not-an-id!", "", "https://evil.example/v/0BV7Q3M9XKZ1P4R8T2W6Y5C0DE"])
def test_a_bad_id_is_answered_on_the_form_with_a_400(client, typed):
    response = client.get("/v/", {"id": typed, "lang": "en"})
    assert response.status_code == 400
    assert _banner(response) == ("bad_input", "INVALID INPUT")
    assert "not a verification id or a link of this registry" in response.content.decode()
    assert VerificationEvent.objects.count() == 0


def test_the_form_answers_a_date_of_birth_only_with_matches_or_does_not_match(browser, certificate):
    wrong = _post(browser, certificate.serial_number, "1995-04-13")
    unknown = _post(browser, UNKNOWN_SERIAL, "1995-04-13")
    right = _post(browser, certificate.serial_number.lower(), RIGHT_DOB)
    assert wrong.status_code == unknown.status_code == right.status_code == 200
    assert _banner(wrong) == _banner(unknown) == ("date_of_birth_mismatch", "DOES NOT MATCH")
    assert _banner(right) == ("date_of_birth_match", "MATCHES")
    for response in (wrong, unknown, right):
        html = response.content.decode()
        for personal in ("Ardita", "Krasniqi", "1995-04-12", "1995-04-13", "12.04.1995"):
            assert personal not in html
    assert certificate.verification_id not in wrong.content.decode()
    # A match links to the certificate's own page (as the API answers a match with the verification).
    assert f'href="/v/{certificate.verification_id}?lang=en"' in right.content.decode()
    events = list(VerificationEvent.objects.order_by("id").values_list("channel", "outcome", "certificate_id"))
    assert events == [
        ("page", "date_of_birth_mismatch", None),
        ("page", "date_of_birth_mismatch", None),
        ("page", "valid", certificate.pk),
    ]


def test_a_match_never_reads_as_valid_for_a_revoked_certificate(browser, certificate):
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="X")
    response = _post(browser, certificate.serial_number, RIGHT_DOB)
    assert _banner(response) == ("date_of_birth_match", "MATCHES · REVOKED")
    assert 'class="banner s-revoked"' in response.content.decode()


@pytest.mark.parametrize(
    ("serial", "dob", "note"),
    [("L5 SEN/2026", RIGHT_DOB, "letters, digits and hyphens"), ("TEST-2026-000001", "12/04/1995", "YYYY-MM-DD")],
)
def test_bad_input_on_the_form_is_a_400_with_what_to_type(browser, serial, dob, note):
    response = _post(browser, serial, dob)
    assert response.status_code == 400 and _banner(response)[0] == "bad_input"
    assert note in response.content.decode()
    assert "12/04/1995" not in response.content.decode()
    # Logged as the API logs bad input: `malformed`, against no certificate.
    assert list(VerificationEvent.objects.values_list("outcome", "certificate_id")) == [("malformed", None)]


def test_the_form_is_csrf_protected(browser, certificate):
    response = browser.post("/v/", {"serial_number": certificate.serial_number, "date_of_birth": RIGHT_DOB})
    assert response.status_code == 403
    assert VerificationEvent.objects.count() == 0


def test_the_form_is_throttled_like_the_api(browser, anon_client, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "2/min", "verify_verifier": "100/min", "verify_user": "100/min"},
    }
    assert _post(browser, certificate.serial_number, "1995-04-13").status_code == 200
    assert anon_client.get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    refused = _post(browser, certificate.serial_number, RIGHT_DOB)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert _banner(refused) == ("throttled", "TOO MANY REQUESTS")
    assert VerificationEvent.objects.count() == 2


def test_the_guess_cap_holds_on_the_form(browser, client_for, verifier_user, certificate):
    verifier = client_for(verifier_user)
    for day in range(1, 11):
        verifier.post(
            "/api/v1/verifications",
            {"serial_number": certificate.serial_number, "date_of_birth": f"1990-01-{day:02d}"},
            format="json",
        )
    response = _post(browser, certificate.serial_number, RIGHT_DOB)
    assert response.status_code == 429 and _banner(response) == ("too_many_attempts", "TOO MANY ATTEMPTS")
    assert certificate.verification_id not in response.content.decode()


def test_the_verification_page_links_to_the_form(client, certificate):
    html = client.get(f"/v/{certificate.verification_id}?lang=en").content.decode()
    assert '<a href="/v/?lang=en">Verify another certificate</a>' in html
