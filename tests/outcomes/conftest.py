"""Graduates, tracer responses and employer surveys for the outcomes tests."""

from __future__ import annotations

import datetime

import factory
import pytest
from factory.django import DjangoModelFactory

from credentials.choices import EnrolmentStatus
from outcomes.choices import EmploymentStatus, ResponseSource
from outcomes.models import EmployerSurvey, TracerResponse
from outcomes.services import skills_mean
from registry.models import Municipality
from tests import factories as f


class TracerResponseFactory(DjangoModelFactory):
    class Meta:
        model = TracerResponse

    certificate = factory.SubFactory(f.CertificateFactory)
    enrolment = factory.SelfAttribute("certificate.enrolment")
    wave = 6
    employment_status = EmploymentStatus.EMPLOYED_PUBLIC_SCHOOL
    responded_on = datetime.date(2026, 6, 20)
    source = ResponseSource.PROVIDER
    skills_satisfaction = factory.LazyFunction(dict)
    skills_mean = factory.LazyAttribute(lambda o: skills_mean(o.skills_satisfaction))


class EmployerSurveyFactory(DjangoModelFactory):
    class Meta:
        model = EmployerSurvey

    employer = factory.SubFactory(f.OrganisationFactory, municipality_org=True)
    certificate = factory.SubFactory(f.CertificateFactory)
    enrolment = factory.SelfAttribute("certificate.enrolment")
    graduate_satisfaction = 4
    surveyed_on = datetime.date(2026, 6, 25)


MUNICIPALITY_NAMES = {
    "prishtine": ("Prishtinë", "Pristina"),
    "prizren": ("Prizren", "Prizren"),
    "ferizaj": ("Ferizaj", "Ferizaj"),
    "gjilan": ("Gjilan", "Gjilan"),
}


def municipality(slug: str) -> Municipality:
    """The reference row (loaded by a migration; re-created if a transactional test flushed it)."""
    name_sq, name_en = MUNICIPALITY_NAMES[slug]
    return f.MunicipalityFactory(slug=slug, name_sq=name_sq, name_en=name_en)


@pytest.fixture(autouse=True)
def _municipalities(db):
    for slug in MUNICIPALITY_NAMES:
        municipality(slug)


def make_cohort(provider=None, curriculum=None, **kwargs):
    provider = provider or f.OrganisationFactory()
    curriculum = curriculum or f.CurriculumFactory()
    if not f.rm.Accreditation.objects.filter(provider=provider, qualification=curriculum.qualification).exists():
        f.AccreditationFactory(provider=provider, qualification=curriculum.qualification)
    return f.CohortFactory(provider=provider, curriculum=curriculum, **kwargs)


def make_enrolment(cohort, *, gender="female", home=None, status=EnrolmentStatus.COMPLETED):
    return f.issuable_enrolment(
        provider=cohort.provider,
        curriculum=cohort.curriculum,
        cohort=cohort,
        status=status,
        learner__gender=gender,
        learner__municipality=home,
    )


def make_graduate(cohort, *, gender="female", home=None, **certificate_kwargs):
    """A learner of `cohort` with a valid certificate."""
    return f.CertificateFactory(enrolment=make_enrolment(cohort, gender=gender, home=home), **certificate_kwargs)


@pytest.fixture
def provider():
    return f.OrganisationFactory(slug="qpgj", short_name="QPGJ")


@pytest.fixture
def provider_user(provider):
    return f.UserFactory(organisation=provider)


@pytest.fixture
def other_provider_user(db):
    return f.UserFactory(organisation=f.OrganisationFactory())


@pytest.fixture
def cohort(provider):
    return make_cohort(provider=provider)


@pytest.fixture
def certificate(cohort):
    return make_graduate(cohort)


@pytest.fixture
def municipality_org(db):
    return f.OrganisationFactory(municipality_org=True, slug="komuna-prishtine")


@pytest.fixture
def verifier_user(municipality_org):
    return f.UserFactory(organisation=municipality_org)
