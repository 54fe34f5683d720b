"""The transcript tells the graduate where their private page is (issue 14): the public page that e-mails the
link, as text and as a QR, and never the private link itself, which would hand the holder's page (their
verification history, share links, hiding) to whoever reads the paper: an employer, the awarding body."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.cache import cache
from pypdf import PdfReader

from credentials.holders.services import holder_link_for_certificate
from credentials.pdf.documents import certificate_pdf
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

BASE = "https://regjistri.rks-gov.net"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PUBLIC_BASE_URL = BASE
    cache.clear()
    yield
    cache.clear()


def test_the_transcript_points_to_the_holders_page_in_text_and_qr_never_to_the_private_link():
    certificate = CertificateFactory()
    private_link = holder_link_for_certificate(certificate)

    pdf = certificate_pdf(certificate, lang="sq")

    transcript = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    assert f"{BASE}/my/" in transcript and "Certifikatat tuaja" in transcript
    picture = pdfium.PdfDocument(pdf)[1].render(scale=150 / 72).to_pil().convert("L")
    assert f"{BASE}/my/" in {found.text for found in zxingcpp.read_barcodes(picture)}
    token = private_link.rsplit("/", 1)[1]
    assert token not in pdf.decode("latin-1")
    assert token not in transcript.replace("\n", "")


@pytest.mark.parametrize(("lang", "words"), [("sr-Cyrl", "Ваши сертификати"), ("en", "Your certificates online")])
def test_the_pointer_is_in_the_print_language(lang, words):
    pdf = certificate_pdf(CertificateFactory(), lang=lang)
    assert words in PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
