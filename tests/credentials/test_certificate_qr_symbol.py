"""The QR symbol is encoded once per certificate, at issuance, and stored with the digest of the URL it encodes;
a print draws the stored modules and never encodes a QR. A print for another URL (PUBLIC_BASE_URL changed)
encodes and stores the symbol anew: never a stale QR."""

from __future__ import annotations

import datetime
import random
from importlib import import_module

import pytest
import qrcode
import zxingcpp
from django.apps import apps
from django.core.cache import cache
from PIL import Image
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from credentials.models import Certificate
from credentials.pdf import qr
from credentials.pdf.documents import certificate_pdf, pdf_cache_key
from credentials.pdf.qr import (
    QR_MASK_PATTERN,
    encode_symbol,
    qr_matrix,
    qr_version,
    segments,
    segments_version,
    symbol_rows,
    text_digest,
)
from credentials.services.issuance import certificate_issue, cohort_issue_certificates
from credentials.services.lifecycle import certificate_reissue
from credentials.tokens import verification_url
from tests import factories
from tests.credentials.test_pdf_render import scan_qr

pytestmark = pytest.mark.django_db

AWARD = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def decode_symbol(symbol: bytes) -> str:
    """Read a stored symbol as a phone would read it printed: black modules on white, quiet zone around."""
    rows = symbol_rows(symbol)
    scale, quiet = 4, 4
    side = (len(rows) + 2 * quiet) * scale
    image = Image.new("L", (side, side), 255)
    for r, row in enumerate(rows):
        for c, bit in enumerate(row):
            if bit == "1":
                x, y = (c + quiet) * scale, (r + quiet) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return code.text


def issued(**kwargs) -> Certificate:
    certificate, created = certificate_issue(
        actor=None, enrolment=factories.issuable_enrolment(**kwargs), awarded_on=AWARD
    )
    assert created
    return Certificate.objects.get(pk=certificate.pk)


@pytest.fixture
def encoding_impossible(monkeypatch):
    """No QR can be encoded in this process: neither our encoder nor the qrcode library's."""

    def refuse(*args, **kwargs):
        raise AssertionError("a QR was encoded while printing")

    monkeypatch.setattr(qr, "encode_symbol", refuse)
    monkeypatch.setattr(qrcode, "QRCode", refuse)
    monkeypatch.setattr(qrcode, "make", refuse)


# --- stored at issuance -------------------------------------------------------------------------------------


def test_the_qr_symbol_is_stored_at_issuance_and_decodes_to_the_verification_url(settings):
    certificate = issued()

    url = verification_url(certificate)
    assert url == f"{settings.PUBLIC_BASE_URL}/v/{certificate.verification_id}#{certificate.qr_token}"
    assert decode_symbol(bytes(certificate.qr_symbol)) == url
    assert certificate.qr_symbol_digest == text_digest(url)


def test_a_cohort_issued_in_bulk_and_a_reissue_store_their_symbols_too(provider_user, provider):
    cohort = factories.issuable_enrolment(provider=provider).cohort
    factories.issuable_enrolment(provider=provider, curriculum=cohort.curriculum, cohort=cohort)

    result = cohort_issue_certificates(actor=provider_user, cohort=cohort, awarded_on=AWARD)
    old = result.issued[0]
    new = certificate_reissue(
        actor=provider_user, certificate=old, given_name="Arta", family_name="Berisha", reason="typo in the name"
    )

    for certificate in Certificate.objects.filter(pk__in=[c.pk for c in result.issued] + [new.pk]):
        assert decode_symbol(bytes(certificate.qr_symbol)) == verification_url(certificate)
        assert certificate.qr_symbol_digest == text_digest(verification_url(certificate))


# --- drawn, never encoded, when printed ---------------------------------------------------------------------


def test_a_print_draws_the_stored_symbol_and_encodes_no_qr(encoding_impossible, provider_client, provider):
    certificate = issued(provider=provider)

    pdf = certificate_pdf(certificate)
    downloaded = provider_client.get(f"/api/v1/certificates/{certificate.pk}/pdf?lang=en")

    assert [code.text for code in scan_qr(pdf)] == [verification_url(certificate)]
    assert downloaded.status_code == 200
    assert [code.text for code in scan_qr(downloaded.content)] == [verification_url(certificate)]


def test_the_stored_symbol_prints_exactly_what_encoding_at_print_time_printed():
    """Drawing the stored modules gives the same bytes as the render that encoded the QR itself."""
    from credentials.pdf.documents import certificate_print
    from credentials.pdf.render import CertificatePrint, render_certificate_pdf

    certificate = issued()
    stored = certificate_print(certificate)
    encoded_now = CertificatePrint(
        snapshot=stored.snapshot, status=stored.status, verification_url=stored.verification_url
    )

    assert render_certificate_pdf(stored, lang="sq") == render_certificate_pdf(encoded_now, lang="sq")


# --- another base URL ---------------------------------------------------------------------------------------


