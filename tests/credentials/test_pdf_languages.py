"""The certificate prints in each language the PDF endpoints accept (sq, sr, sr-Latn, sr-Cyrl, en): the printed
words from the catalogues, the qualification's title in that language and script, one date format per language,
the status in words on a certificate that is not valid."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from credentials.pdf.documents import certificate_pdf
from credentials.services.lifecycle import certificate_revoke
from tests.factories import CertificateFactory, issuable_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def first_page(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("lang", "words", "title"),
    [
        ("sq", ["CERTIFIKATË", "Data e dhënies", "Vërtetohet se"], "Asistent për fëmijë/nxënës"),
        ("sr", ["SERTIFIKAT", "Datum dodele", "Ovim se potvrđuje da je"], "Asistent za decu/učenike"),
        ("sr-Latn", ["SERTIFIKAT", "Datum dodele"], "Asistent za decu/učenike"),
        ("sr-Cyrl", ["СЕРТИФИКАТ", "Датум доделе", "Овим се потврђује да је"], "Асистент за децу/ученике"),
        ("en", ["CERTIFICATE", "Date of award", "This is to certify that"], "Assistant for children"),
    ],
)
def test_each_language_prints_its_words_and_the_title_in_its_script(lang, words, title):
    certificate = CertificateFactory()
    text = first_page(certificate_pdf(certificate, lang=lang))
    for word in words:
        assert word in text, (lang, word)
    assert title in text
    awarded = certificate.awarded_on
    expected_date = {
        "sq": awarded.strftime("%d.%m.%Y"),
        "en": f"{awarded.day} {awarded.strftime('%b')} {awarded.year}",
    }.get(lang, awarded.strftime("%d.%m.%Y."))
    assert expected_date in text


def test_a_revoked_certificate_says_revoked_in_words_in_cyrillic_and_albanian():
    certificate = CertificateFactory()
    certificate_revoke(actor=None, certificate=certificate, reason_code="issued_in_error", reference="R-1")
    certificate.refresh_from_db()
    cyrillic = first_page(certificate_pdf(certificate, lang="sr-Cyrl")).replace(" ", "")
    albanian = first_page(certificate_pdf(certificate, lang="sq")).replace(" ", "")
    assert "ОПОЗВАН" in cyrillic and "Овајсертификатнијеважећи" in cyrillic
    assert "EREVOKUAR" in albanian and "DËSHTOI" not in albanian


def test_the_pdf_endpoint_takes_the_cyrillic_tag(provider, provider_client):
    certificate = CertificateFactory(enrolment=issuable_enrolment(provider=provider))
    response = provider_client.get(f"/api/v1/certificates/{certificate.pk}/pdf?lang=sr-Cyrl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "СЕРТИФИКАТ" in first_page(body)
    refused = provider_client.get(f"/api/v1/certificates/{certificate.pk}/pdf?lang=sr-Cyrillic")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "unsupported_language"
