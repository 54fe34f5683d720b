"""Every write to a learner's record is audited, and the audit names personal data without showing it.

Identity fields above all: a provider that changes a learner's date of birth leaves an entry, even though
both sides of it read "[redacted]"."""

import datetime

import pytest

from core.audit import REDACTED
from credentials.services import learner_update, module_result_record
from registry.choices import AuditAction
from registry.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/learners/"


def _entries(instance):
    return list(
        AuditEntry.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk)).order_by("id")
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("date_of_birth", "1991-07-23"),
        ("personal_number", "1987654321"),
        ("given_name", "Valbona"),
        ("family_name", "Gashi"),
        ("email", "valbona@example.org"),
    ],
)
def test_a_change_to_a_learners_identity_is_audited_by_field_name(
    provider_client, provider_user, provider, field, value
):
    learner = factories.LearnerFactory(provider=provider, email="ardita@example.org")
    response = provider_client.patch(f"{URL}{learner.pk}/", {field: value}, format="json")
    assert response.status_code == 200, response.json()
    (entry,) = _entries(learner)
    assert entry.action == AuditAction.UPDATE and entry.actor == provider_user
    assert entry.before == {field: REDACTED} and entry.after == {field: REDACTED}


def test_a_learners_date_of_birth_change_is_audited_with_its_reason(provider_user, provider):
    learner = factories.LearnerFactory(provider=provider)
    learner_update(
        actor=provider_user, learner=learner, data={"date_of_birth": datetime.date(1995, 4, 21)}, reason="ID card"
    )
    (entry,) = _entries(learner)
    assert entry.after == {"date_of_birth": REDACTED} and entry.reason == "ID card"


def test_an_unchanged_learner_leaves_no_entry(provider_client, provider):
    learner = factories.LearnerFactory(provider=provider)
    response = provider_client.patch(f"{URL}{learner.pk}/", {"date_of_birth": "1995-04-12"}, format="json")
    assert response.status_code == 200
    assert _entries(learner) == []


def test_a_learner_audit_entry_shows_no_personal_value_nor_the_name_as_its_label(provider_client):
    body = {
        "given_name": "Ђорђе",
        "family_name": "Јовановић",
        "date_of_birth": "1998-02-03",
        "personal_number": "1234567890",
        "email": "djordje@example.org",
        "gender": "male",
        "municipality": "prishtine",
    }
    response = provider_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    (entry,) = AuditEntry.objects.filter(object_type="credentials.learner")
    for name in ("given_name", "family_name", "date_of_birth", "personal_number", "email", "gender"):
        assert entry.after[name] == REDACTED, name
    assert entry.after["municipality_id"] == REDACTED
    assert entry.object_repr == f"learner {response.json()['id']}"
    assert "Јовановић" not in entry.object_repr


def test_a_module_result_is_audited_without_the_result(provider_user, enrolment):
    module = enrolment.cohort.curriculum.modules.first()
    enrolment.results.filter(module=module).delete()
    result, created = module_result_record(
        actor=provider_user,
        enrolment=enrolment,
        module=module,
        data={"hours_theory": 7, "outcome": "fail", "assessed_on": datetime.date(2026, 5, 2), "assessor": "Besa Hoxha"},
    )
    assert created
    module_result_record(actor=provider_user, enrolment=enrolment, module=module, data={"outcome": "pass"})
    created_entry, corrected = _entries(result)
    assert created_entry.after["outcome"] == REDACTED and created_entry.after["assessor"] == REDACTED
    assert created_entry.after["hours_theory"] == REDACTED
    assert corrected.before == {"outcome": REDACTED} and corrected.after == {"outcome": REDACTED}
    for entry in (created_entry, corrected):
        assert "fail" not in entry.object_repr and "pass" not in entry.object_repr
