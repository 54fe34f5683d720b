"""A serial number + date of birth check compares with the date the certificate was issued for.

Before: the check read the learner's record as it is today, so a provider could PATCH a learner's date of
birth (unaudited) and make an issued certificate "match" somebody else's date."""

import datetime
import importlib

import pytest
from django.apps import apps

from credentials.date_of_birth import date_of_birth_digest, date_of_birth_matches
from credentials.models import Certificate
from credentials.services import certificate_issue, certificate_reissue
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db

ISSUED_FOR = "1995-04-12"  # LearnerFactory's date of birth
ANOTHER_PERSON = "1979-11-30"


@pytest.fixture
def certificate(enrolment):
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    return cert


def _matches(client, certificate, date_of_birth) -> bool:
    response = client.post(
        "/api/v1/verifications",
        {"serial_number": certificate.serial_number, "date_of_birth": date_of_birth},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()["date_of_birth_matches"]


def test_a_learners_date_of_birth_edited_after_issuance_never_makes_the_certificate_match(
    anon_client, provider_client, certificate
):
    response = provider_client.patch(
        f"/api/v1/learners/{certificate.learner_id}/", {"date_of_birth": ANOTHER_PERSON}, format="json"
    )
    assert response.status_code == 200
    assert _matches(anon_client, certificate, ANOTHER_PERSON) is False
    assert _matches(anon_client, certificate, ISSUED_FOR) is True


def test_a_reissue_keeps_the_date_of_birth_it_was_issued_for(anon_client, provider_client, provider_user, certificate):
    provider_client.patch(f"/api/v1/learners/{certificate.learner_id}/", {"date_of_birth": ANOTHER_PERSON})
    new = certificate_reissue(
        actor=provider_user, certificate=certificate, given_name="Ardita", family_name="Krasniqi-Berisha"
    )
    assert new.date_of_birth_digest == certificate.date_of_birth_digest
    assert _matches(anon_client, new, ISSUED_FOR) is True
    assert _matches(anon_client, new, ANOTHER_PERSON) is False


def test_the_digest_is_keyed_per_learner_and_never_shown(provider_client, certificate, settings):
    born = datetime.date(1995, 4, 12)
    assert certificate.date_of_birth_digest == date_of_birth_digest(
        learner_id=certificate.learner_id, date_of_birth=born
    )
    assert date_of_birth_digest(learner_id=certificate.learner_id + 1, date_of_birth=born) != (
        certificate.date_of_birth_digest
    )
    assert ISSUED_FOR not in str(certificate.snapshot)
    detail = provider_client.get(f"/api/v1/certificates/{certificate.pk}/")
    assert detail.status_code == 200
    assert certificate.date_of_birth_digest not in detail.content.decode()
    settings.DOB_DIGEST_KEY = "another key"  # a new key fails closed: no match, never a false one
    assert date_of_birth_matches(certificate, born) is False


def test_certificates_issued_before_the_digest_get_the_learners_date_of_birth(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(date_of_birth_digest="")
    migration = importlib.import_module("credentials.migrations.0006_certificate_date_of_birth_digest")
    migration.freeze_existing(apps, None)
    certificate.refresh_from_db()
    assert date_of_birth_matches(certificate, datetime.date(1995, 4, 12))
