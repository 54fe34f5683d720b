"""The catalogue's rules, tested at the service layer where every caller meets them."""

import datetime

import pytest

from core.errors import DomainError, NotAllowed
from registry.choices import AccreditationStatus, CurriculumStatus, QualificationStatus
from registry.models import AuditEntry, Curriculum
from registry.models.audit import AuditEntryError
from registry.services import accreditation as acc_services
from registry.services import catalogue
from tests import factories as f


def _modules(theory, practice, optional_theory=0):
    modules = [
        {"code": "A", "title": "A", "kind": "theory", "hours_theory": theory, "hours_practice": 0},
        {"code": "B", "title": "B", "kind": "practice", "hours_theory": 0, "hours_practice": practice},
    ]
    if optional_theory:
        modules.append(
            {
                "code": "C",
                "title": "C",
                "kind": "theory",
                "hours_theory": optional_theory,
                "hours_practice": 0,
                "mandatory": False,
            }
        )
    return modules


def test_curriculum_hours_must_add_up_to_the_qualification(world):
    ministry = world.users["ministry"]
    with pytest.raises(DomainError) as exc:
        catalogue.curriculum_create(
            actor=ministry,
            data={"qualification": world.national, "version": "x", "delivery_modes": ["hybrid"]},
            modules=_modules(600, 599),
        )
    assert exc.value.code == "hours_mismatch"
    assert "practice: modules give 599 h" in exc.value.fields["modules"][0]
    assert not Curriculum.objects.filter(version="x").exists()


def test_optional_modules_do_not_count_towards_the_hours(world):
    curriculum = catalogue.curriculum_create(
        actor=world.users["ministry"],
        data={"qualification": world.national, "version": "opt", "delivery_modes": ["online"]},
        modules=_modules(600, 600, optional_theory=40),
    )
    assert curriculum.modules.count() == 3


def test_modules_of_an_approved_curriculum_cannot_change(world):
    world.curriculum.status = CurriculumStatus.APPROVED
    world.curriculum.save()
    with pytest.raises(DomainError) as exc:
        catalogue.curriculum_update(
            actor=world.users["ministry"], curriculum=world.curriculum, data={}, modules=_modules(600, 600)
        )
    assert exc.value.code == "curriculum_not_draft"


def test_qualification_lifecycle_moves_forward_only(world):
    ministry = world.users["ministry"]
    q = f.QualificationFactory(owner=world.ministry, awarding_body=world.nqa, status=QualificationStatus.DRAFT)
    with pytest.raises(DomainError) as exc:
        catalogue.qualification_transition(actor=ministry, qualification=q, status=QualificationStatus.AVAILABLE)
    assert exc.value.code == "invalid_transition"
    catalogue.qualification_transition(actor=ministry, qualification=q, status=QualificationStatus.APPROVED)
    with pytest.raises(DomainError) as exc:
        catalogue.qualification_transition(actor=ministry, qualification=q, status=QualificationStatus.AVAILABLE)
    assert exc.value.code == "no_approved_curriculum"
    f.CurriculumFactory(qualification=q)
    catalogue.qualification_transition(actor=ministry, qualification=q, status=QualificationStatus.AVAILABLE)
    with pytest.raises(DomainError) as exc:
        catalogue.qualification_transition(
            actor=ministry, qualification=q, status=QualificationStatus.NO_LONGER_AWARDED
        )
    assert exc.value.code == "certification_end_required"
    entries = AuditEntry.objects.filter(
        object_type="registry.qualification", object_id=str(q.pk), action="status_change"
    )
    assert [e.after["status"] for e in entries.order_by("id")] == ["approved", "available"]


def test_a_new_qualification_starts_as_a_draft(world):
    with pytest.raises(DomainError) as exc:
        catalogue.qualification_create(
            actor=world.users["ministry"],
            data={
                "code": "X",
                "serial_prefix": "X",
                "title_sq": "X",
                "title_en": "X",
                "nqf_level": 5,
                "eqf_level": 5,
                "hours_theory": 1,
                "hours_practice": 1,
                "owner": world.ministry,
                "awarding_body": world.nqa,
                "status": QualificationStatus.AVAILABLE,
            },
        )
    assert exc.value.code == "invalid_status"


def test_status_is_not_changed_by_an_update(world):
    with pytest.raises(DomainError) as exc:
        catalogue.qualification_update(
            actor=world.users["ministry"],
            qualification=world.national,
            data={"status": QualificationStatus.CERTIFICATION_CLOSED},
        )
    assert exc.value.code == "use_transition"


