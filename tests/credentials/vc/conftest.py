"""An issued certificate (through the issuance service) whose qualification is built on an occupational standard
with ISCO and ESCO codes, and the public base URL the issuer's did:web is made of."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from credentials.services import certificate_issue
from tests import factories
from tests.credentials.conftest import AWARD

BASE_URL = "https://registry.example.org"


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE_URL


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The credential shares the page's anonymous throttle (60/min from one address): earlier tests' requests
    must not refuse these."""
    cache.clear()


@pytest.fixture
def certificate(provider):
    enrolment = factories.issuable_enrolment(provider=provider)
    standard = factories.OccupationalStandardFactory(
        code="OS-SEN-5", isco08_code="5312", esco_uri="http://data.europa.eu/esco/occupation/teaching-assistant"
    )
    qualification = enrolment.cohort.curriculum.qualification
    qualification.standards.add(standard)
    qualification.isced_f_code = "0113"
    qualification.save()
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    return cert
