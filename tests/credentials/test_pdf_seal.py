"""The seal on every certificate PDF (credentials/pdf/seal.py, ADR 0013): pyHanko's own validator (and poppler's
pdfsig, when installed) finds the registry's PAdES signature intact on the PDF the API serves and broken after a
one-byte change; the same certificate seals to the same bytes; the key and certificate come from configuration;
`ensure_signing_key` makes a self-signed development pair."""

from __future__ import annotations

import copy
import datetime
import io
import shutil
import subprocess

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.cache import cache
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from credentials.pdf import sample
from credentials.pdf import seal as seal_module
from credentials.pdf.documents import certificate_pdf, certificates_merged_pdf
from credentials.pdf.render import CertificatePrint, render_certificate_pdf
from credentials.pdf.seal import FIELD_NAME, SealError, load_seal, make_self_signed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def trusting(certificate: x509.Certificate) -> ValidationContext:
    """A validation context that trusts the seal certificate (as a reader would once the registry's
    certificate, or its CA, is trusted)."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])


def validate(pdf: bytes, certificate: x509.Certificate | None = None):
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    return signatures[0], validate_pdf_signature(signatures[0], trusting(certificate or load_seal().certificate))


def flip_a_byte(pdf: bytes, marker: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[pdf.index(marker) + len(marker) + 1] ^= 0x01
    return bytes(changed)


def test_the_served_pdf_carries_the_registry_seal_intact_over_the_whole_file(client_for):
    certificate = factories.CertificateFactory()
    user = factories.UserFactory(organisation=certificate.provider)

    pdf = client_for(user).get(f"/api/v1/certificates/{certificate.pk}/pdf").content

    embedded, status = validate(pdf)
    assert embedded.field_name == FIELD_NAME
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.sha256 == load_seal().certificate.fingerprint(hashes.SHA256())
    # A certification signature that allows no change: readers flag anything appended later.
    assert embedded.docmdp_level == MDPPerm.NO_CHANGES
    # PAdES baseline: ETSI.CAdES.detached, no signing time inside the CMS, the time in /M instead.
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "signing_time" not in embedded.signer_info["signed_attrs"].native
    assert embedded.self_reported_timestamp == datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC)


@pytest.mark.parametrize("marker", [b"/Title", b"stream\n", b"/M (D\\072"])
def test_one_changed_byte_breaks_the_seal(marker):
    pdf = certificate_pdf(factories.CertificateFactory())

    _, status = validate(flip_a_byte(pdf, marker))

    assert not status.intact
    assert not status.bottom_line


def test_the_same_certificate_seals_to_the_same_bytes():
    certificate = factories.CertificateFactory()

    first = certificate_pdf(certificate)
    cache.clear()
    second = certificate_pdf(certificate)

    assert first == second
    assert b"/ETSI.CAdES.detached" in first


def test_the_sample_certificate_is_sealed_intact_and_breaks_after_one_byte(tmp_path):
    """The layout sample (`python -m credentials.pdf.sample`, docs/img/certificate-sample.png)."""
    sample.main([str(tmp_path / "sample.pdf")])
    pdf = (tmp_path / "sample.pdf").read_bytes()

    assert validate(pdf)[1].bottom_line
    assert not validate(flip_a_byte(pdf, b"stream\n"))[1].intact


def test_a_cohort_pdf_is_sealed_too():
    certificate = factories.CertificateFactory()

    pdf = certificates_merged_pdf([certificate], cohort_code="C-1")

    assert validate(pdf)[1].bottom_line


def test_text_that_imitates_the_signature_placeholders_is_printed_not_filled():
    """The byte range and the signature are written where reportlab put the signature dictionary, never where a
    name or a provider's name (written as plain text in the document information) repeats their placeholders."""
    seal = load_seal()
    fake = "/ByteRange [0 0000000000 0000000000 0000000000] /Contents <" + "0" * seal.bytes_reserved + ">"
    snapshot = copy.deepcopy(sample.SAMPLE_SNAPSHOT)
    snapshot["holder"]["full_name"] = snapshot["provider"]["name"] = fake
    item = CertificatePrint(snapshot=snapshot, status="valid", verification_url=sample.sample_url())

    pdf = render_certificate_pdf(item, lang="en")

    embedded, status = validate(pdf)
    assert status.bottom_line and status.coverage.name == "ENTIRE_FILE"
    assert pdf.count(fake.encode()) == 2  # the document's /Title (the holder) and /Author, left as written
    assert embedded.sig_object["/ByteRange"][1] != 0


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")
def test_poppler_pdfsig_finds_the_signature_valid_and_a_changed_copy_invalid(tmp_path):
    pdf = certificate_pdf(factories.CertificateFactory())
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(pdf)
    bad.write_bytes(flip_a_byte(pdf, b"/Title"))

    pdfsig = shutil.which("pdfsig")
    report = subprocess.run([pdfsig, str(good)], capture_output=True, text=True, check=False).stdout  # noqa: S603
    broken = subprocess.run([pdfsig, str(bad)], capture_output=True, text=True, check=False).stdout  # noqa: S603

    assert "Signature Field Name: RegistrySeal" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." not in broken


