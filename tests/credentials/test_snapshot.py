import pytest

from tests.factories import CertificateFactory


@pytest.mark.django_db
def test_factory_certificate_snapshot_prints_what_the_catalogue_said():
    cert = CertificateFactory()
    snap = cert.snapshot
    assert snap["holder"]["full_name"] == cert.enrolment.learner.full_name
    assert snap["qualification"]["hours_theory"] == 600
    assert sum(m["hours_practice"] for m in snap["modules"]) == 600
    assert snap["serial_number"] == cert.serial_number
