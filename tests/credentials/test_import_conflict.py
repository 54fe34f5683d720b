"""A learner saved by another request while the file is written (the same personal number, after the import read
the provider's learners) makes the import answer import_conflict (409), and nothing of the file is written: the
COPY's unique violation is Django's IntegrityError, which the import turns into that answer."""

from __future__ import annotations

import datetime

import pytest

from core.errors import Conflict
from credentials.models import Learner
from credentials.services import imports, learners_import
from registry.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

CSV = (
    "personal_number,given_name,family_name,date_of_birth\n"
    "1234567890,Ardita,Krasniqi,2000-01-01\n"
    "1234567891,Đorđe,Jovanović,1999-05-04\n"
)


def test_a_personal_number_saved_meanwhile_is_an_import_conflict_and_nothing_is_written(monkeypatch):
    provider = factories.OrganisationFactory()
    user = factories.UserFactory(organisation=provider)
    real_copy = imports.copy_insert

    def another_request_first(objs, **kwargs):
        if objs and isinstance(objs[0], Learner):  # the same number saved just before the file's learners
            Learner.objects.create(
                provider=provider,
                personal_number="1234567891",
                given_name="Other",
                family_name="Request",
                date_of_birth=datetime.date(1990, 1, 1),
            )
        return real_copy(objs, **kwargs)

    monkeypatch.setattr(imports, "copy_insert", another_request_first)
    learners, entries = Learner.objects.count(), AuditEntry.objects.count()

    with pytest.raises(Conflict) as refused:
        learners_import(actor=user, provider=provider, content=CSV.encode())

    assert refused.value.code == "import_conflict"
    assert refused.value.status_code == 409
    assert (Learner.objects.count(), AuditEntry.objects.count()) == (learners, entries)
