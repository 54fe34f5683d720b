"""The tracer study's lists in the back office are the access policy's scopes (core.policy), like every other list:
each organisation reads its own graduates' answers, another's record answers as a missing one, nothing is added,
changed or deleted, and a list's URL filters on nothing it does not offer."""

from __future__ import annotations

import pytest
from django.test import Client

from core.roles import Role
from tests import factories as f

from .conftest import EmployerSurveyFactory, TracerResponseFactory

pytestmark = pytest.mark.django_db

RESPONSES = "/admin/outcomes/tracerresponse/"
SURVEYS = "/admin/outcomes/employersurvey/"


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def two_providers():
    mine = TracerResponseFactory(employer_name="Shkolla e Arditës")
    theirs = TracerResponseFactory(employer_name="Kopshti i Zanës")
    municipality = f.OrganisationFactory(municipality_org=True)
    survey = EmployerSurveyFactory(certificate=mine.certificate, employer=municipality)
    other_survey = EmployerSurveyFactory(certificate=theirs.certificate)
    return {
        "mine": mine,
        "theirs": theirs,
        "survey": survey,
        "other_survey": other_survey,
        "provider": f.UserFactory(organisation=mine.certificate.provider),
        "agent": f.UserFactory(organisation=mine.certificate.accreditation.agent, role=Role.AWARDING_BODY),
        "verifier": f.UserFactory(organisation=municipality),
        "ministry": f.UserFactory(ministry=True),
    }


def test_a_provider_lists_its_graduates_answers_only(two_providers):
    client = login(two_providers["provider"])
    page = client.get(RESPONSES)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [two_providers["mine"]]
    assert "Kopshti i Zanës" not in page.content.decode()


def test_another_providers_answer_by_id_answers_as_a_missing_one(two_providers):
    client = login(two_providers["provider"])
    theirs = client.get(f"{RESPONSES}{two_providers['theirs'].pk}/change/")
    missing = client.get(f"{RESPONSES}99999999/change/")
    assert (theirs.status_code, theirs["Location"]) == (missing.status_code, missing["Location"]) == (302, "/admin/")
    assert client.get(f"{RESPONSES}{two_providers['mine'].pk}/change/").status_code == 200


def test_the_awarding_body_reads_the_answers_of_its_certificates_and_the_ministry_all(two_providers):
    agent = two_providers["agent"]
    listed = set(login(agent).get(RESPONSES).context["cl"].result_list)
    assert two_providers["theirs"].certificate.accreditation.agent_id != agent.organisation_id
    assert listed == {two_providers["mine"]}
    ministry = login(two_providers["ministry"]).get(RESPONSES)
    assert set(ministry.context["cl"].result_list) == {two_providers["mine"], two_providers["theirs"]}


def test_a_verifier_reads_no_tracer_answer_and_only_its_own_employer_surveys(two_providers):
    client = login(two_providers["verifier"])
    assert client.get(RESPONSES).status_code == 403
    surveys = client.get(SURVEYS)
    assert surveys.status_code == 200
    assert list(surveys.context["cl"].result_list) == [two_providers["survey"]]
    other = client.get(f"{SURVEYS}{two_providers['other_survey'].pk}/change/")
    assert other.status_code == 302 and other["Location"] == "/admin/"


def test_nothing_is_added_changed_or_deleted_here(two_providers):
    client = login(two_providers["ministry"])
    mine = two_providers["mine"]
    assert client.get(f"{RESPONSES}add/").status_code == 403
    assert client.post(f"{RESPONSES}{mine.pk}/change/", {"employer_name": "x", "wave": 12}).status_code == 403
    assert client.post(f"{RESPONSES}{mine.pk}/delete/", {"post": "yes"}).status_code == 403
    mine.refresh_from_db()
    assert (mine.employer_name, mine.wave) == ("Shkolla e Arditës", 6)


@pytest.mark.parametrize(
    "query",
    ["skills_mean__gt=3", "employer_name__startswith=K", "certificate__learner__personal_number__startswith=1"],
)
def test_a_list_filters_on_nothing_it_does_not_offer(two_providers, query):
    """A provider testing another provider's answers (or any value it cannot see) one bit at a time."""
    assert login(two_providers["provider"]).get(f"{RESPONSES}?{query}").status_code == 400
