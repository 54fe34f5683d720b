"""Learners: names in any script, a validated personal number unique per provider, personal data seen only
by the learner's provider and the ministry."""

import pytest

from credentials.models import Learner
from registry.models import AuditEntry, Municipality
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/learners/"


def _body(**overrides):
    body = {
        "given_name": "Ђорђе",
        "family_name": "Јовановић",
        "date_of_birth": "1998-02-03",
        "personal_number": "1234567890",
        "gender": "male",
        "municipality": "prishtine",
    }
    body.update(overrides)
    return body


def test_provider_records_a_learner_in_serbian_cyrillic(provider_client, provider_user):
    response = provider_client.post(URL, _body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["given_name"], body["family_name"], body["full_name"]) == ("Ђорђе", "Јовановић", "Ђорђе Јовановић")
    assert body["provider"] == "qpgj-test"
    assert body["personal_number"] == "1234567890" and body["date_of_birth"] == "1998-02-03"
    assert body["municipality"] == "prishtine"
    entry = AuditEntry.objects.get(object_type="credentials.learner", object_id=str(body["id"]))
    assert entry.actor == provider_user
    assert entry.after["personal_number"] == "[redacted]" and entry.after["date_of_birth"] == "[redacted]"


@pytest.mark.parametrize("name", ["Đorđe Čolić", "Ardita Krasniqi", "Arbër Çeku", "Љубица Ђурић"])
def test_names_round_trip_in_every_script(provider_client, name):
    given, family = name.split(" ")
    response = provider_client.post(URL, _body(given_name=given, family_name=family), format="json")
    assert response.status_code == 201
    assert Learner.objects.get().full_name == name


def test_names_are_normalised_to_one_unicode_form(provider_client):
    decomposed = "C\u030colic\u0301"  # Č and ́ typed as combining marks
    provider_client.post(URL, _body(family_name=decomposed), format="json")
    assert Learner.objects.get().family_name == "\u010coli\u0107"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"personal_number": "123456789"}, "personal_number"),
        ({"personal_number": "12345678ab"}, "personal_number"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"date_of_birth": "03.02.98"}, "date_of_birth"),
        ({"given_name": ""}, "given_name"),
        ({"gender": "x"}, "gender"),
        ({"municipality": "atlantis"}, "municipality"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(provider_client, overrides, field):
    response = provider_client.post(URL, _body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Learner.objects.exists()
    assert not AuditEntry.objects.exists()


def test_personal_number_is_unique_per_provider(provider_client, other_provider_client):
    assert provider_client.post(URL, _body(), format="json").status_code == 201
    again = provider_client.post(URL, _body(given_name="Other"), format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "personal_number_taken"
    # Another provider keeps its own record of the same person (ADR 0003).
    assert other_provider_client.post(URL, _body(), format="json").status_code == 201
    assert Learner.objects.count() == 2


def test_provider_reads_only_its_learners_ministry_reads_all(
    provider_client, other_provider_client, ministry_client, provider, other_provider
):
    mine = factories.LearnerFactory(provider=provider)
    theirs = factories.LearnerFactory(provider=other_provider)
    assert [r["id"] for r in provider_client.get(URL).json()["results"]] == [mine.pk]
    assert provider_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert provider_client.patch(f"{URL}{theirs.pk}/", {"given_name": "X"}, format="json").status_code == 404
    assert {r["id"] for r in ministry_client.get(URL).json()["results"]} == {mine.pk, theirs.pk}


def test_ministry_reads_but_does_not_write_learners(ministry_client):
    assert ministry_client.post(URL, _body(), format="json").status_code == 403
    assert not Learner.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "verifier", "awarding_body"])
def test_no_one_else_reaches_learners(who, anon_client, verifier_client, client_for, provider):
    learner = factories.LearnerFactory(provider=provider)
    client = {
        "anonymous": anon_client,
        "verifier": verifier_client,
        "awarding_body": client_for(factories.UserFactory(awarding_body=True)),
    }[who]
    expected = 401 if who == "anonymous" else 403
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}{learner.pk}/").status_code == expected
    assert client.post(URL, _body(), format="json").status_code == expected


def test_provider_corrects_a_learner(provider_client, provider):
    learner = factories.LearnerFactory(provider=provider)
    response = provider_client.patch(f"{URL}{learner.pk}/", {"family_name": "Krasniqi-Berisha"}, format="json")
    assert response.status_code == 200
    learner.refresh_from_db()
    assert learner.family_name == "Krasniqi-Berisha"
    entry = AuditEntry.objects.filter(object_type="credentials.learner").latest("id")
    assert entry.before == entry.after == {"family_name": "[redacted]"}  # named, never shown


def test_no_delete_on_learners(provider_client, provider):
    learner = factories.LearnerFactory(provider=provider)
    assert provider_client.delete(f"{URL}{learner.pk}/").status_code == 405
    assert Learner.objects.filter(pk=learner.pk).exists()


def test_filters_and_search(provider_client, provider):
    prishtine = Municipality.objects.get(slug="prishtine")
    a = factories.LearnerFactory(provider=provider, given_name="Ardita", municipality=prishtine)
    b = factories.LearnerFactory(provider=provider, given_name="Đorđe", family_name="Čolić", gender="male")

    def ids(params):
        return {r["id"] for r in provider_client.get(URL, params).json()["results"]}

    assert ids({"municipality": "prishtine"}) == {a.pk}
    assert ids({"gender": "male"}) == {b.pk}
    assert ids({"search": "Čolić"}) == {b.pk}
    assert ids({"personal_number": a.personal_number}) == {a.pk}
    assert ids({"born_after": "1995-01-01", "born_before": "1995-12-31"}) == {a.pk, b.pk}
    names = [r["family_name"] for r in provider_client.get(URL, {"ordering": "-family_name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize("page_size", [1, 100])
def test_learner_list_costs_constant_queries(page_size, ministry_client, provider, django_assert_max_num_queries):
    for _ in range(5):
        factories.LearnerFactory(provider=provider)
    with django_assert_max_num_queries(4):
        response = ministry_client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 5)


def test_created_filters_accept_any_iso_offset(provider_client, provider):
    learner = factories.LearnerFactory(provider=provider)
    for offset in ("+23:59", "-19:00", "Z"):
        response = provider_client.get(URL, {"created_after": f"2020-01-01T00:00:00{offset}"})
        assert response.status_code == 200, offset
        assert [r["id"] for r in response.json()["results"]] == [learner.pk]
    assert provider_client.get(URL, {"created_before": "2020-01-01T00:00:00+23:59"}).json()["results"] == []
