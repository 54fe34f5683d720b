"""An awarding body's back office (OCN London): its own accreditations (grant, conditions, suspend, withdraw,
through registry.services) and the certificates issued under them, read-only. Written as an attacker: another
body's accreditations and certificates must not show in lists, pages opened by URL, history, search, choices,
actions or autocomplete, and must answer exactly as records that do not exist."""

from __future__ import annotations

import datetime

import pytest

from credentials.choices import CertificateStatus
from registry.choices import AccreditationStatus, AuditAction
from registry.models import Accreditation, AccreditationCondition, AuditEntry
from tests import factories as f

from .back_office import add_inline_rows, login, page_data

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registry/accreditation/"


@pytest.fixture
def ocn(world):
    return login(world.users["awarding_body"])


@pytest.fixture
def pearsons(world):
    """Another awarding body's accreditation (Pearson's, for its own qualification)."""
    qualification = f.QualificationFactory(owner=world.ministry, awarding_body=world.other_body)
    return f.AccreditationFactory(
        provider=world.other_provider, qualification=qualification, agent=world.other_body, decision_number="PE-777"
    )


def run_action(client, action: str, pks, **confirm):
    selected = {"action": action, "_selected_action": [str(pk) for pk in pks]}
    client.post(CHANGELIST, selected)
    return client.post(CHANGELIST, {**selected, "confirm": "yes", **confirm}, follow=True)


def add_form(client, world, **changes):
    data = page_data(client.get(CHANGELIST + "add/"))
    data.update(
        provider=str(world.other_provider.pk),
        qualification=str(world.foreign.pk),
        kind="programme",
        extent="training_and_assessment",
        decision_number="OCN-2026-001",
        valid_from="2026-01-01",
        valid_until="2028-12-31",
        status="granted",
    )
    data.update(changes)
    return data


def test_ocn_lists_only_its_own_accreditations(ocn, world, pearsons):
    response = ocn.get(CHANGELIST)
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [world.accreditation]
    assert "PE-777" not in response.content.decode()
    searched = ocn.get(CHANGELIST, {"q": "PE-777"})
    assert list(searched.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "query",
    [
        {"agent__id__exact": "{agent}"},
        {"provider__id__exact": "{provider}"},
        {"decision_number": "PE-777"},
        {"q": "777"},
        {"o": "1", "_changelist_filters": "agent__id__exact={agent}"},
    ],
)
def test_filters_in_the_url_never_widen_the_list(ocn, world, pearsons, query):
    values = {"agent": pearsons.agent_id, "provider": pearsons.provider_id}
    params = {key: value.format(**values) for key, value in query.items()}
    ocn.raise_request_exception = False
    response = ocn.get(CHANGELIST, params, follow=True)
    assert response.status_code in (200, 400)  # 400: a lookup the list does not offer (core.admin)
    if response.status_code == 200:
        assert pearsons not in response.context["cl"].result_list
    assert f"{CHANGELIST}{pearsons.pk}/change/" not in response.content.decode()


def test_another_bodys_accreditation_answers_as_a_missing_one(ocn, pearsons):
    missing = Accreditation.objects.order_by("-pk").first().pk + 1000
    for suffix in ("change/", "history/", "delete/"):
        theirs = ocn.get(f"{CHANGELIST}{pearsons.pk}/{suffix}")
        nothing = ocn.get(f"{CHANGELIST}{missing}/{suffix}")
        assert (theirs.status_code, theirs.get("Location")) == (nothing.status_code, nothing.get("Location")), suffix
        assert theirs.status_code in (302, 403)
    posted = ocn.post(f"{CHANGELIST}{pearsons.pk}/change/", {"decision_number": "MINE"})
    assert posted.status_code == 302 and posted["Location"] == "/admin/"
    pearsons.refresh_from_db()
    assert pearsons.decision_number == "PE-777"


def test_an_action_on_another_bodys_accreditation_changes_nothing(ocn, pearsons):
    before = AuditEntry.objects.count()
    run_action(ocn, "status_suspended", [pearsons.pk], reason="hostile")
    pearsons.refresh_from_db()
    assert pearsons.status == AccreditationStatus.GRANTED and AuditEntry.objects.count() == before


