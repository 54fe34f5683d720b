"""The admin audit trail mixin: an object's change page lists its own audit entries, read-only."""

import pytest

from registry.choices import AuditAction
from registry.models import AuditEntry
from registry.services.audit import audit_record
from tests import factories
from tests.ops.admin_site import site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.admin_site")]


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # "Audit trail" is translated now: assert the English words
    return client


def _entry(instance, *, actor=None, before=None, after=None, reason=""):
    return audit_record(
        actor=actor, action=AuditAction.UPDATE, instance=instance, before=before, after=after, reason=reason
    )


def test_change_page_shows_the_objects_own_trail(admin_client):
    organisation, other = factories.OrganisationFactory(), factories.OrganisationFactory()
    actor = factories.UserFactory(ministry=True)
    _entry(organisation, actor=actor, before={"name": "Old name"}, after={"name": "New name"}, reason="renamed <b>")
    _entry(other, after={"name": "Someone else's change"})

    response = admin_client.get(f"/ops-admin/registry/organisation/{organisation.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Audit trail" in html
    assert "Name: Old name -&gt; New name" in html  # the field's label in the reader's language
    assert "renamed &lt;b&gt;" in html  # escaped
    assert actor.username in html
    assert "Someone else" not in html
    assert f"object_id={organisation.pk}" in html  # link to the full list in the audit log


def test_add_page_has_no_trail(admin_client):
    response = admin_client.get("/ops-admin/registry/organisation/add/")
    assert response.status_code == 200
    assert "Audit trail" not in response.content.decode()


def test_the_trail_is_read_only_and_saving_keeps_it(admin_client):
    organisation = factories.OrganisationFactory(name="Before")
    _entry(organisation, after={"name": "Before"})
    response = admin_client.post(
        f"/ops-admin/registry/organisation/{organisation.pk}/change/",
        {"slug": organisation.slug, "name": "After", "kind": organisation.kind, "audit_trail": "forged"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "After"
    assert AuditEntry.objects.filter(object_id=str(organisation.pk)).count() == 1


def test_long_trails_are_cut_to_the_limit_without_extra_queries(admin_client, django_assert_max_num_queries):
    qualification = factories.QualificationFactory()
    for n in range(5):
        _entry(qualification, actor=factories.UserFactory(ministry=True), after={"credits": n})
    admin = site._registry[type(qualification)]
    with django_assert_max_num_queries(2):
        html = str(admin.audit_trail(qualification))
    assert "2 of 5 entries" in html
    assert "Credits: 4" in html and "Credits: 3" in html and "Credits: 0" not in html


def test_redacted_personal_data_stays_redacted(admin_client):
    learner = factories.LearnerFactory()
    _entry(learner, before={"personal_number": "[redacted]"}, after={"personal_number": "[redacted]"})
    admin = site._registry[type(factories.OrganisationFactory())]
    html = str(admin.audit_trail(learner))
    assert "[redacted]" in html
    assert learner.personal_number not in html
