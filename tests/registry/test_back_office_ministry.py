"""The ministry's back office (MESTI, NQA; no staff flag): the catalogue through the services, lifecycle
transitions as actions and buttons, curricula whose hours must add up, equivalencies, users; and every other
role refused each write."""

from __future__ import annotations

import pytest

from registry.choices import AuditAction, EquivalencyStatus, QualificationStatus
from registry.models import AuditEntry, Curriculum, CurriculumModule, Equivalency, OccupationalStandard, Qualification
from tests import factories as f

from .back_office import add_inline_rows, login, page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry(world):
    return login(world.users["ministry"])


@pytest.fixture
def draft(world):
    q = f.QualificationFactory(owner=world.ministry, awarding_body=world.nqa, status=QualificationStatus.DRAFT)
    q.standards.set([world.standard])
    return q


def run_action(client, changelist: str, action: str, pks, **confirm):
    """The two steps of a status action: the reason page, then the confirmation."""
    selected = {"action": action, "_selected_action": [str(pk) for pk in pks]}
    first = client.post(changelist, selected)
    if not confirm:
        return first
    return client.post(changelist, {**selected, "confirm": "yes", **confirm}, follow=True)


def test_the_ministry_signs_in_without_the_staff_flag_and_sees_the_catalogue(world):
    user = world.users["ministry"]
    assert not user.is_staff
    index = login(user).get("/admin/")
    html = index.content.decode()
    assert index.status_code == 200
    for path in (
        "registry/qualification/",
        "registry/curriculum/",
        "registry/occupationalstandard/",
        "registry/accreditation/",
        "registry/equivalency/",
        "registry/auditentry/",
        "registry/user/",
    ):
        assert f"/admin/{path}" in html, path


def test_the_ministry_approves_a_qualification_through_the_service(ministry, world, draft):
    changelist = "/admin/registry/qualification/"
    reason_page = run_action(ministry, changelist, "status_approved", [draft.pk])
    assert reason_page.status_code == 200 and 'name="reason"' in reason_page.content.decode()
    draft.refresh_from_db()
    assert draft.status == QualificationStatus.DRAFT  # nothing before the confirmation
    done = run_action(ministry, changelist, "status_approved", [draft.pk], reason="Board decision 12/2026")
    assert done.status_code == 200 and "1 changed" in done.content.decode()
    draft.refresh_from_db()
    assert draft.status == QualificationStatus.APPROVED
    entry = AuditEntry.objects.filter(object_type="registry.qualification", object_id=str(draft.pk)).latest("id")
    assert entry.action == AuditAction.STATUS_CHANGE and entry.actor == world.users["ministry"]
    assert entry.reason == "Board decision 12/2026"


def test_a_transition_the_lifecycle_forbids_is_shown_and_writes_nothing(ministry, draft):
    before = AuditEntry.objects.count()
    done = run_action(ministry, "/admin/registry/qualification/", "status_available", [draft.pk], reason="")
    assert "This status change is not possible" in done.content.decode()
    draft.refresh_from_db()
    assert draft.status == QualificationStatus.DRAFT and AuditEntry.objects.count() == before


def test_the_change_page_offers_only_the_allowed_next_status(ministry, draft, world):
    html = ministry.get(f"/admin/registry/qualification/{draft.pk}/change/").content.decode()
    assert 'value="status_approved"' in html and 'value="status_available"' not in html
    html = ministry.get(f"/admin/registry/qualification/{world.national.pk}/change/").content.decode()  # available
    assert 'value="status_no_longer_awarded"' in html and 'value="status_approved"' not in html


def test_editing_a_qualification_goes_through_the_service_and_is_audited(ministry, world):
    url = f"/admin/registry/qualification/{world.national.pk}/change/"
    data = page_data(ministry.get(url))
    data["credits"] = "95"
    response = ministry.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.national.refresh_from_db()
    assert world.national.credits == 95
    entry = AuditEntry.objects.filter(object_type="registry.qualification", object_id=str(world.national.pk)).latest(
        "id"
    )
    assert entry.after == {"credits": 95} and entry.actor == world.users["ministry"]


