"""The public feed of catalogue changes (GET /api/v1/catalogue-changes?since=, registry/catalogue_changes.py):
pages by cursor give every catalogue change exactly once, also those made while a harvester pages; it holds no
personal data and nothing outside the catalogue; a cursor it did not give is a 400; writes are refused."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from registry.catalogue_changes import CATALOGUE
from registry.choices import QualificationStatus
from registry.models import AuditEntry, Organisation
from registry.services import catalogue
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalogue-changes"


@pytest.fixture(autouse=True)
def _no_settle(settings):
    settings.CATALOGUE_CHANGES_SETTLE_SECONDS = 0


def new_organisation(slug: str, **extra) -> Organisation:
    return catalogue.organisation_create(
        actor=None, data={"slug": slug, "kind": "provider", "name": f"Qendra {slug}", **extra}
    )


def harvest(client, since=None, limit=2) -> tuple[list[dict], str, bool]:
    params = {"limit": limit} | ({"since": since} if since else {})
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"], body["next_since"], body["has_more"]


def catalogue_entry_count() -> int:
    return AuditEntry.objects.filter(object_type__in=CATALOGUE).count()


def test_pages_by_cursor_see_every_change_once_even_those_made_between_pages(anon_client):
    for n in range(5):
        new_organisation(f"org-{n}")
    seen: list[dict] = []

    results, since, more = harvest(anon_client)
    seen += results
    # Changes made while the harvester pages: a new record, an update of one already harvested.
    new_organisation("org-late")
    catalogue.organisation_update(actor=None, organisation=Organisation.objects.get(slug="org-0"), data={"name": "X"})
    while more:
        results, since, more = harvest(anon_client, since)
        seen += results
    # Later still: the next harvest starts from the last cursor and gets only what is new.
    catalogue.organisation_update(actor=None, organisation=Organisation.objects.get(slug="org-1"), data={"name": "Y"})
    results, since, more = harvest(anon_client, since)
    seen += results
    final, _, more = harvest(anon_client, since)

    assert final == [] and not more
    assert len(seen) == catalogue_entry_count() == 8
    keys = [(c["object_type"], c["object_id"], c["action"], json.dumps(c["fields"], sort_keys=True)) for c in seen]
    assert len(set(keys)) == len(keys)  # nothing twice
    assert [c["changed_at"] for c in seen] == sorted(c["changed_at"] for c in seen)
    renamed = [c for c in seen if c["action"] == "update"]
    assert [c["fields"] for c in renamed] == [{"name": "X"}, {"name": "Y"}]
    created = seen[0]
    assert created["object_type"] == "organisation" and created["action"] == "create"
    assert created["url"].endswith("/api/v1/organisations/org-0")
    assert created["fields"]["slug"] == "org-0" and created["fields"]["kind"] == "provider"


def test_an_empty_page_keeps_the_cursor(anon_client):
    new_organisation("only")
    _, since, _ = harvest(anon_client, limit=10)

    results, again, more = harvest(anon_client, since)

    assert results == [] and again == since and not more


def test_a_change_is_served_only_once_it_has_settled(anon_client, settings):
    settings.CATALOGUE_CHANGES_SETTLE_SECONDS = 3600
    new_organisation("fresh")

    assert harvest(anon_client, limit=10)[0] == []
    settings.CATALOGUE_CHANGES_SETTLE_SECONDS = 0
    assert [c["fields"]["slug"] for c in harvest(anon_client, limit=10)[0]] == ["fresh"]


def test_the_feed_holds_no_personal_data_and_nothing_outside_the_catalogue(anon_client, client_for):
    minister = factories.UserFactory(
        ministry=True, username="lbehluli", first_name="Lulavere", last_name="Behluli", email="lulavere@example.org"
    )
    # A catalogue change by a named person, with a reason that names another.
    response = client_for(minister).patch(
        f"/api/v1/organisations/{new_organisation('qpgj-x').slug}", {"website": "https://qpgj.example"}, format="json"
    )
    assert response.status_code == 200
    qualification = catalogue.qualification_create(
        actor=None,
        data={
            "code": "Q-FEED",
            "serial_prefix": "QFEED",
            "title_sq": "Titull",
            "title_en": "Title",
            "nqf_level": 5,
            "eqf_level": 5,
            "hours_theory": 600,
            "hours_practice": 600,
            "owner": factories.OrganisationFactory(ministry=True),
            "awarding_body": factories.OrganisationFactory(authority=True),
        },
    )
    catalogue.qualification_transition(
        actor=minister, qualification=qualification, status=QualificationStatus.APPROVED, reason="Asked by Arben Gashi"
    )
    # What else the audit trail holds: learners, certificates, users (as the services record them).
    for object_type in ("credentials.learner", "credentials.certificate", "registry.user", "outcomes.traceranswer"):
        AuditEntry.objects.create(
            action="update",
            object_type=object_type,
            object_id="7",
            object_repr="Drita Krasniqi",
            before={"email": "[redacted]"},
            after={"given_name": "Drita", "personal_number": "1234567890", "email": "drita@example.org"},
        )

    seen = []
    since, more = None, True
    while more:
        results, since, more = harvest(anon_client, since, limit=500)
        seen += results

    text = json.dumps(seen, ensure_ascii=False)
    for personal in ("lbehluli", "Lulavere", "Behluli", "lulavere@example.org", "Arben Gashi", "Drita", "1234567890"):
        assert personal not in text
    assert {c["object_type"] for c in seen} == {"organisation", "qualification"}
    assert set(seen[0]) == {"changed_at", "action", "object_type", "object_id", "url", "fields"}
    approved = [c for c in seen if c["action"] == "status_change"]
    assert approved[0]["fields"] == {"status": "approved"}


def test_a_cursor_the_feed_did_not_give_is_refused(anon_client):
    new_organisation("one")
    _, since, _ = harvest(anon_client)
    entry_id, _, signature = since.partition(":")
    before = AuditEntry.objects.count()

    for bad in (
        "12",
        "garbage",
        f"{int(entry_id) + 1000}:{signature}",
        since[:-1] + ("A" if since[-1] != "A" else "B"),
    ):
        response = anon_client.get(URL, {"since": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid_since"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten"])
def test_a_bad_limit_is_refused(anon_client, limit):
    response = anon_client.get(URL, {"limit": limit})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_limit"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused(client_for, ministry_user, method):
    before = AuditEntry.objects.count()

    response = getattr(client_for(ministry_user), method)(URL, {}, format="json")

    assert response.status_code == 405
    assert AuditEntry.objects.count() == before


def test_a_signed_in_caller_gets_the_same_feed(anon_client, client_for, ministry_user):
    new_organisation("same")

    assert client_for(ministry_user).get(URL).json() == anon_client.get(URL).json()


@pytest.mark.parametrize("limit", [1, 100])
def test_a_page_costs_a_fixed_number_of_queries(anon_client, django_assert_max_num_queries, limit):
    for n in range(5):
        new_organisation(f"q-{n}")
    qualification = factories.QualificationFactory()
    catalogue.qualification_update(actor=None, qualification=qualification, data={"credits": 60})

    with django_assert_max_num_queries(3):  # the page, the organisations' slugs, nothing per change
        anon_client.get(URL, {"limit": limit})


def test_the_openapi_schema_documents_the_feed_as_public():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/api/v1/catalogue-changes/"]["get"]
    assert operation["security"] == []  # no credentials at all (an empty list overrides the root's)
    assert {p["name"] for p in operation["parameters"]} == {"since", "limit"}
    assert set(operation["responses"]) >= {"200", "400"}


def test_who_signs_an_organisations_certificates_is_harvested(anon_client):
    """The signatory's name and title are printed on every certificate: public, so registers get them too."""
    organisation = new_organisation("org-signs")
    catalogue.organisation_update(
        actor=None,
        organisation=organisation,
        data={"signatory_name": "Drita Berisha", "signatory_title": "Drejtoreshë"},
    )

    results, _, _ = harvest(anon_client, limit=10)

    assert results[-1]["fields"] == {"signatory_name": "Drita Berisha", "signatory_title": "Drejtoreshë"}
