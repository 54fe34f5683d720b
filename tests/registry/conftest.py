import datetime

import pytest

from registry.choices import OrganisationKind
from tests import factories as f


class World:
    """A small catalogue: ministry, authority, a foreign awarding body, two providers, a standard with
    competences, a national and a foreign qualification."""

    def __init__(self):
        self.ministry = f.OrganisationFactory(slug="w-ministry", kind=OrganisationKind.MINISTRY)
        self.nqa = f.OrganisationFactory(slug="w-nqa", kind=OrganisationKind.QUALIFICATION_AUTHORITY)
        self.ocn = f.OrganisationFactory(slug="w-ocn", kind=OrganisationKind.AWARDING_BODY, country="GB")
        self.other_body = f.OrganisationFactory(slug="w-pearson", kind=OrganisationKind.AWARDING_BODY, country="GB")
        self.provider = f.OrganisationFactory(slug="w-provider")
        self.other_provider = f.OrganisationFactory(slug="w-provider-2")
        self.municipality_org = f.OrganisationFactory(slug="w-komuna", kind=OrganisationKind.MUNICIPALITY)
        self.standard = f.OccupationalStandardFactory()
        duty = f.DutyFactory(standard=self.standard)
        self.competence = f.CompetenceFactory(duty=duty)
        self.national = f.QualificationFactory(owner=self.ministry, awarding_body=self.nqa)
        self.national.standards.set([self.standard])
        self.foreign = f.QualificationFactory(owner=self.ministry, awarding_body=self.ocn)
        self.foreign.standards.set([self.standard])
        self.curriculum = f.CurriculumFactory(qualification=self.national)
        self.accreditation = f.AccreditationFactory(provider=self.provider, qualification=self.foreign, agent=self.ocn)
        self.equivalency = f.EquivalencyFactory(
            qualification=self.foreign, equivalent_to=self.national, decided_by=self.ministry
        )
        self.users = {
            "ministry": f.UserFactory(organisation=self.ministry),
            "awarding_body": f.UserFactory(organisation=self.ocn),
            "other_awarding_body": f.UserFactory(organisation=self.other_body),
            "provider": f.UserFactory(organisation=self.provider),
            "verifier": f.UserFactory(organisation=self.municipality_org),
        }


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def as_role(world, client_for):
    def make(role):
        return client_for(world.users[role]) if role != "anonymous" else client_for(None)

    return make


TODAY = datetime.date(2026, 6, 30)
