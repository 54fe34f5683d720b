"""`manage.py verify_certificate`: a PDF (its QR read back), a scanned text, and offline against a JWKS."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import CommandError, call_command

from credentials.models import VerificationEvent
from credentials.pdf.documents import certificate_pdf
from credentials.services.lifecycle import certificate_revoke
from credentials.signing import b64url_encode, canonical_json, generate_signing_key, public_jwks
from credentials.tokens import jws_token, verification_url
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    return factories.CertificateFactory()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("verify_certificate", *args, stdout=out)
    return out.getvalue()


def test_a_pdf_is_read_through_its_qr_code_and_every_check_printed(tmp_path, certificate):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(certificate))
    out = _run(str(path))
    assert certificate.serial_number in out and "Ardita Krasniqi" in out
    for check in ("signature", "status", "accreditation", "equivalency", "token"):
        assert check in out
    assert "VALID" in out
    assert VerificationEvent.objects.get().channel == "qr"


def test_a_revoked_certificate_fails_loudly(certificate):
    certificate_revoke(actor=None, certificate=certificate, reason_code="fraud", reference="X")
    with pytest.raises(CommandError, match="status_revoked"):
        _run(verification_url(certificate))


def test_a_scanned_text_or_bare_id(certificate):
    assert "VALID" in _run(certificate.verification_id.lower())
    with pytest.raises(CommandError, match="not_found"):
        _run("0BV7Q3M9XKZ1P4R8T2W6Y5C0DE")
    with pytest.raises(CommandError, match="foreign_qr"):
        _run("HC1:NCFOXN%TS3DH")


def test_a_token_whose_claims_differ_from_the_record_fails(certificate):
    other = factories.CertificateFactory()
    with pytest.raises(CommandError, match="token_claims_mismatch"):  # a JWS, as printed before ADR 0017
        _run(f"{verification_url(certificate, with_token=False)}#{jws_token(other)}")
    with pytest.raises(CommandError, match="token_bad_signature"):  # a compact token signs its URL's id
        _run(f"{verification_url(certificate, with_token=False)}#{other.qr_token}")


def test_offline_checks_the_token_against_a_saved_jwks_without_the_database(
    tmp_path, certificate, django_assert_num_queries
):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    url = verification_url(certificate)
    with django_assert_num_queries(0):
        out = _run(url, "--offline", "--jwks", str(jwks))
    assert "SIGNATURE VALID" in out and certificate.serial_number in out and "skipped" in out.lower()


def test_offline_fails_loudly_on_an_altered_compact_token(tmp_path, certificate):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    base, token = verification_url(certificate).split("#")
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[20] ^= 0x01
    altered = base64.b32encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(CommandError, match="token_bad_signature"):
        _run(f"{base}#{altered}", "--offline", "--jwks", str(jwks))


def test_offline_fails_loudly_on_unknown_key_altered_token_and_key_outside_its_period(tmp_path, certificate):
    url = f"{verification_url(certificate, with_token=False)}#{jws_token(certificate)}"  # printed before ADR 0017
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"keys": []}))
    with pytest.raises(CommandError, match="token_unknown_kid"):
        _run(url, "--offline", "--jwks", str(empty))

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    base, token = url.split("#")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    altered = f"{header}.{b64url_encode(canonical_json({**claims, 'name': 'Someone Else'}))}.{signature}"
    with pytest.raises(CommandError, match="token_bad_signature"):
        _run(f"{base}#{altered}", "--offline", "--jwks", str(jwks))

    # The JWKS says the key stopped being used before the token claims it was signed.
    published = public_jwks()
    for key in published["keys"]:
        key["exp"] = claims["iat"] - 3600
    jwks.write_text(json.dumps(published))
    with pytest.raises(CommandError, match="token_key_not_valid_at_iat"):
        _run(url, "--offline", "--jwks", str(jwks))


def test_after_a_key_rotation_old_tokens_still_verify_offline(tmp_path, certificate):
    url = verification_url(certificate)
    generate_signing_key()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    assert "SIGNATURE VALID" in _run(url, "--offline", "--jwks", str(jwks))


def test_offline_needs_a_token_and_a_jwks(tmp_path, certificate):
    with pytest.raises(CommandError, match="--jwks"):
        _run(verification_url(certificate), "--offline")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    with pytest.raises(CommandError, match="token_missing"):
        _run(verification_url(certificate, with_token=False), "--offline", "--jwks", str(jwks))


def test_a_pdf_without_a_qr_code(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "No QR code here")
    canvas.save()
    path = tmp_path / "blank.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(CommandError, match="no QR code"):
        _run(str(path))


def test_offline_prints_the_qualification_title_never_none(
    tmp_path, certificate, anon_client, django_assert_num_queries
):
    """The token signs the qualification's code, not its title (kept out to keep the QR small): the title comes
    from the public catalogue saved to a file, as the keys come from the saved JWKS."""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    catalogue = tmp_path / "qualifications.json"
    catalogue.write_bytes(anon_client.get("/api/v1/qualifications", {"page_size": 100}).content)
    code = certificate.qualification.code
    url = verification_url(certificate)
    with django_assert_num_queries(0):
        out = _run(url, "--offline", "--jwks", str(jwks), "--catalogue", str(catalogue))
    assert f"Assistant for children/pupils with special educational needs ({code}, EQF 5)" in out
    assert "None" not in out
    without = _run(url, "--offline", "--jwks", str(jwks))
    assert "None" not in without and f"Qualification {code} (EQF 5); pass --catalogue FILE for its title" in without


def test_the_catalogue_is_for_offline_checks_only(tmp_path, certificate):
    catalogue = tmp_path / "qualifications.json"
    catalogue.write_text("[]")
    with pytest.raises(CommandError, match="--offline"):
        _run(verification_url(certificate), "--catalogue", str(catalogue))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks()))
    catalogue.write_text("not json")
    with pytest.raises(CommandError, match="cannot read the catalogue"):
        _run(verification_url(certificate), "--offline", "--jwks", str(jwks), "--catalogue", str(catalogue))
