"""Downloading certificate PDFs: `GET /api/v1/certificates/{id}/pdf` and a cohort's certificates as
`certificates.zip` / `certificates.pdf`. Who may, what comes back, what is refused, and at what query cost."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from credentials.models import Certificate
from credentials.pdf import documents
from credentials.services.lifecycle import certificate_revoke
from registry.choices import Role
from registry.models import AuditEntry
from tests import factories
from tests.factories import CertificateFactory, issuable_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(provider):
    return CertificateFactory(
        enrolment=issuable_enrolment(provider=provider, learner__given_name="Đorđe", learner__family_name="Čolić")
    )


@pytest.fixture
def awarding_body_client(client_for, certificate):
    """A user of the organisation that granted the accreditation the certificate was issued under."""
    return client_for(factories.UserFactory(organisation=certificate.accreditation.agent, role=Role.AWARDING_BODY))


def cohort_with_certificates(provider, count: int) -> tuple:
    first = CertificateFactory(enrolment=issuable_enrolment(provider=provider))
    cohort = first.enrolment.cohort
    others = [
        CertificateFactory(enrolment=issuable_enrolment(provider=provider, curriculum=cohort.curriculum, cohort=cohort))
        for _ in range(count - 1)
    ]
    return cohort, [first, *others]


def pdf_url(certificate, **query) -> str:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"/api/v1/certificates/{certificate.pk}/pdf{suffix}"


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def written() -> tuple[int, int]:
    return Certificate.objects.count(), AuditEntry.objects.count()


# --- one certificate --------------------------------------------------------------------------------------------


def test_the_provider_downloads_its_certificate(provider_client, certificate):
    before = written()

    response = provider_client.get(pdf_url(certificate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.serial_number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    assert int(response["Content-Length"]) == len(response.content)
    assert "Đorđe Čolić" in text_of(response.content)
    assert written() == before  # a download writes nothing


def test_the_ministry_downloads_it(ministry_client, certificate):
    assert ministry_client.get(pdf_url(certificate)).status_code == 200


def test_the_accrediting_awarding_body_reads_the_certificate_but_not_its_transcript(awarding_body_client, certificate):
    """The PDF's second page is the transcript: the learner's module results, a training record that only the
    provider and the ministry keep (ADR 0023). The awarding body reads the certificate itself, without results,
    and its answer for the PDF is the same whether the certificate is its own, another's or missing."""
    refused = awarding_body_client.get(pdf_url(certificate))
    missing = awarding_body_client.get("/api/v1/certificates/999999999/pdf")
    assert refused.status_code == missing.status_code == 403
    assert refused.json()["error"]["code"] == missing.json()["error"]["code"] == "permission_denied"

    detail = awarding_body_client.get(f"/api/v1/certificates/{certificate.pk}/")
    assert detail.status_code == 200
    modules = detail.json()["snapshot"]["modules"]
    assert modules and all("outcome" not in module and "code" in module for module in modules)


def test_the_provider_reads_the_results_in_the_snapshot(provider_client, certificate):
    detail = provider_client.get(f"/api/v1/certificates/{certificate.pk}/")
    assert detail.status_code == 200
    assert [m["outcome"] for m in detail.json()["snapshot"]["modules"]] == [
        m["outcome"] for m in certificate.snapshot["modules"]
    ]


def test_serbian_on_request(provider_client, certificate):
    response = provider_client.get(pdf_url(certificate, lang="sr"))

    assert response.status_code == 200
    assert "SERTIFIKAT" in text_of(response.content)


