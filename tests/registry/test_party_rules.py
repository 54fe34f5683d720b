"""Party rules (DESIGN.md "Authority"): an accrediting agent accredits only for the qualifications it awards,
an awarding body's institutional accreditation covers only its own qualifications, and the admin meets the
same rules as the API (they live in the models' clean())."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory

from core.errors import DomainError
from credentials import services as credential_services
from registry.choices import AccreditationKind, AccreditationStatus
from registry.models import Accreditation, AuditEntry, Equivalency
from registry.services import accreditation as acc_services
from tests import factories as f

pytestmark = pytest.mark.django_db


def _data(world, **changes):
    data = {
        "provider": world.provider,
        "qualification": world.foreign,
        "agent": world.ocn,
        "decision_number": "PARTY-1",
        "valid_from": datetime.date(2024, 1, 1),
        "valid_until": datetime.date(2027, 1, 1),
        "status": AccreditationStatus.GRANTED,
    }
    return data | changes


def test_the_qualification_authority_accredits_only_its_own_qualifications(world):
    """NQA accredits for national qualifications, never for OCN London's (recorded by the ministry or NQA)."""
    before = Accreditation.objects.count(), AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        acc_services.accreditation_create(actor=world.users["ministry"], data=_data(world, agent=world.nqa))
    assert exc.value.code == "invalid_party" and "qualification" in exc.value.fields
    assert (Accreditation.objects.count(), AuditEntry.objects.count()) == before


def test_an_awarding_body_cannot_record_an_accreditation_for_another_bodys_qualification_through_the_api(
    world, client_for
):
    before = Accreditation.objects.count()
    body = {
        "provider": world.provider.slug,
        "qualification": world.national.pk,
        "agent": world.ocn.slug,
        "decision_number": "OCN-FOR-NQA",
        "valid_from": "2024-01-01",
        "valid_until": "2027-01-01",
        "status": "granted",
    }
    response = client_for(world.users["awarding_body"]).post("/api/v1/accreditations/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_party"
    assert "qualification" in response.json()["error"]["fields"]
    assert Accreditation.objects.count() == before


def test_an_institutional_accreditation_by_an_awarding_body_covers_only_its_own_qualifications(world):
    """Pearson accredits QPGJ institutionally at level 5: that must not let QPGJ issue NQA's level-5
    qualification (it once did, and the certificate verified as valid)."""
    pearson = world.other_body
    Accreditation.objects.create(
        provider=world.provider,
        qualification=None,
        nqf_level=world.national.nqf_level,
        agent=pearson,
        kind=AccreditationKind.INSTITUTIONAL,
        decision_number="PEARSON-INST-1",
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
        status=AccreditationStatus.GRANTED,
    )
    enrolment = f.issuable_enrolment(provider=world.provider, curriculum=world.curriculum)
    Accreditation.objects.filter(provider=world.provider, qualification=world.national).delete()
    assert not Accreditation.objects.filter(provider=world.provider).covering(world.national).exists()
    with pytest.raises(DomainError) as exc:
        credential_services.certificate_issue(actor=None, enrolment=enrolment)
    assert exc.value.code == "accreditation_not_in_force"

    own = f.QualificationFactory(awarding_body=pearson, nqf_level=world.national.nqf_level)
    assert Accreditation.objects.filter(provider=world.provider).covering(own).exists()


def _admin_form(model, data):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = f.UserFactory(organisation=None, role="", is_superuser=True, is_staff=True)
    form_class = model_admin.get_form(request)
    return form_class(data=data)


def test_the_admin_refuses_a_provider_as_accrediting_agent(world):
    form = _admin_form(
        Accreditation,
        {
            "provider": world.provider.pk,
            "qualification": world.foreign.pk,
            "agent": world.other_provider.pk,
            "kind": AccreditationKind.PROGRAMME,
            "extent": "training_and_assessment",
            "decision_number": "ADMIN-1",
            "valid_from": "2024-01-01",
            "valid_until": "2027-01-01",
            "status": AccreditationStatus.GRANTED,
        },
    )
    assert not form.is_valid()
    assert "agent" in form.errors


def test_the_admin_refuses_an_equivalency_decided_by_a_provider(world):
    form = _admin_form(
        Equivalency,
        {
            "qualification": world.foreign.pk,
            "equivalent_to": world.national.pk,
            "decided_by": world.provider.pk,
            "decision_number": "EQ-ADMIN-1",
            "decided_on": "2024-01-01",
            "valid_from": "2024-01-01",
            "status": "granted",
        },
    )
    assert not form.is_valid()
    assert "decided_by" in form.errors
