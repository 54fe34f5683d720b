"""The credentials admin is the back office (tests/credentials/backoffice/): every model scoped by the policy,
nothing deletable by anyone, the operator's superuser account reads every page."""

import pytest
from django.contrib import admin
from django.test import Client

from core.admin import PolicyAdmin
from credentials import models as m
from credentials.services import certificate_issue
from tests import factories
from tests.credentials.conftest import AWARD

pytestmark = pytest.mark.django_db

SCOPED = [m.Learner, m.Cohort, m.Enrolment, m.ModuleResult, m.Certificate, m.VerificationEvent]


@pytest.fixture
def superuser():
    return factories.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("model", [*SCOPED, m.SerialCounter])
def test_nothing_is_deleted_from_a_screen(model, rf, superuser):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = superuser
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    assert isinstance(model_admin, PolicyAdmin) == (model in SCOPED)


def test_the_operator_reads_every_page(superuser, enrolment):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    cert, _ = certificate_issue(actor=None, enrolment=enrolment, awarded_on=AWARD)
    listing = client.get("/admin/credentials/certificate/")
    assert listing.status_code == 200 and cert.serial_number in listing.content.decode()
    page = client.get(f"/admin/credentials/certificate/{cert.pk}/change/")
    assert page.status_code == 200 and "Audit trail" in page.content.decode()
    assert client.post(f"/admin/credentials/certificate/{cert.pk}/delete/").status_code == 403
    assert m.Certificate.objects.filter(pk=cert.pk).exists()
    for path in ("learner", "cohort", "enrolment", "moduleresult", "verificationevent", "serialcounter"):
        assert client.get(f"/admin/credentials/{path}/").status_code == 200, path