def test_the_add_form_records_for_ocn_and_offers_only_its_qualifications(ocn, world, pearsons):
    page = ocn.get(CHANGELIST + "add/")
    form = page.context["adminform"].form
    assert "agent" not in form.fields  # it is OCN, set for it
    assert set(form.fields["qualification"].queryset) == {world.foreign}
    assert world.provider in form.fields["provider"].queryset
    assert world.ocn not in form.fields["provider"].queryset


def test_ocn_grants_an_accreditation_through_the_service(ocn, world):
    response = ocn.post(CHANGELIST + "add/", add_form(ocn, world))
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Accreditation.objects.get(decision_number="OCN-2026-001")
    assert (created.agent, created.status, created.provider) == (world.ocn, "granted", world.other_provider)
    entry = AuditEntry.objects.filter(object_type="registry.accreditation", object_id=str(created.pk)).get()
    assert entry.action == AuditAction.CREATE and entry.actor == world.users["awarding_body"]


def test_ocn_cannot_accredit_for_a_qualification_it_does_not_award(ocn, world):
    before = (Accreditation.objects.count(), AuditEntry.objects.count())
    response = ocn.post(CHANGELIST + "add/", add_form(ocn, world, qualification=str(world.national.pk)))
    assert response.status_code == 200 and "qualification" in response.context["adminform"].form.errors
    assert (Accreditation.objects.count(), AuditEntry.objects.count()) == before