def test_a_changed_public_base_url_prints_a_new_qr_never_the_stale_one(settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    certificate = issued()
    first_symbol = bytes(certificate.qr_symbol)
    certificate_pdf(certificate)  # rendered and cached for the old address

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8101"  # `make run PORT=8101`, same database and cache
    certificate = Certificate.objects.get(pk=certificate.pk)
    pdf = certificate_pdf(certificate)

    (code,) = scan_qr(pdf)
    assert code.text.startswith(f"http://127.0.0.1:8101/v/{certificate.verification_id}#")
    assert code.text == verification_url(certificate)
    stored = Certificate.objects.get(pk=certificate.pk)  # encoded once more, and kept for the next prints
    assert decode_symbol(bytes(stored.qr_symbol)) == code.text
    assert stored.qr_symbol_digest == text_digest(code.text)
    assert bytes(stored.qr_symbol) != first_symbol
    assert stored.qr_token == certificate.qr_token  # the signed token is the one made at issuance

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # and back: the first address's QR again
    back = Certificate.objects.get(pk=certificate.pk)
    assert [c.text for c in scan_qr(certificate_pdf(back))] == [verification_url(back)]
    assert verification_url(back).startswith("http://127.0.0.1:8000/v/")
    assert bytes(Certificate.objects.get(pk=certificate.pk).qr_symbol) == first_symbol


def test_the_render_cache_is_keyed_by_the_url_the_qr_encodes(settings):
    certificate = factories.CertificateFactory()
    key = pdf_cache_key(certificate, "sq")

    settings.PUBLIC_BASE_URL = "https://registry.example.org"

    assert pdf_cache_key(certificate, "sq") != key


# --- existing certificates ----------------------------------------------------------------------------------


def test_the_migration_stores_the_symbol_of_every_existing_certificate():
    migration = import_module("credentials.migrations.0007_certificate_qr_symbol")
    certificates = [factories.CertificateFactory() for _ in range(3)]
    tokenless = factories.CertificateFactory()
    Certificate.objects.update(qr_symbol=b"", qr_symbol_digest="")  # as the new columns leave them
    Certificate.objects.filter(pk=tokenless.pk).update(qr_token="")  # made before tokens were stored

    migration.encode_existing_symbols(apps, None)

    for certificate in certificates:
        stored = Certificate.objects.get(pk=certificate.pk)
        assert decode_symbol(bytes(stored.qr_symbol)) == verification_url(stored)
        assert stored.qr_symbol_digest == text_digest(verification_url(stored))
    untouched = Certificate.objects.get(pk=tokenless.pk)
    assert (bytes(untouched.qr_symbol), untouched.qr_symbol_digest) == (b"", "")

    # Its first print gives it a token and a symbol, both kept: every later print is the same.
    first = certificate_pdf(untouched)
    kept = Certificate.objects.get(pk=tokenless.pk)
    assert kept.qr_token and decode_symbol(bytes(kept.qr_symbol)) == verification_url(kept)
    cache.clear()
    assert certificate_pdf(Certificate.objects.get(pk=tokenless.pk)) == first


# --- the encoder --------------------------------------------------------------------------------------------


def _library_matrix(text: str) -> list[list[bool]]:
    """The qrcode library's symbol of the same segments (byte and alphanumeric runs) and version."""
    parts = segments(text)
    code = qrcode.QRCode(
        version=segments_version(parts), error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK_PATTERN
    )
    for mode, data in parts:
        code.add_data(util.QRData(data, mode=mode))
    code.make(fit=False)
    return code.get_matrix()


def test_a_verification_url_is_byte_segments_around_alphanumeric_runs():
    token = "AIGDENRRGEWWKYLCGVRDKEKUIVJVILJSGAZDMLJQ"
    url = f"https://regjistri.rks-gov.net/v/7M3QK2XW9TDR4HB6NPZ8YC1VJ0#{token}"
    assert segments(url) == [
        (util.MODE_8BIT_BYTE, b"https://regjistri.rks-gov.net/v"),
        (util.MODE_ALPHA_NUM, b"/7M3QK2XW9TDR4HB6NPZ8YC1VJ0"),
        (util.MODE_8BIT_BYTE, b"#"),
        (util.MODE_ALPHA_NUM, token.encode()),
    ]
    assert segments("ABC") == [(util.MODE_8BIT_BYTE, b"ABC")]  # a short run is not worth a segment
    assert segments("") == [(util.MODE_8BIT_BYTE, b"")]
    assert decode_symbol(encode_symbol(url)) == url


def test_mixed_segments_give_the_qrcode_librarys_symbol_module_for_module():
    rng = random.Random(12)
    for length in (20, 21, 57, 150, 240, 300, 640, 1500):  # odd and even runs, versions 2 to 40
        token = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(length))
        for prefix in ("https://regjistri.rks-gov.net/v/2YXM000000000000000000000C#", "ë", ""):
            text = prefix + token
            assert qr_matrix(text) == _library_matrix(text), (prefix, length)


def test_the_encoder_gives_the_qrcode_librarys_symbol_module_for_module_in_every_version():
    rng = random.Random(11)
    alphabet = "abcdefXYZ0123456789#/:.-_~ëçЂж"
    lengths = {1, 17, 300, 485, 504, 505}
    for version in range(1, 41):  # the largest byte count each version holds: full, no padding
        count_bits = util.length_in_bits(util.MODE_8BIT_BYTE, version)
        lengths.add((util.BIT_LIMIT_TABLE[ERROR_CORRECT_M][version] - 4 - count_bits) // 8)
    for length in sorted(lengths):
        text = "".join(rng.choice(alphabet) for _ in range(length)).encode("utf-8")[:length].decode("utf-8", "ignore")
        assert qr_matrix(text) == _library_matrix(text), f"{len(text.encode())} bytes"


def test_a_symbol_is_its_width_then_one_bit_per_module():
    symbol = encode_symbol("https://registry.example.org/v/5EED0000000000000000000001")

    width = symbol[0]
    assert width == 17 + 4 * qr_version(len(b"https://registry.example.org/v/5EED0000000000000000000001"))
    assert len(symbol) == 1 + -(-width * width // 8)
