"""Fixtures for the credentials tests: a provider with its users, an issuable enrolment, clients per role."""

from __future__ import annotations

import pytest

from credentials.models import Certificate, SerialCounter
from registry.models import AuditEntry
from tests import factories
from tests.factories import TODAY

AWARD = TODAY  # an award date inside every factory accreditation's validity


@pytest.fixture
def provider(db):
    return factories.OrganisationFactory(slug="qpgj-test", name="QPGJ test")


@pytest.fixture
def other_provider(db):
    return factories.OrganisationFactory(slug="other-provider")


@pytest.fixture
def provider_user(provider):
    return factories.UserFactory(organisation=provider)


@pytest.fixture
def other_provider_user(other_provider):
    return factories.UserFactory(organisation=other_provider)


@pytest.fixture
def verifier_user(db):
    return factories.UserFactory(verifier=True)


@pytest.fixture
def provider_client(client_for, provider_user):
    return client_for(provider_user)


@pytest.fixture
def other_provider_client(client_for, other_provider_user):
    return client_for(other_provider_user)


@pytest.fixture
def verifier_client(client_for, verifier_user):
    return client_for(verifier_user)


@pytest.fixture
def enrolment(provider):
    """Meets every issuance rule on AWARD."""
    return factories.issuable_enrolment(provider=provider)


def counts() -> tuple[int, int, int]:
    """(certificates, serial counters used, audit entries): a refusal must change none."""
    used = sum(SerialCounter.objects.values_list("last_value", flat=True))
    return Certificate.objects.count(), used, AuditEntry.objects.count()