def test_granted_with_conditions_needs_the_conditions(ocn, world):
    before = Accreditation.objects.count()
    bare = ocn.post(CHANGELIST + "add/", add_form(ocn, world, status="granted_with_conditions"))
    assert bare.status_code == 200 and "list the conditions" in bare.content.decode()
    assert Accreditation.objects.count() == before
    data = add_inline_rows(
        add_form(ocn, world, status="granted_with_conditions"),
        "conditions",
        [{"description": "Mentors trained", "deadline": "2026-12-31"}],
    )
    response = ocn.post(CHANGELIST + "add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Accreditation.objects.get(decision_number="OCN-2026-001")
    assert created.status == "granted_with_conditions"
    assert list(created.conditions.values_list("description", flat=True)) == ["Mentors trained"]


def test_marking_a_condition_met_goes_through_the_service(ocn, world):
    AccreditationCondition.objects.create(
        accreditation=world.accreditation, description="Library", deadline=datetime.date(2026, 9, 1)
    )
    url = f"{CHANGELIST}{world.accreditation.pk}/change/"
    data = page_data(ocn.get(url))
    data["conditions-0-met"] = "on"
    data["conditions-0-met_on"] = "2026-08-01"
    response = ocn.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert world.accreditation.conditions.get().met
    entry = AuditEntry.objects.filter(object_type="registry.accreditation", object_id=str(world.accreditation.pk))
    assert entry.latest("id").after["conditions"][0]["met"] is True


def test_ocn_suspends_with_a_reason_and_withdraws(ocn, world):
    refused = run_action(ocn, "status_suspended", [world.accreditation.pk], reason="")
    assert "This field is required" in refused.content.decode()
    world.accreditation.refresh_from_db()
    assert world.accreditation.status == AccreditationStatus.GRANTED
    run_action(ocn, "status_suspended", [world.accreditation.pk], reason="Site visit failed")
    world.accreditation.refresh_from_db()
    assert world.accreditation.status == AccreditationStatus.SUSPENDED
    page = ocn.get(f"{CHANGELIST}{world.accreditation.pk}/change/").content.decode()
    assert 'value="status_granted"' in page and 'value="status_withdrawn"' in page
    run_action(ocn, "status_withdrawn", [world.accreditation.pk], reason="Not remedied")
    world.accreditation.refresh_from_db()
    assert world.accreditation.status == AccreditationStatus.WITHDRAWN
    page = ocn.get(f"{CHANGELIST}{world.accreditation.pk}/change/").content.decode()
    assert 'value="status_' not in page  # withdrawn is final: no buttons
    assert "Audit trail" in page  # its own record's trail


def test_the_status_is_never_edited_in_the_form(ocn, world):
    url = f"{CHANGELIST}{world.accreditation.pk}/change/"
    data = page_data(ocn.get(url))
    data["status"] = "withdrawn"
    ocn.post(url, data)
    world.accreditation.refresh_from_db()
    assert world.accreditation.status == AccreditationStatus.GRANTED


@pytest.mark.parametrize("role", ["provider", "verifier"])
def test_providers_and_verifiers_have_no_accreditation_back_office(world, role):
    client = login(world.users[role])
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{world.accreditation.pk}/change/").status_code in (302, 403)
    assert client.post(CHANGELIST + "add/", {}).status_code == 403


def test_the_ministry_sees_and_decides_every_accreditation(world, pearsons):
    ministry = login(world.users["ministry"])
    assert set(ministry.get(CHANGELIST).context["cl"].result_list) == {world.accreditation, pearsons}
    run_action(ministry, "status_suspended", [pearsons.pk], reason="Ministry inspection")
    pearsons.refresh_from_db()
    assert pearsons.status == AccreditationStatus.SUSPENDED


# --- certificates issued under its accreditations: read-only -------------------------------------------------


@pytest.fixture
def certificates(world, pearsons):
    ours = f.CertificateFactory(
        enrolment=f.issuable_enrolment(
            provider=world.provider, curriculum=f.CurriculumFactory(qualification=world.foreign)
        ),
    )
    theirs = f.CertificateFactory(
        enrolment=f.issuable_enrolment(
            provider=world.other_provider, curriculum=f.CurriculumFactory(qualification=pearsons.qualification)
        ),
    )
    assert ours.accreditation.agent == world.ocn and theirs.accreditation.agent == world.other_body
    return ours, theirs


def test_ocn_reads_the_certificates_under_its_accreditations_only(ocn, certificates):
    ours, theirs = certificates
    listing = ocn.get("/admin/credentials/certificate/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [ours]
    assert list(ocn.get("/admin/credentials/certificate/", {"q": theirs.serial_number}).context["cl"].result_list) == []
    assert ocn.get(f"/admin/credentials/certificate/{ours.pk}/change/").status_code == 200
    missing = ocn.get(f"/admin/credentials/certificate/{theirs.pk + 1000}/change/")
    other = ocn.get(f"/admin/credentials/certificate/{theirs.pk}/change/")
    assert (other.status_code, other.get("Location")) == (missing.status_code, missing.get("Location"))


def test_ocn_changes_no_certificate(ocn, certificates):
    ours, _ = certificates
    before = AuditEntry.objects.count()
    page = ocn.get(f"/admin/credentials/certificate/{ours.pk}/change/")
    assert page.context["has_change_permission"] is False
    for path in ("change/", "revoke/", "suspend/", "delete/"):
        ocn.post(f"/admin/credentials/certificate/{ours.pk}/{path}", {"reason_code": "fraud", "reference": "x"})
    ours.refresh_from_db()
    assert ours.status == CertificateStatus.VALID and AuditEntry.objects.count() == before


def test_autocomplete_gives_an_awarding_body_no_learners(ocn, certificates):
    response = ocn.get(
        "/admin/autocomplete/", {"app_label": "credentials", "model_name": "enrolment", "field_name": "learner"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("language", ["sq", "sr", "en"])
def test_an_accreditation_is_named_with_its_status_in_the_readers_language_and_audited_with_its_code(language):
    """The back office prints an accreditation (a certificate's page links it) with the status label of the reader's
    language, not the code; the audit trail keeps the code, one language whoever acted."""
    from django.utils import translation

    accreditation = f.AccreditationFactory(decision_number="OCN-2026-014", status=AccreditationStatus.GRANTED)
    with translation.override(language):
        label = str(AccreditationStatus.GRANTED.label)
        assert str(accreditation) == f"OCN-2026-014 ({label})"
    assert accreditation.audit_label == "OCN-2026-014 (granted)"
    if language != "en":
        assert "granted" not in str(accreditation)
