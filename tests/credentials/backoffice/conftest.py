"""The back office's world: QPGJ-like provider with a cohort of three (one eligible, one failing M2, one already
certified), another provider with its own learner and certificate, and a signed-in Django test client per role."""

from __future__ import annotations

import pytest
from django.test import Client

from credentials.choices import ResultOutcome
from credentials.models import Certificate, Enrolment, Learner, ModuleResult
from credentials.services import certificate_issue
from registry.models import AuditEntry
from tests import factories as f


def signed_in(user) -> Client:
    """A signed-in client that reads the pages in English (the assertions quote English text)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def world(db):
    provider = f.OrganisationFactory(slug="qpgj-bo", name="QPGJ back office")
    curriculum = f.CurriculumFactory()
    ok = f.issuable_enrolment(provider=provider, curriculum=curriculum, learner__given_name="Ardita")
    cohort = ok.cohort
    failing = f.issuable_enrolment(
        provider=provider,
        curriculum=curriculum,
        cohort=cohort,
        learner__given_name="Blerim",
        learner__family_name="Gashi",
    )
    ModuleResult.objects.filter(enrolment=failing, module__code="M2").update(outcome=ResultOutcome.FAIL)
    certified = f.issuable_enrolment(
        provider=provider,
        curriculum=curriculum,
        cohort=cohort,
        learner__given_name="Drita",
        learner__family_name="Berisha",
    )
    certificate, _ = certificate_issue(actor=None, enrolment=certified)
    other = f.OrganisationFactory(slug="other-bo", name="Other provider")
    other_enrolment = f.issuable_enrolment(provider=other, learner__given_name="Zana", learner__family_name="Hoxha")
    other_certificate, _ = certificate_issue(actor=None, enrolment=other_enrolment)
    awarding_body = curriculum.qualification.awarding_body
    return {
        "provider": provider,
        "cohort": cohort,
        "ok": ok,
        "failing": failing,
        "certified": certified,
        "certificate": certificate,
        "other": other,
        "other_enrolment": other_enrolment,
        "other_certificate": other_certificate,
        "provider_user": f.UserFactory(organisation=provider),
        "other_user": f.UserFactory(organisation=other),
        "ministry_user": f.UserFactory(ministry=True),
        "awarding_user": f.UserFactory(organisation=awarding_body, role="awarding_body"),
        "verifier_user": f.UserFactory(verifier=True),
    }


@pytest.fixture
def provider_client(world):
    return signed_in(world["provider_user"])


@pytest.fixture
def other_client(world):
    return signed_in(world["other_user"])


@pytest.fixture
def ministry_client(world):
    return signed_in(world["ministry_user"])


@pytest.fixture
def awarding_client(world):
    return signed_in(world["awarding_user"])


@pytest.fixture
def verifier_client(world):
    return signed_in(world["verifier_user"])


def snapshot() -> tuple:
    """What a refused request must leave unchanged."""
    return (
        Learner.objects.count(),
        Enrolment.objects.count(),
        ModuleResult.objects.count(),
        Certificate.objects.count(),
        AuditEntry.objects.count(),
        tuple(Certificate.objects.order_by("pk").values_list("status", flat=True)),
        tuple(ModuleResult.objects.order_by("pk").values_list("outcome", "hours_theory", "hours_practice")),
    )


def text(response) -> str:
    return response.content.decode()