def test_a_qualification_added_in_the_back_office_starts_as_a_draft(ministry, world):
    data = page_data(ministry.get("/admin/registry/qualification/add/"))
    data.update(
        code="L4-NEW",
        serial_prefix="L4-NEW",
        title_sq="Titull",
        title_en="Title",
        nqf_level="4",
        eqf_level="4",
        credits="60",
        hours_theory="300",
        hours_practice="300",
        owner=str(world.ministry.pk),
        awarding_body=str(world.nqa.pk),
        standards=[str(world.standard.pk)],
    )
    response = ministry.post("/admin/registry/qualification/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Qualification.objects.get(code="L4-NEW")
    assert created.status == QualificationStatus.DRAFT and list(created.standards.all()) == [world.standard]
    assert AuditEntry.objects.filter(object_type="registry.qualification", object_id=str(created.pk)).exists()


def curriculum_post(client, world, *, theory: int, practice: int, version="2027"):
    data = page_data(client.get("/admin/registry/curriculum/add/"))
    data.update(qualification=str(world.national.pk), version=version, delivery_modes=["hybrid"], status="draft")
    return add_inline_rows(
        data,
        "modules",
        [
            {
                "order": 1,
                "code": "T1",
                "title": "Theory",
                "kind": "theory",
                "hours_theory": theory,
                "hours_practice": 0,
                "credits": 60,
                "mandatory": True,
            },
            {
                "order": 2,
                "code": "P1",
                "title": "Practice",
                "kind": "practice",
                "hours_theory": 0,
                "hours_practice": practice,
                "credits": 60,
                "mandatory": True,
            },
        ],
    )


def test_a_curriculum_whose_hours_do_not_add_up_is_shown_the_error_and_nothing_is_written(ministry, world):
    before = (Curriculum.objects.count(), CurriculumModule.objects.count(), AuditEntry.objects.count())
    response = ministry.post(
        "/admin/registry/curriculum/add/", curriculum_post(ministry, world, theory=590, practice=600)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "do not add up" in html and "theory 590 h of 600 h, practice 600 h of 600 h" in html
    assert (Curriculum.objects.count(), CurriculumModule.objects.count(), AuditEntry.objects.count()) == before


def test_a_curriculum_whose_hours_add_up_is_created_with_its_modules(ministry, world):
    response = ministry.post(
        "/admin/registry/curriculum/add/", curriculum_post(ministry, world, theory=600, practice=600)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    curriculum = Curriculum.objects.get(qualification=world.national, version="2027")
    assert [m.code for m in curriculum.modules.all()] == ["T1", "P1"]
    assert curriculum.delivery_modes == ["hybrid"]


def test_editing_a_draft_curriculums_module_keeps_its_learning_outcomes_and_competences(ministry, world):
    ministry.post("/admin/registry/curriculum/add/", curriculum_post(ministry, world, theory=600, practice=600))
    curriculum = Curriculum.objects.get(qualification=world.national, version="2027")
    module = curriculum.modules.get(code="T1")
    module.competences.set([world.competence])
    module.learning_outcomes.create(code="LO1", description="Explains inclusion.", assessment_criteria=["oral"])
    url = f"/admin/registry/curriculum/{curriculum.pk}/change/"
    data = page_data(ministry.get(url))
    data["modules-0-title"] = "Theory of inclusion"
    response = ministry.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    module = curriculum.modules.get(code="T1")
    assert module.title == "Theory of inclusion"
    assert list(module.competences.all()) == [world.competence]
    assert [(lo.code, lo.assessment_criteria) for lo in module.learning_outcomes.all()] == [("LO1", ["oral"])]


def test_an_approved_curriculums_modules_are_refused_with_the_services_message(ministry, world):
    url = f"/admin/registry/curriculum/{world.curriculum.pk}/change/"
    data = page_data(ministry.get(url))
    data["modules-0-title"] = "Changed"
    before = AuditEntry.objects.count()
    response = ministry.post(url, data)
    assert response.status_code == 200 and "publish a new version" in response.content.decode()
    assert AuditEntry.objects.count() == before
    assert not world.curriculum.modules.filter(title="Changed").exists()


def test_a_standard_is_added_with_its_duties_and_competences(ministry):
    data = page_data(ministry.get("/admin/registry/occupationalstandard/add/"))
    data.update(code="OS-NEW", title="Teaching assistant", version="1", isco08_code="5312", status="draft")
    add_inline_rows(
        data,
        "duties",
        [
            {
                "code": "D1",
                "title": "Support learning",
                "order": 0,
                "competence_lines": "K1 | knowledge | Knows the IEP\nS1 | skill | Adapts material",
            }
        ],
    )
    response = ministry.post("/admin/registry/occupationalstandard/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    standard = OccupationalStandard.objects.get(code="OS-NEW")
    duty = standard.duties.get()
    assert [(c.code, c.kind) for c in duty.competences.all()] == [("K1", "knowledge"), ("S1", "skill")]


def test_a_bad_competence_line_is_an_error_on_the_page(ministry):
    data = page_data(ministry.get("/admin/registry/occupationalstandard/add/"))
    data.update(code="OS-BAD", title="X", version="1", isco08_code="5312", status="draft")
    add_inline_rows(data, "duties", [{"code": "D1", "title": "Y", "order": 0, "competence_lines": "K1 | wisdom | Z"}])
    response = ministry.post("/admin/registry/occupationalstandard/add/", data)
    assert response.status_code == 200 and "the kind is one of" in response.content.decode()
    assert not OccupationalStandard.objects.filter(code="OS-BAD").exists()


def test_suspending_an_equivalency_needs_a_reason(ministry, world):
    changelist = "/admin/registry/equivalency/"
    refused = run_action(ministry, changelist, "status_suspended", [world.equivalency.pk], reason="")
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    world.equivalency.refresh_from_db()
    assert world.equivalency.status == EquivalencyStatus.GRANTED
    run_action(ministry, changelist, "status_suspended", [world.equivalency.pk], reason="Court order 4/2026")
    world.equivalency.refresh_from_db()
    assert world.equivalency.status == EquivalencyStatus.SUSPENDED
    assert world.equivalency.status_reason == "Court order 4/2026"


def test_the_audit_trail_of_an_object_is_on_its_page_for_the_ministry(ministry, world):
    html = ministry.get(f"/admin/registry/qualification/{world.national.pk}/change/").content.decode()
    assert "Audit trail" in html
    assert ministry.get("/admin/registry/auditentry/").status_code == 200


# --- everyone else ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["provider", "awarding_body", "verifier"])
def test_other_roles_read_the_catalogue_but_write_nothing(world, draft, role):
    client = login(world.users[role])
    before = AuditEntry.objects.count()
    assert client.get("/admin/registry/qualification/").status_code == 200
    page = client.get(f"/admin/registry/qualification/{draft.pk}/change/")
    assert page.status_code == 200 and 'value="status_approved"' not in page.content.decode()
    assert "Audit trail" not in page.content.decode()
    assert client.get("/admin/registry/qualification/add/").status_code == 403
    data = {"code": draft.code, "credits": "1"}
    assert client.post(f"/admin/registry/qualification/{draft.pk}/change/", data).status_code == 403
    run_action(client, "/admin/registry/qualification/", "status_approved", [draft.pk], reason="x")
    assert client.get("/admin/registry/curriculum/add/").status_code == 403
    assert client.get("/admin/registry/organisation/add/").status_code == 403
    assert client.get("/admin/registry/auditentry/").status_code == 403
    assert client.get(f"/admin/registry/qualification/{draft.pk}/history/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == QualificationStatus.DRAFT and AuditEntry.objects.count() == before


@pytest.mark.parametrize("role", ["provider", "awarding_body", "verifier"])
def test_users_groups_and_tokens_are_the_ministrys(world, role):
    client = login(world.users[role])
    for path in ("registry/user/", "auth/group/", "authtoken/tokenproxy/"):
        assert client.get(f"/admin/{path}").status_code == 403, path
    assert client.get(f"/admin/registry/user/{world.users[role].pk}/change/").status_code == 403


def test_the_ministry_manages_accounts_but_not_superusers_nor_django_permissions(ministry, world):
    root = f.UserFactory(organisation=None, role="", is_superuser=True, is_staff=True)
    page = ministry.get(f"/admin/registry/user/{world.users['provider'].pk}/change/")
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert "role" in fields and "is_superuser" not in fields and "user_permissions" not in fields
    data = page_data(page)
    assert ministry.post(f"/admin/registry/user/{root.pk}/change/", {"username": "x"}).status_code == 403
    assert (
        ministry.post(f"/admin/registry/user/{world.users['provider'].pk}/delete/", {"post": "yes"}).status_code == 403
    )
    data.pop("is_active")  # unticked
    data.update(date_joined_0="2026-01-05", date_joined_1="09:00:00")  # a split date-time widget
    response = ministry.post(f"/admin/registry/user/{world.users['provider'].pk}/change/", data)
    assert response.status_code == 302
    world.users["provider"].refresh_from_db()
    assert not world.users["provider"].is_active


def test_anonymous_callers_are_sent_to_the_login(client, world):
    response = client.get("/admin/registry/qualification/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ["ministry", "provider", "awarding_body", "verifier"])
def test_every_role_opens_the_catalogues_pages(world, role):
    """Read-only for all but the ministry: a standard's duties with their competences, the curriculum's modules."""
    client = login(world.users[role])
    pages = [
        f"/admin/registry/occupationalstandard/{world.standard.pk}/change/",
        f"/admin/registry/qualification/{world.national.pk}/change/",
        f"/admin/registry/curriculum/{world.curriculum.pk}/change/",
        f"/admin/registry/equivalency/{world.equivalency.pk}/change/",
        f"/admin/registry/organisation/{world.provider.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    standard = client.get(pages[0]).content.decode()
    assert world.competence.code in standard


def test_the_ministry_opens_an_audit_entry(ministry, world):
    entry = AuditEntry.objects.create(
        action=AuditAction.UPDATE,
        object_type="registry.qualification",
        object_id=str(world.national.pk),
        actor=world.users["ministry"],
        organisation=world.ministry,
    )
    assert ministry.get(f"/admin/registry/auditentry/{entry.pk}/change/").status_code == 200


def equivalency_form(client, world, **changes):
    data = page_data(client.get("/admin/registry/equivalency/add/"))
    other = f.QualificationFactory(owner=world.ministry, awarding_body=world.other_body)
    data.update(
        qualification=str(other.pk),
        equivalent_to=str(world.national.pk),
        decision_number="MESTI-EQ-2026-9",
        decided_on="2026-03-01",
        valid_from="2026-03-01",
    )
    data.update(changes)
    return data


def test_the_ministry_records_an_equivalency_decided_by_its_own_organisation(ministry, world):
    data = equivalency_form(ministry, world)
    assert data["decided_by"] == str(world.ministry.pk)  # offered as the default
    response = ministry.post("/admin/registry/equivalency/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Equivalency.objects.get(decision_number="MESTI-EQ-2026-9")
    assert created.status == EquivalencyStatus.GRANTED
    assert AuditEntry.objects.filter(object_type="registry.equivalency", object_id=str(created.pk)).exists()


def test_an_equivalency_to_a_foreign_qualification_is_refused_on_the_page(ministry, world):
    before = (Equivalency.objects.count(), AuditEntry.objects.count())
    response = ministry.post(
        "/admin/registry/equivalency/add/", equivalency_form(ministry, world, equivalent_to=str(world.foreign.pk))
    )
    assert response.status_code == 200 and "national qualification" in response.content.decode()
    assert (Equivalency.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("role", ["provider", "awarding_body", "verifier"])
def test_only_the_ministry_records_equivalencies(world, role):
    client = login(world.users[role])
    assert client.get("/admin/registry/equivalency/add/").status_code == 403
    before = Equivalency.objects.count()
    assert client.post("/admin/registry/equivalency/add/", {"decision_number": "X"}).status_code == 403
    run_action(client, "/admin/registry/equivalency/", "status_withdrawn", [world.equivalency.pk], reason="x")
    world.equivalency.refresh_from_db()
    assert world.equivalency.status == EquivalencyStatus.GRANTED and Equivalency.objects.count() == before


def test_background_tasks_are_listed_for_their_organisation_only(world):
    from registry.models import TaskRecord

    mine = TaskRecord.objects.create(kind="learners_import", organisation=world.provider, total=10, done=4)
    theirs = TaskRecord.objects.create(kind="learners_import", organisation=world.other_provider)
    client = login(world.users["provider"])
    listing = client.get("/admin/registry/taskrecord/")
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [mine]
    assert "4 / 10" in listing.content.decode()
    assert client.get(f"/admin/registry/taskrecord/{theirs.pk}/change/").status_code == 302  # as missing
    assert client.get(f"/admin/registry/taskrecord/{mine.pk}/change/").status_code == 200


def test_the_ministry_never_sees_nor_probes_an_api_token_or_a_password_hash(ministry, world):
    ministry.raise_request_exception = False
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["provider"])
    listing = ministry.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200 and token.key not in listing.content.decode()
    assert world.users["provider"].username in listing.content.decode()
    probes = [
        ("/admin/authtoken/tokenproxy/", {"key__startswith": token.key[:4]}),
        ("/admin/registry/user/", {"password__startswith": "pbkdf2_sha256"}),
        ("/admin/registry/user/", {"email__contains": "@"}),
        ("/admin/registry/auditentry/", {"before__icontains": "x"}),
    ]
    for url, query in probes:
        response = ministry.get(url, query)
        assert response.status_code == 400, (url, query)  # Django's DisallowedModelAdminLookup


def test_the_audit_logs_link_to_one_objects_entries_works(ministry, world):
    response = ministry.get(
        "/admin/registry/auditentry/", {"object_type": "registry.qualification", "object_id": str(world.national.pk)}
    )
    assert response.status_code == 200