def test_only_the_ministry_writes_the_catalogue(world):
    for role in ("provider", "awarding_body", "verifier"):
        with pytest.raises(NotAllowed):
            catalogue.organisation_update(
                actor=world.users[role], organisation=world.provider, data={"name": "Hijacked"}
            )
    world.provider.refresh_from_db()
    assert world.provider.name != "Hijacked"


def _acc_data(world, **changes):
    data = {
        "provider": world.other_provider,
        "qualification": world.foreign,
        "agent": world.ocn,
        "decision_number": "D-1",
        "valid_from": datetime.date(2026, 1, 1),
        "valid_until": datetime.date(2028, 12, 31),
        "status": AccreditationStatus.GRANTED,
    }
    data.update(changes)
    return data


def test_an_awarding_body_records_only_the_accreditations_it_grants(world):
    with pytest.raises(NotAllowed):
        acc_services.accreditation_create(actor=world.users["other_awarding_body"], data=_acc_data(world))
    acc = acc_services.accreditation_create(actor=world.users["awarding_body"], data=_acc_data(world))
    assert acc.agent == world.ocn
    with pytest.raises(NotAllowed):
        acc_services.accreditation_transition(
            actor=world.users["other_awarding_body"],
            accreditation=acc,
            status=AccreditationStatus.SUSPENDED,
            reason="x",
        )


def test_an_awarding_body_accredits_only_for_qualifications_it_awards(world):
    with pytest.raises(DomainError) as exc:
        acc_services.accreditation_create(
            actor=world.users["awarding_body"], data=_acc_data(world, qualification=world.national)
        )
    assert exc.value.code == "invalid_party" and "qualification" in exc.value.fields


def test_granted_with_conditions_needs_conditions_and_granted_needs_them_met(world):
    ab = world.users["awarding_body"]
    with pytest.raises(DomainError) as exc:
        acc_services.accreditation_create(
            actor=ab, data=_acc_data(world, status=AccreditationStatus.GRANTED_WITH_CONDITIONS)
        )
    assert exc.value.code == "conditions_missing"
    acc = acc_services.accreditation_create(
        actor=ab,
        data=_acc_data(world, status=AccreditationStatus.GRANTED_WITH_CONDITIONS),
        conditions=[{"description": "Second assessor trained", "deadline": datetime.date(2026, 9, 1)}],
    )
    with pytest.raises(DomainError) as exc:
        acc_services.accreditation_transition(actor=ab, accreditation=acc, status=AccreditationStatus.GRANTED)
    assert exc.value.code == "conditions_unmet"


def test_suspension_needs_a_reason_and_withdrawal_is_final(world):
    ab = world.users["awarding_body"]
    acc = world.accreditation
    with pytest.raises(DomainError) as exc:
        acc_services.accreditation_transition(actor=ab, accreditation=acc, status=AccreditationStatus.SUSPENDED)
    assert exc.value.code == "reason_required"
    acc_services.accreditation_transition(
        actor=ab, accreditation=acc, status=AccreditationStatus.WITHDRAWN, reason="Provider closed"
    )
    with pytest.raises(DomainError) as exc:
        acc_services.accreditation_transition(actor=ab, accreditation=acc, status=AccreditationStatus.GRANTED)
    assert exc.value.code == "invalid_transition"


def test_in_force_means_granted_and_inside_the_validity_period(world):
    acc = world.accreditation  # granted 2024-01-01 .. 2026-12-31
    assert acc.in_force_on(datetime.date(2026, 6, 1))
    assert not acc.in_force_on(datetime.date(2027, 1, 1))
    acc.status = AccreditationStatus.SUSPENDED
    assert not acc.in_force_on(datetime.date(2026, 6, 1))


def test_equivalency_is_only_for_a_foreign_qualification_towards_a_national_one(world):
    ministry = world.users["ministry"]
    data = {
        "qualification": world.national,
        "equivalent_to": world.foreign,
        "decided_by": world.ministry,
        "decision_number": "EQ-X",
        "decided_on": datetime.date(2026, 1, 1),
        "valid_from": datetime.date(2026, 1, 1),
    }
    with pytest.raises(DomainError) as exc:
        acc_services.equivalency_create(actor=ministry, data=data)
    assert set(exc.value.fields) == {"qualification", "equivalent_to"}
    with pytest.raises(NotAllowed):
        acc_services.equivalency_create(actor=world.users["awarding_body"], data=data)


def test_audit_entries_are_append_only(world):
    entry = AuditEntry.objects.create(action="update", object_type="x", object_id="1")
    entry.reason = "rewritten"
    with pytest.raises(AuditEntryError):
        entry.save()
    with pytest.raises(AuditEntryError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
