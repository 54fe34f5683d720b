"""What was printed never changes: the QR token is made once at issuance, so the same certificate gives the
same PDF bytes even after the signing key rotates and the render cache is gone."""

import datetime

import pytest
from django.core.cache import cache

from credentials.pdf.documents import certificate_pdf
from credentials.services.issuance import certificate_issue
from credentials.signing import generate_signing_key
from credentials.tokens import verification_url, verify_certificate_token
from tests.factories import issuable_enrolment


@pytest.mark.django_db
def test_the_printed_token_is_made_at_issuance_and_survives_a_key_rotation():
    certificate, created = certificate_issue(
        actor=None, enrolment=issuable_enrolment(), awarded_on=datetime.date(2026, 6, 1)
    )
    assert created and certificate.qr_token
    claims = verify_certificate_token(certificate.qr_token, verification_id=certificate.verification_id)
    assert (claims["vid"], claims["sn"]) == (certificate.verification_id, certificate.serial_number)
    assert verification_url(certificate).endswith(f"#{certificate.qr_token}")

    first = certificate_pdf(certificate)
    cache.clear()
    generate_signing_key()  # a rotation between two downloads
    certificate.refresh_from_db()
    assert certificate_pdf(certificate) == first
