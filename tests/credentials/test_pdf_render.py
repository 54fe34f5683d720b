"""The printed certificate (credentials/pdf): every name prints and extracts back as text, the QR decodes
(as a phone would: page -> 150 dpi image -> zxing) to the signed verification URL, what is printed comes
only from the frozen snapshot, and the same input gives the same bytes."""

from __future__ import annotations

import copy
import datetime
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import qrcode
import zxingcpp
from django.core.cache import cache
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M

from core.errors import DomainError
from credentials.pdf import documents, render
from credentials.pdf.documents import certificate_pdf, certificate_print, parse_language
from credentials.pdf.qr import qr_matrix, qr_version
from credentials.pdf.render import CertificatePrint, human_code, render_certificate_pdf, render_certificates_pdf
from credentials.services.lifecycle import certificate_revoke, certificate_suspend
from credentials.tokens import verification_url, verify_certificate_token
from tests import factories
from tests.factories import CertificateFactory, issuable_enrolment

pytestmark = pytest.mark.django_db

DPI = 150


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def certificate_for(given: str, family: str, **kwargs):
    return CertificateFactory(
        enrolment=issuable_enrolment(learner__given_name=given, learner__family_name=family), **kwargs
    )


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace as one space (wrapped lines read on)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def scan_qr(pdf: bytes, page: int = 0):
    """Render the page as a phone camera would see a print, and decode every QR code on it (a phone's QR
    scanner looks for QR codes only; a 1D reader may take a run of printed text for a barcode)."""
    image = pdfium.PdfDocument(pdf)[page].render(scale=DPI / 72).to_pil()
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


# --- names and text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Đorđe", "Čolić"),
        ("Ђорђе", "Јовановић"),
        ("Çlirim", "Shkëmbi"),
        ("Šćepan", "Žižić"),
    ],
)
def test_every_name_prints_and_extracts_back_exactly(given, family):
    certificate = certificate_for(given, family)

    first_page, transcript = pages_text(certificate_pdf(certificate))

    assert f"{given} {family}" in first_page
    assert f"{given} {family}" in transcript


def test_albanian_and_serbian_titles_print_with_their_letters():
    certificate = CertificateFactory()

    sq = pages_text(certificate_pdf(certificate, lang="sq"))[0]
    sr = pages_text(certificate_pdf(certificate, lang="sr"))[0]

    assert "CERTIFIKATË" in sq and "CERTIFICATE" in sq
    assert "Asistent për fëmijë/nxënës me nevoja të veçanta arsimore" in sq
    assert "REPUBLIKA E KOSOVËS" in sq
    assert "SERTIFIKAT" in sr and "CERTIFICATE" in sr
    assert "Asistent za decu/učenike sa posebnim obrazovnim potrebama" in sr
    assert "Ovim se potvrđuje da je" in sr


def test_the_certificate_page_prints_every_fact_of_the_snapshot():
    certificate = CertificateFactory()
    snap = certificate.snapshot

    text = pages_text(certificate_pdf(certificate))[0]

    q = snap["qualification"]
    assert q["code"] in text
    assert f"KKK {q['nqf_level']} · KEK {q['eqf_level']}" in text
    assert f"{q['hours_theory']} + {q['hours_practice']} = {q['hours_theory'] + q['hours_practice']} orë" in text
    assert str(q["credits"]) in text
    assert snap["provider"]["name"] in text
    assert snap["awarding_body"]["name"] in text
    assert f"Vendimi nr. {snap['accreditation']['decision_number']}, {snap['accreditation']['agent']['name']}" in text
    assert "01.06.2026" in text  # awarded_on
    assert "02.06.2026" in text  # issued_on
    assert certificate.serial_number in text
    assert "Ekuivalenca" not in text  # no equivalency on this one


def test_an_equivalency_decision_prints_when_the_certificate_has_one():
    equivalency = factories.EquivalencyFactory(decision_number="MESTI-EQ-2024-017")
    curriculum = factories.CurriculumFactory(qualification=equivalency.qualification)
    certificate = CertificateFactory(enrolment=issuable_enrolment(curriculum=curriculum), equivalency=equivalency)

    text = pages_text(certificate_pdf(certificate, lang="en"))[0]

    assert "Equivalency" in text
    assert "Decision no. MESTI-EQ-2024-017 of 1 Sep 2023" in text
    assert f"equivalent to {equivalency.equivalent_to.code}" in text
    assert "(GB)" in text  # the foreign awarding body's country


