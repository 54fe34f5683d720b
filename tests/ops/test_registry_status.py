"""`manage.py registry_status`: counts, signing key and PDF seal status, without personal data."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from credentials.models import VerificationEvent
from credentials.signing import generate_signing_key
from registry.models import Accreditation, Qualification
from tests import factories

pytestmark = pytest.mark.django_db


def _status(*args) -> str:
    out = io.StringIO()
    call_command("registry_status", *args, stdout=out)
    return out.getvalue()


def test_counts_what_the_registry_holds():
    certificate = factories.CertificateFactory()
    factories.CertificateFactory(status="revoked", status_reason_code="fraud")
    recent = VerificationEvent.objects.create(certificate=certificate, outcome="valid", channel="api")
    old = VerificationEvent.objects.create(certificate=certificate, outcome="not_found", channel="page")
    VerificationEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert recent.pk

    Accreditation.objects.update(status="expired")
    today = timezone.localdate()
    factories.AccreditationFactory(valid_from=today, valid_until=today + datetime.timedelta(days=1))
    factories.AccreditationFactory(valid_from=today - datetime.timedelta(days=9), valid_until=today, status="suspended")

    data = json.loads(_status("--json"))

    assert data["certificates"] == {"total": 2, "valid": 1, "suspended": 0, "revoked": 1, "superseded": 0}
    assert data["verifications_last_24h"]["total"] == 1
    assert data["verifications_last_24h"]["valid"] == 1
    assert data["learners"] == 2
    assert data["accreditations_in_force"] == 1
    assert data["organisations"]["provider"] >= 2
    assert sum(data["qualifications"].values()) == Qualification.objects.count() >= 4


def test_no_personal_data_in_the_output():
    certificate = factories.CertificateFactory()
    learner = certificate.learner
    text = _status() + _status("--json")
    for value in (learner.personal_number, learner.family_name, str(learner.date_of_birth), certificate.serial_number):
        assert value not in text


def test_reports_the_active_and_retired_keys():
    first = json.loads(_status("--json"))["signing"]
    rotated_to = generate_signing_key()
    after = json.loads(_status("--json"))["signing"]

    assert first["ok"] and first["active_age_days"] == 0 and first["retired"] == []
    assert after["active_kid"] == rotated_to
    assert [entry["kid"] for entry in after["retired"]] == [first["active_kid"]]
    text = _status()
    assert f"active key {rotated_to}, 0 days old" in text
    assert f"retired key {first['active_kid']}" in text


def test_fails_when_no_key_can_sign(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "empty"
    out = io.StringIO()
    with pytest.raises(CommandError, match="cannot be signed"):
        call_command("registry_status", stdout=out)
    assert "NO ACTIVE KEY" in out.getvalue()
    assert "certificates" in out.getvalue()


def test_reports_the_pdf_seal():
    seal = json.loads(_status("--json"))["seal"]

    assert seal["ok"] and seal["self_signed"] and seal["subject"].startswith("CN=Test seal,")
    assert seal["days_left"] > 365
    assert "(self-signed, for development), valid until 2100-01-01" in _status()


def test_fails_when_the_pdf_seal_is_missing(settings):
    settings.SEAL_CERTIFICATE_FILE = settings.SEAL_PRIVATE_KEY_FILE = ""  # and none in SIGNING_KEYS_DIR
    out = io.StringIO()
    with pytest.raises(CommandError, match="cannot be sealed"):
        call_command("registry_status", stdout=out)
    assert "NOT USABLE: no seal certificate" in out.getvalue()