def test_an_unknown_language_is_a_400_with_a_code(provider_client, certificate):
    response = provider_client.get(pdf_url(certificate, lang="de"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsupported_language"
    assert "lang" in error["fields"]


def test_a_client_asking_for_pdf_gets_it_and_its_errors_still_come_as_json(provider_client, certificate):
    assert provider_client.get(pdf_url(certificate), HTTP_ACCEPT="application/pdf").status_code == 200

    refused = provider_client.get(pdf_url(certificate, lang="xx"), HTTP_ACCEPT="application/pdf")

    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["error"]["code"] == "unsupported_language"


def test_anonymous_is_401(anon_client, certificate):
    response = anon_client.get(pdf_url(certificate))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_verifier_is_403(verifier_client, certificate):
    assert verifier_client.get(pdf_url(certificate)).status_code == 403


def test_another_provider_gets_404_and_another_awarding_body_403(other_provider_client, client_for, certificate):
    stranger_body = client_for(factories.UserFactory(awarding_body=True))

    assert other_provider_client.get(pdf_url(certificate)).status_code == 404
    assert stranger_body.get(pdf_url(certificate)).status_code == 403  # no awarding body reads a transcript


def test_an_unknown_certificate_is_404(ministry_client):
    response = ministry_client.get("/api/v1/certificates/999999999/pdf")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_revoked_certificate_still_downloads_marked_as_revoked(provider_client, ministry_client, certificate):
    certificate_revoke(actor=None, certificate=certificate, reason_code="issued_in_error", reference="REF-1")

    for client in (provider_client, ministry_client):
        response = client.get(pdf_url(certificate))
        assert response.status_code == 200
        assert "REVOKUAR" in text_of(response.content)


def test_a_repeat_download_is_served_from_the_cache_and_a_status_change_renders_anew(provider_client, certificate):
    first = provider_client.get(pdf_url(certificate)).content

    assert provider_client.get(pdf_url(certificate)).content == first  # same bytes, same signed token
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="REF-2")
    after = provider_client.get(pdf_url(certificate)).content
    assert after != first
    assert "REVOKUAR" in text_of(after)


def test_a_download_costs_two_queries(provider_client, certificate, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the token's user, the certificate
        assert provider_client.get(pdf_url(certificate)).status_code == 200


def test_a_record_from_before_qr_tokens_downloads_and_keeps_its_new_symbol(provider_client, certificate):
    # The view reads only the columns a print needs; such a record also reads the ones its new token covers.
    Certificate.objects.filter(pk=certificate.pk).update(qr_token="", qr_symbol=b"", qr_symbol_digest="")
    first = provider_client.get(pdf_url(certificate))
    assert first.status_code == 200
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.qr_token and bytes(stored.qr_symbol) and stored.qr_symbol_digest
    assert stored.updated_at == certificate.updated_at  # derived data: no new `updated_at`, no audit entry
    cache.clear()
    assert provider_client.get(pdf_url(certificate)).content == first.content


def test_nothing_but_get(provider_client, certificate):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(provider_client, method)(pdf_url(certificate)).status_code == 405
    assert Certificate.objects.filter(pk=certificate.pk).exists()


# --- a cohort's certificates ------------------------------------------------------------------------------------


def zip_url(cohort, **query) -> str:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"/api/v1/cohorts/{cohort.pk}/certificates.zip{suffix}"


def merged_url(cohort, **query) -> str:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"/api/v1/cohorts/{cohort.pk}/certificates.pdf{suffix}"


def body(response) -> bytes:
    """The whole body, streamed (the ZIP) or not (a PDF, an error)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.streaming  # written as it is read, never held whole
    return zipfile.ZipFile(io.BytesIO(body(response)))


def test_a_cohort_as_a_zip_of_one_pdf_per_certificate(provider_client, provider):
    cohort, certificates = cohort_with_certificates(provider, 3)
    before = written()

    response = provider_client.get(zip_url(cohort))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{cohort.code}-certificates.zip"'
    assert response["Cache-Control"] == "private, no-store"
    assert "Content-Length" not in response  # known only at the end
    archive = zip_of(response)
    assert sorted(archive.namelist()) == sorted(f"{c.serial_number}.pdf" for c in certificates)
    for certificate in certificates:
        pdf = archive.read(f"{certificate.serial_number}.pdf")
        assert certificate.serial_number in text_of(pdf)
    assert written() == before


def test_the_zip_reuses_cached_renders(provider_client, provider):
    cohort, certificates = cohort_with_certificates(provider, 2)
    single = provider_client.get(pdf_url(certificates[0])).content

    archive = zip_of(provider_client.get(zip_url(cohort)))

    assert archive.read(f"{certificates[0].serial_number}.pdf") == single
    assert provider_client.get(pdf_url(certificates[1])).content == archive.read(f"{certificates[1].serial_number}.pdf")


def test_a_cohort_as_one_merged_pdf_for_printing(ministry_client, provider):
    cohort, certificates = cohort_with_certificates(provider, 3)

    response = ministry_client.get(merged_url(cohort, lang="en"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{cohort.code}-certificates.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2 * len(certificates)
    text = text_of(response.content)
    assert all(certificate.serial_number in text for certificate in certificates)


def test_only_valid_certificates_unless_asked(provider_client, provider):
    cohort, certificates = cohort_with_certificates(provider, 3)
    certificate_revoke(actor=None, certificate=certificates[0], reason_code="fraud", reference="REF-3")

    valid = zip_of(provider_client.get(zip_url(cohort))).namelist()
    everything = zip_of(provider_client.get(zip_url(cohort, status="all"))).namelist()
    revoked = zip_of(provider_client.get(zip_url(cohort, status="revoked"))).namelist()

    assert f"{certificates[0].serial_number}.pdf" not in valid and len(valid) == 2
    assert len(everything) == 3
    assert revoked == [f"{certificates[0].serial_number}.pdf"]


@pytest.mark.parametrize("url", [zip_url, merged_url])
def test_bad_query_parameters_are_400_with_a_code(provider_client, provider, url):
    cohort, _ = cohort_with_certificates(provider, 1)

    bad_lang = provider_client.get(url(cohort, lang="fr"))
    bad_status = provider_client.get(url(cohort, status="lost"))

    assert (bad_lang.status_code, bad_lang.json()["error"]["code"]) == (400, "unsupported_language")
    assert (bad_status.status_code, bad_status.json()["error"]["code"]) == (400, "invalid_status")


@pytest.mark.parametrize("url", [zip_url, merged_url])
def test_a_cohort_without_certificates_is_404_no_certificates(provider_client, provider, url):
    cohort = factories.CohortFactory(provider=provider)

    response = provider_client.get(url(cohort))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_certificates"


@pytest.mark.parametrize("url", [zip_url, merged_url])
def test_cohort_downloads_are_for_its_provider_and_the_ministry_only(
    url, provider, anon_client, verifier_client, other_provider_client, client_for
):
    cohort, certificates = cohort_with_certificates(provider, 1)
    body = client_for(factories.UserFactory(organisation=certificates[0].accreditation.agent, role=Role.AWARDING_BODY))

    assert anon_client.get(url(cohort)).status_code == 401
    assert verifier_client.get(url(cohort)).status_code == 403
    assert body.get(url(cohort)).status_code == 403
    assert other_provider_client.get(url(cohort)).status_code == 404
    assert other_provider_client.get("/api/v1/cohorts/999999999/certificates.zip").status_code == 404


@pytest.mark.parametrize("url", [zip_url, merged_url])
@pytest.mark.parametrize("size", [1, 6])
def test_a_cohort_download_costs_the_same_queries_whatever_its_size(
    url, size, provider, provider_client, django_assert_max_num_queries
):
    cohort, _ = cohort_with_certificates(provider, size)

    with django_assert_max_num_queries(3):  # the token's user, the cohort, the certificates
        response = provider_client.get(url(cohort))
        assert response.status_code == 200
        assert body(response)  # a streamed ZIP reads its rows while it is sent: counted too


def test_one_merged_pdf_holds_at_most_the_limit_and_points_larger_cohorts_to_the_zip(
    provider_client, provider, monkeypatch
):
    cohort, certificates = cohort_with_certificates(provider, 3)
    monkeypatch.setattr(documents, "MERGED_PDF_MAX", 2)  # the limit (200) made small, not the code around it

    refused = provider_client.get(merged_url(cohort))
    at_the_limit = provider_client.get(merged_url(cohort, status="all"))  # still three: refused as well
    certificate_revoke(actor=None, certificate=certificates[0], reason_code="fraud", reference="REF-4")
    two = provider_client.get(merged_url(cohort))

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "too_many_for_one_pdf"
    assert "certificates.zip" in error["message"]
    assert at_the_limit.status_code == 400
    assert two.status_code == 200
    assert len(PdfReader(io.BytesIO(two.content)).pages) == 4
    assert len(zip_of(provider_client.get(zip_url(cohort, status="all"))).namelist()) == 3  # the ZIP has no limit
