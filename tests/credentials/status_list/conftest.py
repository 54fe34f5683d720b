"""Status list fixtures: certificates issued through the services (so each gets its status-list index)."""

import pytest

from credentials.services import certificate_issue
from tests import factories
from tests.credentials.conftest import AWARD


@pytest.fixture
def issue(provider):
    """issue() -> a new valid certificate of `provider`, issued by the service."""

    def make():
        certificate, _ = certificate_issue(
            actor=None, enrolment=factories.issuable_enrolment(provider=provider), awarded_on=AWARD
        )
        return certificate

    return make


@pytest.fixture
def certificate(issue):
    return issue()