def test_the_transcript_lists_modules_with_hours_credits_and_outcomes():
    certificate = CertificateFactory()

    transcript = pages_text(certificate_pdf(certificate))[1]

    assert "TRANSKRIPTI" in transcript
    for module in certificate.snapshot["modules"]:
        assert module["code"] in transcript
        assert module["title"] in transcript
    assert "Kaloi" in transcript  # outcome "pass"
    assert "Gjithsej" in transcript
    q = certificate.snapshot["qualification"]
    assert f"{q['hours_theory']}" in transcript and f"{q['hours_practice']}" in transcript


def test_a_long_transcript_continues_on_a_further_page():
    certificate = CertificateFactory()
    snapshot = copy.deepcopy(certificate.snapshot)
    template = snapshot["modules"][0]
    snapshot["modules"] = [{**template, "code": f"X{i:02d}", "title": f"Moduli {i}"} for i in range(40)]
    item = CertificatePrint(snapshot=snapshot, status="valid", verification_url=verification_url(certificate))

    pages = pages_text(render_certificate_pdf(item, lang="sq"))

    assert len(pages) >= 3
    assert "X00" in pages[1] and "X39" in pages[-1]
    assert "Faqja 3" in pages[2]


def test_what_is_printed_comes_from_the_snapshot_not_todays_records():
    certificate = certificate_for("Ardita", "Krasniqi")
    learner, qualification = certificate.learner, certificate.qualification
    learner.given_name, learner.family_name = "Changed", "Later"
    learner.save()
    qualification.title_sq = "Titull i ri"
    qualification.save()
    certificate.refresh_from_db()

    text = "\n".join(pages_text(certificate_pdf(certificate)))

    assert "Ardita Krasniqi" in text
    assert "Changed" not in text and "Titull i ri" not in text


# --- the QR --------------------------------------------------------------------------------------------------


def test_the_qr_decodes_as_a_phone_would_to_the_exact_verification_url():
    certificate = certificate_for("Đorđe", "Čolić")
    item = certificate_print(certificate)

    codes = scan_qr(render_certificate_pdf(item, lang="sq"))

    assert [code.text for code in codes] == [item.verification_url]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode
    assert codes[0].ec_level == "M"
    base, token = item.verification_url.split("#")
    assert base == verification_url(certificate, with_token=False)
    assert (
        verify_certificate_token(token, verification_id=certificate.verification_id)["sn"] == certificate.serial_number
    )


def test_the_qr_prints_at_least_35_mm_wide():
    pdf = render_certificate_pdf(certificate_print(CertificateFactory()), lang="sq")

    (code,) = scan_qr(pdf)

    corners = code.position
    width_px = max(corners.top_right.x, corners.bottom_right.x) - min(corners.top_left.x, corners.bottom_left.x)
    assert width_px / DPI * 25.4 >= 35


def test_under_the_qr_the_plain_url_and_a_short_code():
    certificate = CertificateFactory()
    item = certificate_print(certificate)

    text = pages_text(render_certificate_pdf(item, lang="sq"))[0]

    assert verification_url(certificate, with_token=False) in text
    assert "#" not in text  # the signed token is only in the QR
    assert human_code(certificate.verification_id) in text


def test_the_short_code_is_the_verification_id_in_blocks():
    vid = "5EED0000000000000000000001"
    assert human_code(vid) == "5EED-0000-0000-0000-0000-000-001"
    assert human_code(vid).replace("-", "") == vid


def test_the_qr_version_is_the_smallest_that_holds_the_url():
    for length in (20, 300, 450, 504, 505, 700):
        data = b"h" * length
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
        reference.add_data(data, optimize=0)
        assert qr_version(length) == reference.best_fit()
        assert len(qr_matrix(data.decode())) == 17 + 4 * qr_version(length)


