"""The catalogue admin: search, audited saves, no deletes, and each object's audit trail."""

import pytest

from registry.models import AuditEntry, Qualification
from tests import factories as f


@pytest.fixture
def admin_client(client, db):
    user = f.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the admin's words asserted below, not their translations
    return client


def test_a_change_made_through_the_api_shows_in_the_admin_audit_trail(admin_client, world, as_role):
    as_role("ministry").patch(f"/api/v1/qualifications/{world.national.pk}/", {"credits": 90}, format="json")
    page = admin_client.get(f"/admin/registry/qualification/{world.national.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Audit trail" in html and "credits" in html


def test_admin_search_and_no_delete(admin_client, world):
    listing = admin_client.get("/admin/registry/qualification/", {"q": world.national.code})
    assert listing.status_code == 200 and world.national.code in listing.content.decode()
    response = admin_client.post(f"/admin/registry/qualification/{world.national.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Qualification.objects.filter(pk=world.national.pk).exists()


def test_admin_saves_are_audited(admin_client, world):
    org = world.provider
    page = admin_client.get(f"/admin/registry/organisation/{org.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="Renamed in admin", municipality="")
    response = admin_client.post(f"/admin/registry/organisation/{org.pk}/change/", data)
    assert response.status_code == 302, response.content[:500]
    entry = AuditEntry.objects.filter(object_type="registry.organisation", object_id=str(org.pk)).latest("id")
    assert entry.after == {"name": "Renamed in admin"}  # written by organisation_update (registry.services)


def test_deeply_nested_json_in_an_admin_form_is_invalid_input_not_a_server_error(admin_client, world):
    """The curriculum's delivery modes are a JSON field: Django's form field parsed 100,000 levels with
    json.loads, and its recursion answered 500 (core/forms.py)."""
    from registry.models import Curriculum

    deep = "[" * 100_000 + "]" * 100_000
    before = (Curriculum.objects.count(), AuditEntry.objects.count())
    admin_client.raise_request_exception = False
    response = admin_client.post(
        "/admin/registry/curriculum/add/",
        {"qualification": world.national.pk, "version": "2099", "delivery_modes": deep},
    )
    assert response.status_code == 200  # the form again, with its errors
    assert "delivery_modes" in response.context["adminform"].form.errors
    assert (Curriculum.objects.count(), AuditEntry.objects.count()) == before
