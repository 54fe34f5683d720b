"""/v/ offers "verify a credential file" (an upload to /v/file, CSRF-protected, throttled like /v/), and each
certificate's page a link to download it as a verifiable credential."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credentials.models import VerificationEvent
from credentials.services import certificate_revoke
from tests.credentials.status_list.credential_fixtures import minimal_credential, tampered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser():
    """A client that meets CSRF as a browser does: GET the form, then POST with its token."""
    return Client(enforce_csrf_checks=True)


def _upload(browser, content: bytes | None, lang: str = "en"):
    form = browser.get(f"/v/?lang={lang}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    data = {"csrfmiddlewaretoken": token}
    if content is not None:
        data["credential"] = SimpleUploadedFile("credential.json", content, content_type="application/json")
    return browser.post(f"/v/file?lang={lang}", data)


def _file(document) -> bytes:
    return json.dumps(document).encode()


def _banner(response) -> tuple[str, str]:
    match = re.search(
        r'id="status-banner"[^>]*data-state="([^"]+)"[^>]*>\s*<strong>([^<]*)</strong>', response.content.decode()
    )
    return match.groups() if match else ("", "")


def _checks(response) -> dict[str, str]:
    return dict(re.findall(r'data-check="([^"]+)" data-result="([^"]+)"', response.content.decode()))


def test_v_offers_the_credential_file_form(client):
    html = client.get("/v/?lang=en").content.decode()
    form = re.search(r'<section class="card" id="by-credential-file">.*?</section>', html, re.S).group(0)
    assert 'action="/v/file?lang=en"' in form and 'enctype="multipart/form-data"' in form
    assert 'type="file"' in form and 'name="credential"' in form and "csrfmiddlewaretoken" in form
    assert "Verify a credential file" in form


def test_the_certificate_page_links_to_the_verifiable_credential(client, certificate):
    html = client.get(f"/v/{certificate.verification_id}?lang=en").content.decode()
    link = re.search(r'<a id="download-credential" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link.group(1) == f"/credentials/{certificate.verification_id}"
    assert link.group(2) == "Download as a verifiable credential"
    assert client.get(link.group(1)).status_code == 200


def test_a_valid_file(browser, certificate):
    response = _upload(browser, _file(minimal_credential(certificate)))
    assert response.status_code == 200
    assert _banner(response) == ("valid", "VALID")
    assert _checks(response) == {
        "issuer_key_known": "ok",
        "proof_valid": "ok",
        "status_valid": "ok",
        "accreditation_in_force_on_award_date": "ok",
        "equivalency_not_needed": "skipped",
    }
    html = response.content.decode()
    assert certificate.serial_number in html and f"/v/{certificate.verification_id}" in html
    assert response["Cache-Control"] == "no-store" and "form-action 'self'" in response["Content-Security-Policy"]
    event = VerificationEvent.objects.get()
    assert (event.certificate_id, event.outcome, event.channel) == (certificate.pk, "valid", "page")


def test_a_revoked_file(browser, certificate):
    document = minimal_credential(certificate)
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="Case 1")
    response = _upload(browser, _file(document))
    assert _banner(response) == ("revoked", "REVOKED") and _checks(response)["status_revoked"] == "failed"


def test_a_file_whose_provider_was_not_accredited_on_the_award_date_is_not_confirmed(browser):
    """The proof and the status hold, the accreditation check fails: NOT CONFIRMED, never VALID."""
    from tests import factories

    certificate = factories.CertificateFactory(
        awarded_on=datetime.date(2023, 6, 1), issued_on=datetime.date(2023, 6, 2)
    )
    response = _upload(browser, _file(minimal_credential(certificate)))
    assert _banner(response) == ("not_confirmed", "NOT CONFIRMED")
    checks = _checks(response)
    assert checks["proof_valid"] == "ok" and checks["accreditation_not_in_force_on_award_date"] == "failed"


def test_a_tampered_file(browser, certificate):
    response = _upload(browser, _file(tampered(minimal_credential(certificate))))
    assert response.status_code == 200
    assert _banner(response) == ("credential_mismatch", "CREDENTIAL DOES NOT MATCH")
    assert _checks(response)["proof_invalid"] == "failed"
    assert 'class="banner s-token_mismatch"' in response.content.decode()


def test_the_page_speaks_albanian_by_default(browser, certificate):
    response = _upload(browser, _file(minimal_credential(certificate)), lang="sq")
    assert response.status_code == 200 and 'lang="sq"' in response.content.decode()


@pytest.mark.parametrize(
    "content",
    [None, b"", b"not json at all", b"\xff\xfe\x00", b'{"hello": "world"}', b"[" * 500 + b"]" * 500],
)
def test_what_is_not_a_credential_file_is_a_clear_400_and_nothing_is_logged(browser, certificate, content):
    response = _upload(browser, content)
    assert response.status_code == 400
    assert _banner(response)[0] == "bad_input"
    assert not VerificationEvent.objects.exists()


def test_a_credential_without_its_proof_is_400_and_nothing_is_logged(browser, certificate):
    document = minimal_credential(certificate)
    del document["proof"]
    response = _upload(browser, _file(document))
    assert response.status_code == 400 and _banner(response)[0] == "bad_input"
    assert not VerificationEvent.objects.exists()


def test_a_file_that_is_too_large_is_refused(browser, certificate):
    document = minimal_credential(certificate)
    document["padding"] = "x" * 300_000
    response = _upload(browser, _file(document))
    assert response.status_code == 400 and not VerificationEvent.objects.exists()


def test_a_credential_of_another_issuer_is_404(browser, certificate):
    document = minimal_credential(certificate)
    document["id"] = "https://elsewhere.example/credentials/1"
    response = _upload(browser, _file(document))
    assert response.status_code == 404 and _banner(response)[0] == "not_ours"


def test_the_upload_is_csrf_protected(certificate):
    browser = Client(enforce_csrf_checks=True)
    upload = SimpleUploadedFile("c.json", _file(minimal_credential(certificate)), content_type="application/json")
    response = browser.post("/v/file", {"credential": upload})
    assert response.status_code == 403
    assert not VerificationEvent.objects.exists()


def test_the_upload_is_throttled_like_v(browser, anon_client, certificate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"verify_anon": "2/min", "verify_verifier": "100/min", "verify_user": "100/min"},
    }
    content = _file(minimal_credential(certificate))
    assert _upload(browser, content).status_code == 200
    assert anon_client.get(f"/api/v1/verifications/{certificate.verification_id}").status_code == 200
    refused = _upload(browser, content)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert _banner(refused)[0] == "throttled"
    assert VerificationEvent.objects.count() == 2


def test_get_shows_the_form_alone(client):
    response = client.get("/v/file?lang=en")
    assert response.status_code == 200 and 'id="by-credential-file"' in response.content.decode()
    assert client.put("/v/file").status_code == 405
