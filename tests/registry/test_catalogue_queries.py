"""Filters, search and the transition/audit endpoints."""

import pytest

from registry.choices import AccreditationStatus
from registry.models import AuditEntry
from tests import factories as f


def _ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_sen_qualification_found_by_level_and_search_with_its_hours(world, anon_client):
    world.national.title_en = "Assistant for children/pupils with special educational needs (SEN)"
    world.national.save()
    f.QualificationFactory(
        owner=world.ministry, awarding_body=world.nqa, eqf_level=4, nqf_level=4, title_en="Assistant (SEN) at level 4"
    )
    response = anon_client.get("/api/v1/qualifications/", {"eqf_level": 5, "search": "SEN"})
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [world.national.pk]
    assert (rows[0]["hours_theory"], rows[0]["hours_practice"]) == (600, 600)
    curriculum = anon_client.get("/api/v1/curricula/", {"qualification": world.national.pk}).json()["results"][0]
    modules = [m for m in curriculum["modules"] if m["mandatory"]]
    assert sum(m["hours_theory"] for m in modules) == 600
    assert sum(m["hours_practice"] for m in modules) == 600


def test_accreditations_filter_by_provider_status_and_valid_on(world, anon_client):
    expired = f.AccreditationFactory(
        provider=world.provider,
        qualification=world.foreign,
        agent=world.ocn,
        valid_until="2025-06-30",
        status=AccreditationStatus.EXPIRED,
    )
    url = "/api/v1/accreditations/"
    assert _ids(anon_client.get(url, {"provider": "w-provider"})) == {world.accreditation.pk, expired.pk}
    assert _ids(anon_client.get(url, {"valid_on": "2026-06-01"})) == {world.accreditation.pk}
    assert _ids(anon_client.get(url, {"status": "expired"})) == {expired.pk}
    assert _ids(anon_client.get(url, {"provider": "w-provider-2"})) == set()
    bad = anon_client.get(url, {"valid_on": "yesterday"})
    assert bad.status_code == 400 and "valid_on" in bad.json()["error"]["fields"]


def test_qualifications_filter_by_awarding_body_and_ordering(world, anon_client):
    url = "/api/v1/qualifications/"
    assert _ids(anon_client.get(url, {"awarding_body": "w-ocn"})) == {world.foreign.pk}
    codes = [r["code"] for r in anon_client.get(url, {"ordering": "-code"}).json()["results"]]
    assert codes == sorted(codes, reverse=True)


def test_municipalities_are_the_38_with_serbian_cyrillic_names(anon_client, db):
    response = anon_client.get("/api/v1/municipalities/", {"page_size": 100})
    rows = response.json()["results"]
    assert response.json()["count"] == 38
    prishtine = next(r for r in rows if r["slug"] == "prishtine")
    assert (prishtine["name_sq"], prishtine["name_sr"], prishtine["name_sr_cyrl"]) == (
        "Prishtinë",
        "Priština",
        "Приштина",
    )
    assert anon_client.post("/api/v1/municipalities/", {"slug": "x"}).status_code in (401, 405)


def test_accreditation_transition_endpoint(world, as_role):
    url = f"/api/v1/accreditations/{world.accreditation.pk}/transition/"
    assert as_role("provider").post(url, {"status": "suspended", "reason": "x"}, format="json").status_code == 403
    bad = as_role("awarding_body").post(url, {"status": "suspended"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "reason_required"
    ok = as_role("awarding_body").post(url, {"status": "suspended", "reason": "Inspection"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "suspended"
    world.accreditation.refresh_from_db()
    assert world.accreditation.status_reason == "Inspection"


def test_audit_entries_are_for_the_ministry_only(world, as_role):
    as_role("ministry").patch(f"/api/v1/organisations/{world.provider.slug}/", {"name": "Renamed"}, format="json")
    for role, status in (("anonymous", 401), ("provider", 403), ("awarding_body", 403), ("verifier", 403)):
        assert as_role(role).get("/api/v1/audit-entries/").status_code == status
    response = as_role("ministry").get("/api/v1/audit-entries/", {"object_type": "registry.organisation"})
    entry = response.json()["results"][0]
    assert entry["before"] == {"name": world.provider.name} and entry["after"] == {"name": "Renamed"}
    assert entry["actor"] == world.users["ministry"].username
    assert AuditEntry.objects.filter(request_id=entry["request_id"]).exists()
    assert as_role("ministry").post("/api/v1/audit-entries/", {}).status_code == 405


@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/qualifications/"])
def test_malformed_json_is_a_clear_400(url, as_role, world):
    response = as_role("ministry").post(url, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_api_root_lists_the_collections_of_every_area(anon_client, db):
    response = anon_client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    links = response.json()
    for name in (
        "qualifications",
        "accreditations",
        "certificates",
        "verifications",
        "tracer-responses",
        "stats/impact",
    ):
        assert name in links, name
    assert anon_client.get(links["qualifications"]).status_code == 200
    assert anon_client.get("/api/v1/qualifications").status_code == 200  # the trailing slash is optional


def test_audit_filters_take_any_utc_offset_without_a_500(world, as_role):
    client = as_role("ministry")
    for value in ("2020-01-01T00:00:00-19:00", "2020-01-01T00:00:00+23:59"):
        response = client.get("/api/v1/audit-entries/", {"created_after": value, "page_size": 500})
        assert response.status_code == 200, value
        assert len(response.json()["results"]) == AuditEntry.objects.count()
    assert client.get("/api/v1/audit-entries/", {"created_before": "not-a-date"}).status_code == 400


def test_unknown_api_paths_answer_in_the_error_shape(anon_client, db):
    response = anon_client.get("/api/v1/qualifications/-5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    page = anon_client.get("/no-such-page/")
    assert page.status_code == 404 and not page["Content-Type"].startswith("application/json")


def test_errors_are_json_even_when_csv_was_asked_for(anon_client, db):
    response = anon_client.get("/api/v1/stats/impact.csv", {"by": "shoe-size"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "invalid"