# --- where the key comes from -------------------------------------------------------------------------------


def rsa_pair(common_name: str, not_before: datetime.datetime) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def test_an_rsa_seal_given_as_pem_text_signs_and_a_rotation_never_dates_the_seal_before_its_certificate(settings):
    not_before = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    certificate_pem, key_pem = rsa_pair("Registry seal 2027", not_before)
    settings.SEAL_CERTIFICATE_FILE = settings.SEAL_PRIVATE_KEY_FILE = ""
    settings.SEAL_CERTIFICATE_PEM, settings.SEAL_PRIVATE_KEY_PEM = certificate_pem.decode(), key_pem.decode()
    certificate = factories.CertificateFactory()  # issued 2026-06-02, before the new certificate

    pdf = certificate_pdf(certificate)

    embedded, status = validate(pdf, x509.load_pem_x509_certificate(certificate_pem))
    assert status.bottom_line
    assert status.md_algorithm == "sha256"
    assert embedded.self_reported_timestamp == not_before
    assert certificate_pdf(certificate) == pdf


def test_a_key_that_does_not_match_the_certificate_is_refused_without_showing_the_key(settings, tmp_path):
    certificate_pem, _ = make_self_signed("One")
    _, other_key = make_self_signed("Two")
    (tmp_path / "c.pem").write_bytes(certificate_pem)
    (tmp_path / "k.pem").write_bytes(other_key)
    settings.SEAL_CERTIFICATE_FILE, settings.SEAL_PRIVATE_KEY_FILE = str(tmp_path / "c.pem"), str(tmp_path / "k.pem")

    with pytest.raises(SealError, match="does not belong") as raised:
        load_seal()
    assert "PRIVATE KEY" not in str(raised.value)


def test_an_unreadable_key_is_refused_without_quoting_it(settings, tmp_path):
    certificate_pem, _ = make_self_signed()
    settings.SEAL_CERTIFICATE_FILE = settings.SEAL_PRIVATE_KEY_FILE = ""
    settings.SEAL_CERTIFICATE_PEM = certificate_pem.decode()
    settings.SEAL_PRIVATE_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END PRIVATE KEY-----\n"

    with pytest.raises(SealError) as raised:
        load_seal()
    assert "c2VjcmV0" not in str(raised.value)


def test_without_a_configured_seal_ensure_signing_key_makes_a_development_pair_once(settings, capsys):
    settings.SEAL_CERTIFICATE_FILE = settings.SEAL_PRIVATE_KEY_FILE = ""
    with pytest.raises(SealError, match="ensure_signing_key"):
        load_seal()

    call_command("ensure_signing_key")
    made = capsys.readouterr().out
    call_command("ensure_signing_key")
    again = capsys.readouterr().out

    assert "self-signed development seal" in made
    assert again == ""
    key_file = settings.SIGNING_KEYS_DIR / seal_module.SEAL_KEY_NAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    seal = load_seal()
    assert seal.certificate.subject == seal.certificate.issuer  # self-signed
    assert validate(certificate_pdf(factories.CertificateFactory()), seal.certificate)[1].bottom_line


def test_ensure_signing_key_leaves_a_configured_seal_alone(settings):
    call_command("ensure_signing_key")

    assert not (settings.SIGNING_KEYS_DIR / seal_module.SEAL_CERTIFICATE_NAME).exists()
