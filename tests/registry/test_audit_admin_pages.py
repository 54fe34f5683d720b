"""The audit trail in the admin (a million entries and more): pages read from either end give every entry once,
in the trail's order; the object type filter offers the installed models without asking the trail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from registry.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/admin/registry/auditentry/"
ROW = re.compile(r'href="/admin/registry/auditentry/(\d+)/change/')


@pytest.fixture
def admin_client(client):
    client.force_login(f.UserFactory(organisation=None, role="", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def entries():
    rows = AuditEntry.objects.bulk_create(
        AuditEntry(action="update", object_type="registry.organisation", object_id=str(n)) for n in range(230)
    )
    moment = timezone.now() - datetime.timedelta(hours=1)
    for n, row in enumerate(rows):  # a third written in one transaction: the same instant
        at = moment if n % 3 == 0 else moment + datetime.timedelta(seconds=n)
        AuditEntry.objects.filter(pk=row.pk).update(created_at=at)
    return list(AuditEntry.objects.order_by("-created_at", "-id").values_list("id", flat=True))


def test_the_admins_audit_pages_give_every_entry_once_in_order(admin_client, entries):
    pages = []
    for page in (1, 2, 3):
        response = admin_client.get(URL, {"p": page})
        assert response.status_code == 200
        pages.append([int(pk) for pk in ROW.findall(response.content.decode())])

    assert [len(page) for page in pages] == [100, 100, 30]
    assert sum(pages, []) == entries


def test_the_admins_audit_filter_offers_every_kind_of_record(admin_client, entries):
    AuditEntry.objects.create(action="create", object_type="credentials.certificate", object_id="1")

    page = admin_client.get(URL).content.decode()
    assert "?object_type=credentials.certificate" in page and "?object_type=outcomes.tracerresponse" in page
    filtered = admin_client.get(URL, {"object_type": "credentials.certificate"}).content.decode()
    assert len(ROW.findall(filtered)) == 1