# --- status -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda c: certificate_revoke(actor=None, certificate=c, reason_code="fraud", reference="R-1"), "REVOKUAR"),
        (lambda c: certificate_suspend(actor=None, certificate=c, reason_code="other", reference="S-1"), "PEZULLUAR"),
    ],
)
def test_a_certificate_no_longer_valid_is_marked_on_every_page_and_its_qr_still_scans(change, words):
    certificate = CertificateFactory()
    valid_pages = pages_text(certificate_pdf(certificate))
    change(certificate)
    certificate.refresh_from_db()
    item = certificate_print(certificate)

    pdf = render_certificate_pdf(item, lang="sq")

    assert all(words not in page for page in valid_pages)
    assert all(words in page for page in pages_text(pdf))
    assert [code.text for code in scan_qr(pdf)] == [item.verification_url]


def test_superseded_is_marked_in_serbian_and_english():
    certificate = CertificateFactory(status="superseded")

    first_page = pages_text(certificate_pdf(certificate, lang="sr"))[0]

    assert "ZAMENJEN" in first_page and "SUPERSEDED" in first_page


# --- bytes, metadata, fonts ---------------------------------------------------------------------------------


def test_the_same_certificate_gives_the_same_bytes():
    item = certificate_print(CertificateFactory())

    assert render_certificate_pdf(item, lang="sq") == render_certificate_pdf(item, lang="sq")
    assert render_certificate_pdf(item, lang="sq") != render_certificate_pdf(item, lang="sr")


def test_metadata_is_filled_and_the_creation_date_is_the_issue_date():
    certificate = certificate_for("Đorđe", "Čolić")

    meta = PdfReader(io.BytesIO(certificate_pdf(certificate))).metadata

    assert meta.title == f"Certifikata {certificate.serial_number} — Đorđe Čolić"
    assert meta.author == certificate.snapshot["provider"]["name"]
    assert meta.subject == certificate.snapshot["qualification"]["title"]["sq"]
    assert meta.creation_date.date() == datetime.date(2026, 6, 2)


def test_the_fonts_are_embedded_dejavu_subsets():
    reader = PdfReader(io.BytesIO(certificate_pdf(CertificateFactory())))

    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded TrueType
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}


def test_the_fonts_ship_in_the_package_with_their_licence():
    fonts = Path(render.__file__).parent / "fonts"
    assert (fonts / "DejaVuSans.ttf").stat().st_size > 100_000
    assert (fonts / "DejaVuSans-Bold.ttf").stat().st_size > 100_000
    assert "Bitstream" in (fonts / "LICENSE").read_text()


# --- languages, cache, bulk ---------------------------------------------------------------------------------


def test_languages_are_sq_sr_en_and_anything_else_is_refused_with_a_code():
    assert parse_language(None) == "sq"
    assert parse_language("sr") == "sr"
    with pytest.raises(DomainError) as refused:
        parse_language("de")
    assert refused.value.code == "unsupported_language"
    assert "lang" in refused.value.fields


def test_a_render_is_cached_per_status_and_language():
    certificate = CertificateFactory()

    first = certificate_pdf(certificate)

    valid_key = documents.pdf_cache_key(certificate, "sq")
    assert cache.get(valid_key) == first
    assert cache.get(documents.pdf_cache_key(certificate, "sr")) is None
    certificate.status = "suspended"
    assert documents.pdf_cache_key(certificate, "sq") != valid_key
    assert "PEZULLUAR" in pages_text(certificate_pdf(certificate))[0]


def test_several_certificates_merge_into_one_printable_pdf():
    items = [certificate_print(certificate_for(name, "Berisha")) for name in ("Arta", "Besa", "Drita")]

    pdf = render_certificates_pdf(items, lang="sq", cohort_code="C-7")

    pages = pages_text(pdf)
    assert len(pages) == 6
    assert ["Arta Berisha" in pages[0], "Besa Berisha" in pages[2], "Drita Berisha" in pages[4]] == [True] * 3
    assert [code.text for code in scan_qr(pdf, page=2)] == [items[1].verification_url]
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Certifikatat e kohortës C-7"
