"""The certificate's QR scans from poor copies (issue 12, ADR 0017): a 72 dpi render of the PDF, and a phone-camera
like picture of the page (blurred, rotated a few degrees, grey paper, JPEG). The compact token keeps the symbol at
version 10-12 (0.68-0.77 mm modules at 44 mm), where the JWS of before needed version 17-18 (0.47 mm at 40 mm)."""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.cache import cache
from PIL import Image, ImageFilter

from credentials.pdf.documents import certificate_pdf, certificate_print
from credentials.pdf.qr import segments, segments_version, symbol_rows
from credentials.pdf.render import CertificatePrint, render_certificate_pdf
from credentials.tokens import jws_token, verification_url, verify_certificate_token
from tests.factories import CertificateFactory, issuable_enrolment

pytestmark = pytest.mark.django_db

PRODUCTION_LIKE = "https://regjistri.rks-gov.net"
NAMES = [("Đorđe", "Čolić"), ("Александра", "Стефановић-Петровић"), ("Arbëreshë", "Krasniqi-Berisha Gashi")]


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PUBLIC_BASE_URL = PRODUCTION_LIKE
    cache.clear()
    yield
    cache.clear()


def page(pdf: bytes, dpi: float) -> Image.Image:
    return pdfium.PdfDocument(pdf)[0].render(scale=dpi / 72).to_pil().convert("L")


def phone_picture(pdf: bytes, *, dpi: float, blur: float, angle: float) -> Image.Image:
    """The page as a phone camera sees a print held slightly askew: out of focus, rotated, ink and paper grey,
    saved as a lossy JPEG."""
    image = page(pdf, dpi).filter(ImageFilter.GaussianBlur(blur))
    image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    image = image.point(lambda value: 45 + value * 170 // 255)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=45)
    return Image.open(buffer)


def scanned(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def certificate_named(given: str, family: str):
    return CertificateFactory(enrolment=issuable_enrolment(learner__given_name=given, learner__family_name=family))


PICTURES = [
    pytest.param({"dpi": 150, "blur": 1.6, "angle": 4}, id="150dpi-blur1.6-4deg"),
    pytest.param({"dpi": 150, "blur": 1.6, "angle": -5}, id="150dpi-blur1.6-minus5deg"),
    pytest.param({"dpi": 100, "blur": 0.9, "angle": 6}, id="100dpi-blur0.9-6deg"),
]


@pytest.mark.parametrize(("given", "family"), NAMES)
def test_the_qr_decodes_from_a_72_dpi_render_to_the_signed_url(given, family):
    certificate = certificate_named(given, family)
    pdf = certificate_pdf(certificate)
    url = verification_url(certificate)

    assert scanned(page(pdf, 72)) == [url]
    slightly_worse = page(pdf, 72).filter(ImageFilter.GaussianBlur(0.6)).rotate(3, Image.BICUBIC, True, fillcolor=255)
    assert scanned(slightly_worse) == [url]
    base, token = url.split("#")
    assert verify_certificate_token(token, verification_id=certificate.verification_id)["name"] == f"{given} {family}"


@pytest.mark.parametrize(("given", "family"), NAMES)
@pytest.mark.parametrize("picture", PICTURES)
def test_the_qr_decodes_from_a_blurred_rotated_phone_picture(given, family, picture):
    certificate = certificate_named(given, family)
    assert scanned(phone_picture(certificate_pdf(certificate), **picture)) == [verification_url(certificate)]


def test_the_symbol_is_version_12_at_most_for_a_long_cyrillic_name():
    certificate = certificate_named("Александра", "Стефановић-Петровић")
    url = verification_url(certificate)
    assert segments_version(segments(url)) <= 12
    assert len(symbol_rows(bytes(certificate.qr_symbol))) <= 17 + 4 * 12


def _old_style_url(real_url: str, seed: int) -> str:
    """A URL of the shape certificates printed before ADR 0017 carried (the id, then a JWS after `#`), its
    characters drawn from a fixed seed: the same symbol version and layout as a real one, the same picture in
    every run (a real JWS changes with the session's signing key, and with it whether a symbol happens to
    survive)."""
    rng = random.Random(seed)
    base, token = real_url.split("#")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    drawn = "".join(character if character == "." else rng.choice(alphabet) for character in token)
    return f"{base}#{drawn}"


def test_the_same_pictures_defeat_the_qr_of_a_jws_token():
    """The degradation is real: QR codes of JWS-token URLs (how certificates printed before ADR 0017 encoded them)
    do not survive it. Six such symbols (fixed contents), each in every picture: at most one picture in six reads.
    If more start reading, the pictures above have become too easy to prove anything."""
    certificate = certificate_named(*NAMES[0])
    item = certificate_print(certificate)
    real = f"{verification_url(certificate, with_token=False)}#{jws_token(certificate)}"
    read = 0
    for seed in range(6):
        old_url = _old_style_url(real, seed)
        assert segments_version(segments(old_url)) >= 15
        pdf = render_certificate_pdf(CertificatePrint(item.snapshot, item.status, old_url), lang="sq")
        assert scanned(page(pdf, 300)) == [old_url]  # a good scan reads it: only the poor copies defeat it
        read += sum(scanned(phone_picture(pdf, **picture.values[0])) == [old_url] for picture in PICTURES)
    assert read <= len(PICTURES)
