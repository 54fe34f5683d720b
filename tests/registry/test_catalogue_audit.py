"""Every catalogue and account write is audited, the rows a service rewrites (conditions, duties) and the
relations it sets (standards, municipalities) included; onboarding an API client audits the new user and a
rotated token."""

import datetime
import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from registry.choices import AccreditationStatus, AuditAction
from registry.models import Accreditation, AuditEntry, Organisation, User
from registry.services import accreditation as acc_services
from registry.services import catalogue
from tests import factories as f

pytestmark = pytest.mark.django_db


def _entries(instance, **filters):
    return list(
        AuditEntry.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk), **filters
        ).order_by("id")
    )


def test_an_accreditation_condition_marked_met_is_audited(world):
    ab = world.users["awarding_body"]
    acc = world.accreditation
    Accreditation.objects.filter(pk=acc.pk).update(status=AccreditationStatus.GRANTED_WITH_CONDITIONS)
    acc.refresh_from_db()
    condition = {"description": "Second assessor trained", "deadline": datetime.date(2026, 9, 1)}
    acc_services.accreditation_update(actor=ab, accreditation=acc, data={}, conditions=[condition])
    acc_services.accreditation_update(
        actor=ab,
        accreditation=acc,
        data={},
        conditions=[{**condition, "met": True, "met_on": datetime.date(2026, 8, 1)}],
    )
    added, met = _entries(acc)
    assert added.before == {"conditions": []} and added.after["conditions"][0]["met"] is False
    assert met.before == added.after
    assert met.after["conditions"][0]["met"] is True and met.after["conditions"][0]["met_on"] == "2026-08-01"
    assert met.actor == ab


def test_rewriting_a_standards_duties_is_audited(world):
    ministry = world.users["ministry"]
    standard = f.OccupationalStandardFactory()
    duties = [
        {"code": "D1", "title": "Support", "competences": [{"code": "K1", "kind": "knowledge", "description": "x"}]}
    ]
    catalogue.occupational_standard_update(actor=ministry, standard=standard, data={}, duties=duties)
    (entry,) = _entries(standard)
    assert entry.before == {"duties": []}
    assert entry.after["duties"][0]["code"] == "D1"
    assert entry.after["duties"][0]["competences"][0]["code"] == "K1"
    catalogue.occupational_standard_update(actor=ministry, standard=standard, data={}, duties=duties)
    assert len(_entries(standard)) == 1  # the same duties again: nothing changed, no entry


def test_a_qualifications_standards_change_is_audited_with_their_ids(world):
    other = f.OccupationalStandardFactory()
    catalogue.qualification_update(
        actor=world.users["ministry"], qualification=world.national, data={}, standards=[world.standard, other]
    )
    (entry,) = _entries(world.national)
    assert entry.before == {"standards": [world.standard.pk]}
    assert entry.after == {"standards": sorted([world.standard.pk, other.pk])}


def test_an_equivalency_edit_is_audited(world):
    acc_services.equivalency_update(
        actor=world.users["ministry"], equivalency=world.equivalency, data={"decision_number": "MESTI-EQ-2026-001"}
    )
    (entry,) = _entries(world.equivalency)
    assert entry.after == {"decision_number": "MESTI-EQ-2026-001"} and entry.action == AuditAction.UPDATE


def _issue_token(*args):
    out = io.StringIO()
    call_command("issue_api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_onboarding_an_api_client_audits_the_new_user_and_each_token_rotation():
    Organisation.objects.create(slug="qpgj", kind="provider", name="QPGJ")
    first = _issue_token("qpgj-sis", "--organisation", "qpgj", "--role", "provider")
    second = _issue_token("qpgj-sis", "--organisation", "qpgj", "--role", "provider", "--rotate")
    assert first != second and Token.objects.get(user__username="qpgj-sis").key == second
    user = User.objects.get(username="qpgj-sis")
    actions = [e.action for e in _entries(user)]
    assert actions == [
        AuditAction.CREATE,
        AuditAction.TOKEN_ISSUED,
        AuditAction.TOKEN_REVOKED,
        AuditAction.TOKEN_ISSUED,
    ]
    created = _entries(user)[0]
    assert created.after["role"] == "provider" and created.after["password"] == "[redacted]"
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_id} {entry.object_repr} {entry.before} {entry.after} {entry.reason}"
        assert first not in text and second not in text
