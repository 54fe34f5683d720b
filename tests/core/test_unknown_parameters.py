"""Unknown query parameters and body fields are refused with a 400 naming them (core/api/strict.py), for every
operation, from what the OpenAPI schema documents: `?role=awarding_body` no longer answers every organisation,
`reason` on a revocation is no longer silently dropped."""

from __future__ import annotations

import re

import pytest
import yaml

from credentials.models import Certificate
from registry.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    return response.json()["error"]


# --- query parameters ---------------------------------------------------------------------------------------


def test_an_unknown_filter_is_refused_with_its_name(anon_client):
    factories.OrganisationFactory(kind="provider")
    response = anon_client.get("/api/v1/organisations/", {"role": "awarding_body"})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "unknown_parameter" and "role" in error["message"]
    assert list(error["fields"]) == ["role"] and "kind" in error["fields"]["role"][0]  # the known ones are listed


def test_the_filter_that_exists_works(anon_client):
    factories.OrganisationFactory(kind="provider", slug="p-one")
    factories.OrganisationFactory(kind="awarding_body", slug="ab-one")
    response = anon_client.get("/api/v1/organisations/", {"kind": "awarding_body"})
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["ab-one"]


def test_pagination_ordering_search_format_and_lang_are_always_known(anon_client):
    factories.OrganisationFactory(kind="provider")
    response = anon_client.get(
        "/api/v1/organisations/",
        {"page": 1, "page_size": 1, "ordering": "-name", "search": "Org", "format": "json", "lang": "en"},
    )
    assert response.status_code == 200, response.content


def test_range_filters_are_known_by_their_suffixed_names(ministry_client):
    response = ministry_client.get(
        "/api/v1/certificates/", {"awarded_after": "2026-01-01", "issued_before": "2027-01-01"}
    )
    assert response.status_code == 200, response.content


def test_several_unknown_parameters_are_all_named(ministry_client):
    response = ministry_client.get("/api/v1/certificates/", {"holder": "x", "colour": "red", "status": "valid"})
    assert response.status_code == 400
    assert sorted(_error(response)["fields"]) == ["colour", "holder"]


def test_a_declared_parameter_of_a_file_download_is_known_and_another_is_not(ministry_client):
    certificate = factories.CertificateFactory()
    assert ministry_client.get(f"/api/v1/certificates/{certificate.pk}/pdf", {"lang": "en"}).status_code == 200
    response = ministry_client.get(f"/api/v1/certificates/{certificate.pk}/pdf", {"language": "en"})
    assert response.status_code == 400 and _error(response)["code"] == "unknown_parameter"


def test_a_caller_who_may_not_call_the_operation_is_refused_before_its_parameters_are_read(anon_client):
    response = anon_client.get("/api/v1/certificates/", {"colour": "red"})
    assert response.status_code == 401


# --- body fields ----------------------------------------------------------------------------------------------


def test_reason_on_a_revocation_is_refused_and_nothing_is_revoked(ministry_client):
    certificate = factories.CertificateFactory()
    audited = AuditEntry.objects.count()
    response = ministry_client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke",
        {"reason_code": "fraud", "reference": "MESTI-1", "reason": "forged documents"},
        format="json",
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "unknown_field" and list(error["fields"]) == ["reason"]
    assert "reason_code" in error["fields"]["reason"][0]
    assert Certificate.objects.get(pk=certificate.pk).status == "valid"
    assert AuditEntry.objects.count() == audited


def test_the_documented_fields_still_revoke(ministry_client):
    certificate = factories.CertificateFactory()
    response = ministry_client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke", {"reason_code": "fraud", "reference": "MESTI-1"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Certificate.objects.get(pk=certificate.pk).status == "revoked"


def test_an_unknown_field_on_a_catalogue_write_is_refused_and_nothing_is_created(ministry_client):
    response = ministry_client.post(
        "/api/v1/organisations/",
        {"slug": "new-org", "kind": "provider", "name": "New", "country": "XK", "colour": "blue"},
        format="json",
    )
    assert response.status_code == 400 and list(_error(response)["fields"]) == ["colour"]
    assert not factories.rm.Organisation.objects.filter(slug="new-org").exists()


# --- every operation of the schema ----------------------------------------------------------------------------


def _operations(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def test_every_documented_query_parameter_is_known_and_an_undocumented_one_is_not(ministry_client):
    """For each GET operation of /api/schema/: its documented query parameters are never refused as unknown, and
    one it does not document is (where the ministry may call it at all)."""
    checked = 0
    for path, method, operation in _operations(ministry_client):
        if method != "get":
            continue
        documented = {p["name"]: "1" for p in operation.get("parameters", []) if p["in"] == "query"}
        response = ministry_client.get(_url(path), documented)
        if response.status_code == 400:
            assert _error(response)["code"] != "unknown_parameter", (path, _error(response))
        response = ministry_client.get(_url(path), {"zz_undocumented": "1"})
        if response.status_code not in (401, 403, 429) and not (response.status_code == 404 and "{" in path):
            assert response.status_code == 400, (path, response.status_code)
            assert list(_error(response)["fields"]) == ["zz_undocumented"], path
            checked += 1
    assert checked > 30


def test_every_documented_json_body_refuses_an_undocumented_field(ministry_client):
    checked = 0
    for path, method, operation in _operations(ministry_client):
        content = (operation.get("requestBody") or {}).get("content", {})
        if method not in {"post", "put", "patch"} or "application/json" not in content:
            continue
        response = getattr(ministry_client, method)(_url(path), {"zz_undocumented": 1}, format="json")
        if response.status_code in (400,) and _error(response)["code"] == "unknown_field":
            assert "zz_undocumented" in _error(response)["fields"], path
            checked += 1
        else:
            assert response.status_code in (401, 403, 404, 405, 429), (path, method, response.content[:300])
    assert checked > 15
