"""The certificate endpoints: issuing (one and per cohort), idempotency, and who reads what."""

import pytest

from credentials.models import Certificate, IdempotencyRecord
from credentials.services import certificate_issue
from registry.choices import Role
from tests import factories
from tests.credentials.conftest import AWARD, counts

pytestmark = pytest.mark.django_db

URL = "/api/v1/certificates/"


def _issue_body(enrolment):
    return {"enrolment": enrolment.pk, "awarded_on": AWARD.isoformat()}


# --- POST /certificates/ ----------------------------------------------------------------------------


def test_provider_issues_then_issuing_again_returns_the_first(provider_client, enrolment):
    first = provider_client.post(URL, _issue_body(enrolment), format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["serial_number"].endswith("-2026-000001")
    assert len(body["verification_id"]) == 26
    assert body["status"] == "valid"
    assert body["holder_name"] == "Ardita Krasniqi"
    assert body["learner"] == enrolment.learner_id
    assert body["provider"] == "qpgj-test"
    assert body["snapshot"]["holder"]["full_name"] == "Ardita Krasniqi"

    again = provider_client.post(URL, _issue_body(enrolment), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Certificate.objects.count() == 1


def test_refusal_names_the_rule_and_writes_nothing(provider_client, enrolment):
    enrolment.results.filter(module__code="M2").update(hours_practice=100)
    before = counts()
    response = provider_client.post(URL, _issue_body(enrolment), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "hours_not_met"
    assert error["reasons"][0]["detail"]["practice"]["missing"] == 500
    assert error["request_id"]
    assert counts() == before


def test_bad_input_is_a_clear_400(provider_client, enrolment):
    before = counts()
    for body in ({}, {"enrolment": "x"}, {"enrolment": 999999}, {"enrolment": enrolment.pk, "awarded_on": "soon"}):
        response = provider_client.post(URL, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"
    response = provider_client.post(URL, {"enrolment": enrolment.pk, "awarded_on": "2099-01-01"}, format="json")
    assert response.json()["error"]["code"] == "award_date_in_future"
    assert counts() == before


def test_another_providers_enrolment_answers_exactly_as_a_missing_one(other_provider_client, enrolment):
    """Existence: "not yours" and "does not exist" get the same answer (it once was 403 vs 400)."""
    before = counts()
    missing_pk = enrolment.pk + 10_000
    theirs = other_provider_client.post(URL, _issue_body(enrolment), format="json").json()["error"]
    missing = other_provider_client.post(URL, {**_issue_body(enrolment), "enrolment": missing_pk}, format="json")
    assert missing.status_code == 400
    expected = missing.json()["error"]
    expected["fields"] = {
        "enrolment": [m.replace(str(missing_pk), str(enrolment.pk)) for m in expected["fields"]["enrolment"]]
    }
    assert {**theirs, "request_id": ""} == {**expected, "request_id": ""}
    assert counts() == before


@pytest.mark.parametrize("who", ["anonymous", "verifier", "awarding_body", "ministry"])
def test_only_providers_issue(who, enrolment, anon_client, verifier_client, ministry_client, client_for):
    clients = {
        "anonymous": anon_client,
        "verifier": verifier_client,
        "ministry": ministry_client,
        "awarding_body": client_for(factories.UserFactory(awarding_body=True)),
    }
    before = counts()
    response = clients[who].post(URL, _issue_body(enrolment), format="json")
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert counts() == before


# --- Idempotency-Key ----------------------------------------------------------------------------------


def test_idempotency_key_replays_the_first_answer(provider_client, enrolment):
    headers = {"HTTP_IDEMPOTENCY_KEY": "issue-ardita-1"}
    first = provider_client.post(URL, _issue_body(enrolment), format="json", **headers)
    replay = provider_client.post(URL, _issue_body(enrolment), format="json", **headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Certificate.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_key_with_another_body_is_refused(provider_client, provider):
    curriculum = factories.CurriculumFactory()
    a = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    b = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
    headers = {"HTTP_IDEMPOTENCY_KEY": "same-key"}
    assert provider_client.post(URL, _issue_body(a), format="json", **headers).status_code == 201
    before = counts()
    response = provider_client.post(URL, _issue_body(b), format="json", **headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert counts() == before


def test_refused_requests_are_not_remembered(provider_client, enrolment):
    enrolment.results.filter(module__code="M1").update(outcome="fail")
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-me"}
    assert provider_client.post(URL, _issue_body(enrolment), format="json", **headers).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    enrolment.results.filter(module__code="M1").update(outcome="pass")
    assert provider_client.post(URL, _issue_body(enrolment), format="json", **headers).status_code == 201


# --- who reads what -------------------------------------------------------------------------------------


@pytest.fixture
def two_providers_certificates(provider, other_provider):
    mine, _ = certificate_issue(actor=None, enrolment=factories.issuable_enrolment(provider=provider), awarded_on=AWARD)
    theirs, _ = certificate_issue(
        actor=None, enrolment=factories.issuable_enrolment(provider=other_provider), awarded_on=AWARD
    )
    return mine, theirs


def _ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_provider_reads_only_its_own_certificates(provider_client, two_providers_certificates):
    mine, theirs = two_providers_certificates
    assert _ids(provider_client.get(URL)) == {mine.pk}
    assert provider_client.get(f"{URL}{mine.pk}/").status_code == 200
    assert provider_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert provider_client.get(f"{URL}{theirs.pk}").status_code == 404


def test_ministry_reads_every_certificate(ministry_client, two_providers_certificates):
    assert _ids(ministry_client.get(URL)) == {c.pk for c in two_providers_certificates}


def test_awarding_body_reads_certificates_issued_under_its_accreditations(client_for, two_providers_certificates):
    mine, theirs = two_providers_certificates
    agent = mine.accreditation.agent  # a qualification authority in the factories; it may act as awarding body
    user = factories.UserFactory(organisation=agent, role=Role.AWARDING_BODY)
    client = client_for(user)
    assert _ids(client.get(URL)) == {mine.pk}
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(f"{URL}{mine.pk}/revoke", {"reason_code": "fraud", "reference": "X"}).status_code == 403


def test_verifier_and_public_reach_no_certificate_endpoint(anon_client, verifier_client, two_providers_certificates):
    mine, _ = two_providers_certificates
    for path in (URL, f"{URL}{mine.pk}/"):
        assert anon_client.get(path).status_code == 401
        assert verifier_client.get(path).status_code == 403


def test_certificates_filter_and_search(ministry_client, two_providers_certificates):
    mine, theirs = two_providers_certificates
    assert _ids(ministry_client.get(URL, {"provider": "qpgj-test"})) == {mine.pk}
    assert _ids(ministry_client.get(URL, {"status": "valid", "qualification": theirs.qualification_id})) == {theirs.pk}
    assert _ids(ministry_client.get(URL, {"search": mine.serial_number})) == {mine.pk}
    assert _ids(ministry_client.get(URL, {"awarded_after": "2026-07-01"})) == set()
    assert _ids(ministry_client.get(URL, {"issued_before": "2099-01-01", "learner": mine.learner_id})) == {mine.pk}
    ordered = ministry_client.get(URL, {"ordering": "serial_number"}).json()["results"]
    assert [r["serial_number"] for r in ordered] == sorted(r["serial_number"] for r in ordered)
    assert ministry_client.get(URL, {"awarded_after": "never"}).status_code == 400


def test_no_delete_on_certificates(ministry_client, two_providers_certificates):
    mine, _ = two_providers_certificates
    assert ministry_client.delete(f"{URL}{mine.pk}/").status_code == 405
    assert Certificate.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("page_size", [1, 100])
def test_certificate_list_costs_constant_queries(page_size, ministry_client, provider, django_assert_max_num_queries):
    curriculum = factories.CurriculumFactory()
    for _ in range(4):
        enrolment = factories.issuable_enrolment(provider=provider, curriculum=curriculum)
        certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    with django_assert_max_num_queries(4):  # auth token, count, page (+ the user's organisation)
        response = ministry_client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 4)


# --- POST /cohorts/{id}/issue-certificates --------------------------------------------------------------


@pytest.fixture
def cohort_world(provider):
    curriculum = factories.CurriculumFactory()
    cohort = factories.CohortFactory(provider=provider, curriculum=curriculum)
    ready = [factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum) for _ in range(3)]
    short = factories.issuable_enrolment(provider=provider, cohort=cohort, curriculum=curriculum)
    short.results.filter(module__code="M1").update(hours_theory=500)
    return cohort, ready, short


def test_cohort_dry_run_says_who_would_get_one_and_writes_nothing(provider_client, cohort_world):
    cohort, ready, short = cohort_world
    before = counts()
    response = provider_client.post(
        f"/api/v1/cohorts/{cohort.pk}/issue-certificates", {"dry_run": True, "awarded_on": AWARD.isoformat()}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True and body["issued"] == []
    assert {r["enrolment"] for r in body["would_issue"]} == {e.pk for e in ready}
    assert [r["enrolment"] for r in body["refused"]] == [short.pk]
    assert body["refused"][0]["reasons"][0]["code"] == "hours_not_met"
    assert counts() == before


def test_cohort_issue_issues_every_eligible_enrolment_once(provider_client, cohort_world):
    cohort, ready, short = cohort_world
    url = f"/api/v1/cohorts/{cohort.pk}/issue-certificates/"
    body = provider_client.post(url, {"awarded_on": AWARD.isoformat()}).json()
    prefix = cohort.curriculum.qualification.serial_prefix
    assert sorted(c["serial_number"] for c in body["issued"]) == [f"{prefix}-2026-00000{n}" for n in (1, 2, 3)]
    assert Certificate.objects.filter(enrolment__cohort=cohort).count() == 3
    again = provider_client.post(url, {"awarded_on": AWARD.isoformat()}).json()
    assert again["issued"] == [] and len(again["already_issued"]) == 3
    assert Certificate.objects.count() == 3
    for cert in Certificate.objects.all():
        from credentials.signing import verify_snapshot

        assert verify_snapshot(cert.snapshot, cert.signature, cert.key_id)


def test_cohort_of_another_provider_is_not_found(other_provider_client, cohort_world):
    cohort, _ready, _short = cohort_world
    before = counts()
    response = other_provider_client.post(f"/api/v1/cohorts/{cohort.pk}/issue-certificates", {"dry_run": False})
    assert response.status_code == 404
    assert counts() == before


def test_out_of_range_ids_are_a_clear_4xx(ministry_client, db):
    assert ministry_client.get(URL, {"learner": "99999999999999999999999"}).status_code == 400
    assert ministry_client.get(URL, {"learner": "1.5"}).status_code == 400
    assert ministry_client.get(f"{URL}99999999999999999999999/").status_code == 404
