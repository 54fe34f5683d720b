"""The admin shows training records and certificates read-only: no add, change or delete."""

import pytest
from django.contrib import admin

from credentials import models as m
from credentials.services import certificate_issue
from tests import factories
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged(client):
    user = factories.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", [m.Learner, m.Cohort, m.Enrolment, m.Certificate, m.SerialCounter])
def test_registered_read_only(model, rf):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = factories.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)


def test_certificate_pages_render_with_the_audit_trail(admin_client_logged, enrolment):
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    listing = admin_client_logged.get("/admin/credentials/certificate/")
    assert listing.status_code == 200 and cert.serial_number in listing.content.decode()
    page = admin_client_logged.get(f"/admin/credentials/certificate/{cert.pk}/change/")
    assert page.status_code == 200 and "Audit trail" in page.content.decode()
    assert admin_client_logged.post(f"/admin/credentials/certificate/{cert.pk}/delete/").status_code == 403
    assert m.Certificate.objects.filter(pk=cert.pk).exists()
    for path in ("learner", "cohort", "enrolment"):
        assert admin_client_logged.get(f"/admin/credentials/{path}/").status_code == 200
