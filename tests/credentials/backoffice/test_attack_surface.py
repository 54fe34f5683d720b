"""The back office's corners an attacker tries beyond its lists and pages (issue #12), as each role, with Django's
test client: autocomplete through any foreign key, raw-id popups naming a field to return, the "view on site"
redirect, history URLs and preserved filters. Another provider's records answer exactly as missing ones, and no
personal data comes back."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from credentials.models import Certificate, Learner

AUTOCOMPLETE = "/admin/autocomplete/"


def autocomplete(client, app_label, model_name, field_name, term=""):
    return client.get(
        AUTOCOMPLETE, {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term}
    )


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [
        ("credentials", "enrolment", "learner"),
        ("credentials", "certificate", "learner"),
        ("credentials", "certificate", "supersedes"),
        ("credentials", "verificationevent", "certificate"),
        ("outcomes", "tracerresponse", "certificate"),
    ],
)
def test_autocomplete_through_any_foreign_key_offers_none_of_another_providers_records(
    world, provider_client, app_label, model_name, field_name
):
    theirs = world["other_certificate"]
    for term in ("Zana", theirs.serial_number, theirs.learner.personal_number):
        response = autocomplete(provider_client, app_label, model_name, field_name, term)
        assert response.status_code == 200
        assert response.json()["results"] == [], (model_name, field_name, term)


def test_autocomplete_gives_a_verifier_no_certificate_and_no_learner(world, verifier_client):
    for args in [("credentials", "certificate", "supersedes"), ("credentials", "enrolment", "learner")]:
        assert autocomplete(verifier_client, *args, world["other_certificate"].serial_number).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/admin/credentials/learner/?_popup=1&_to_field=personal_number",
        "/admin/credentials/learner/?_popup=1&_to_field=date_of_birth",
        "/admin/credentials/certificate/?_popup=1&_to_field=verification_id",
        "/admin/credentials/learner/?_changelist_filters=personal_number__startswith%3D1&personal_number__startswith=1",
    ],
)
def test_a_popup_returns_no_personal_field_and_preserved_filters_test_nothing(world, provider_client, url):
    assert provider_client.get(url).status_code == 400


@pytest.mark.parametrize("model", [Certificate, Learner])
def test_view_on_site_answers_another_providers_record_as_a_missing_one(world, provider_client, model):
    content_type = ContentType.objects.get_for_model(model)
    theirs = world["other_certificate"] if model is Certificate else world["other_enrolment"].learner
    other = provider_client.get(f"/admin/r/{content_type.pk}/{theirs.pk}/")
    missing = provider_client.get(f"/admin/r/{content_type.pk}/99999999/")
    assert other.status_code == missing.status_code == 404


@pytest.mark.parametrize("model_name", ["learner", "cohort", "enrolment", "certificate", "moduleresult"])
def test_another_providers_record_answers_as_missing_on_every_page(world, provider_client, model_name):
    enrolment = world["other_enrolment"]
    pk = {
        "learner": enrolment.learner_id,
        "cohort": enrolment.cohort_id,
        "enrolment": enrolment.pk,
        "certificate": world["other_certificate"].pk,
        "moduleresult": enrolment.results.values_list("pk", flat=True).first(),
    }[model_name]
    for page in ("change", "delete"):
        theirs = provider_client.get(f"/admin/credentials/{model_name}/{pk}/{page}/")
        missing = provider_client.get(f"/admin/credentials/{model_name}/99999999/{page}/")
        assert (theirs.status_code, theirs.get("Location")) == (missing.status_code, missing.get("Location")), page
    history = provider_client.get(f"/admin/credentials/{model_name}/{pk}/history/", follow=True)
    assert history.redirect_chain[-1][0] == "/admin/"  # the page it leads to answers as a missing record
    assert enrolment.learner.given_name not in history.content.decode()
