"""Learners, cohorts, enrolments and results in the back office: every save a service call (audited), refusals on
the form with nothing written, lists and choices scoped by the policy, personal data only on the owner's pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry

from credentials.models import Cohort, Enrolment, Learner, ModuleResult
from registry.models import AuditEntry
from tests import factories as f

from .conftest import snapshot, text

pytestmark = pytest.mark.django_db

LEARNER = {
    "given_name": "Đorđe",
    "family_name": "Čolić",
    "date_of_birth": "1994-11-02",
    "personal_number": "1100000999",
    "gender": "male",
    "email": "",
}


def test_the_provider_records_a_learner_through_the_service(world, provider_client):
    answer = provider_client.post("/admin/credentials/learner/add/", LEARNER)
    assert answer.status_code == 302
    learner = Learner.objects.get(personal_number="1100000999")
    assert learner.provider == world["provider"]
    entry = AuditEntry.objects.get(object_type="credentials.learner", object_id=str(learner.pk))
    assert entry.object_repr == f"learner {learner.pk}" and "1100000999" not in str(entry.after)
    assert not LogEntry.objects.exists()  # Django's own log would keep the name


@pytest.mark.parametrize(
    "change",
    [{"personal_number": "12345"}, {"date_of_birth": "1890-01-01"}, {"given_name": ""}],
)
def test_a_bad_learner_is_refused_on_the_form(world, provider_client, change):
    before = snapshot()
    answer = provider_client.post("/admin/credentials/learner/add/", {**LEARNER, **change})
    assert answer.status_code == 200 and "errornote" in text(answer)
    assert snapshot() == before


def test_a_repeated_personal_number_is_the_services_refusal(world, provider_client):
    taken = world["ok"].learner.personal_number
    before = snapshot()
    answer = provider_client.post("/admin/credentials/learner/add/", {**LEARNER, "personal_number": taken})
    assert answer.status_code == 200 and "already has a learner with this personal number" in text(answer)
    assert snapshot() == before


def test_a_learner_correction_is_audited_by_field_name(world, provider_client):
    learner = world["ok"].learner
    page = text(provider_client.get(f"/admin/credentials/learner/{learner.pk}/change/"))
    assert world["cohort"].code in page  # its enrolments, read-only
    data = {
        **LEARNER,
        "personal_number": learner.personal_number,
        "date_of_birth": "1995-04-13",
        "enrolments-TOTAL_FORMS": 1,
        "enrolments-INITIAL_FORMS": 1,
        "enrolments-0-id": world["ok"].pk,
        "enrolments-0-learner": learner.pk,
    }
    assert provider_client.post(f"/admin/credentials/learner/{learner.pk}/change/", data).status_code == 302
    learner.refresh_from_db()
    assert learner.family_name == "Čolić"
    entry = AuditEntry.objects.filter(object_type="credentials.learner", object_id=str(learner.pk)).latest("id")
    assert "1995-04-13" not in str(entry.after) and "Čolić" not in str(entry.after)


def test_learner_lists_are_scoped_and_hold_no_personal_numbers(world, provider_client, ministry_client):
    mine, theirs = world["ok"].learner, world["other_enrolment"].learner
    listing = text(provider_client.get("/admin/credentials/learner/"))
    assert mine.family_name in listing and theirs.family_name not in listing
    assert mine.personal_number not in listing and "1995" not in listing
    found = text(provider_client.get(f"/admin/credentials/learner/?q={theirs.personal_number}"))
    assert theirs.family_name not in found
    assert provider_client.get(f"/admin/credentials/learner/{theirs.pk}/change/").status_code == 302  # "no such"
    assert provider_client.get(f"/admin/credentials/learner/{theirs.pk}/history/").status_code == 302
    # Probing by a field the list does not filter on is refused.
    assert provider_client.get("/admin/credentials/learner/?personal_number__startswith=11").status_code == 400
    # The ministry reads every learner (and its personal data on its page), read-only.
    assert theirs.family_name in text(ministry_client.get("/admin/credentials/learner/"))
    page = ministry_client.get(f"/admin/credentials/learner/{theirs.pk}/change/")
    assert page.status_code == 200 and theirs.personal_number in text(page) and 'name="given_name"' not in text(page)
    before = snapshot()
    assert ministry_client.post(f"/admin/credentials/learner/{theirs.pk}/change/", LEARNER).status_code == 403
    assert ministry_client.post("/admin/credentials/learner/add/", LEARNER).status_code == 403
    assert snapshot() == before


def test_autocomplete_and_filters_offer_only_your_own_records(world, provider_client):
    theirs = world["other_enrolment"]
    answer = provider_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "credentials",
            "model_name": "enrolment",
            "field_name": "learner",
            "term": theirs.learner.family_name,
        },
    )
    assert answer.status_code == 200 and answer.json()["results"] == []
    listing = text(provider_client.get("/admin/credentials/enrolment/"))
    assert theirs.cohort.code not in listing and world["cohort"].code in listing


def test_a_cohort_is_created_and_moves_only_forward(world, provider_client):
    curriculum = world["cohort"].curriculum
    data = {
        "code": "SEN-8",
        "name": "Cohort 8",
        "curriculum": curriculum.pk,
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
        "delivery_mode": "hybrid",
        "mentors": "Drita Berisha\nArben Hoti\n",
    }
    assert provider_client.post("/admin/credentials/cohort/add/", data).status_code == 302
    cohort = Cohort.objects.get(code="SEN-8")
    assert cohort.provider == world["provider"] and cohort.mentors == ["Drita Berisha", "Arben Hoti"]
    finished = world["cohort"]  # finished: it never reopens
    before = snapshot()
    answer = provider_client.post(
        f"/admin/credentials/cohort/{finished.pk}/change/",
        {**data, "code": finished.code, "status": "running", "start_date": "2025-01-15", "end_date": "2026-05-31"},
    )
    assert answer.status_code == 200 and "errornote" in text(answer)
    finished.refresh_from_db()
    assert finished.status == "finished" and snapshot() == before


def test_an_enrolment_only_into_your_own_cohort(world, provider_client):
    learner = f.LearnerFactory(provider=world["provider"])
    open_cohort = f.CohortFactory(provider=world["provider"], curriculum=world["cohort"].curriculum, status="running")
    form = text(provider_client.get("/admin/credentials/enrolment/add/"))
    assert open_cohort.code in form and world["other_enrolment"].cohort.code not in form  # the choices are yours
    before = snapshot()
    foreign = provider_client.post(
        "/admin/credentials/enrolment/add/",
        {"learner": learner.pk, "cohort": world["other_enrolment"].cohort_id, "enrolled_on": "2026-01-10"},
    )
    assert foreign.status_code == 200 and "errornote" in text(foreign) and snapshot() == before
    ok = provider_client.post(
        "/admin/credentials/enrolment/add/",
        {"learner": learner.pk, "cohort": open_cohort.pk, "enrolled_on": "2026-01-10"},
    )
    assert ok.status_code == 302, re.findall(r"errorlist[^<]*<li>([^<]*)", text(ok))
    assert Enrolment.objects.filter(learner=learner, cohort=open_cohort).exists()
    enrolment = Enrolment.objects.get(learner=learner, cohort=open_cohort)
    withdrawn = provider_client.post(
        f"/admin/credentials/enrolment/{enrolment.pk}/change/",
        {"status": "withdrawn", "reason": "moved abroad", "results-TOTAL_FORMS": 0, "results-INITIAL_FORMS": 0},
    )
    assert withdrawn.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"


def test_a_result_correction_goes_through_the_service(world, provider_client, ministry_client):
    result = ModuleResult.objects.get(enrolment=world["failing"], module__code="M2")
    data = {"hours_theory": 0, "hours_practice": 600, "outcome": "pass", "assessed_on": "2026-05-21", "assessor": "A B"}
    before = snapshot()
    too_many = provider_client.post(
        f"/admin/credentials/moduleresult/{result.pk}/change/", {**data, "hours_practice": 601}
    )
    assert too_many.status_code == 200 and "errornote" in text(too_many) and snapshot() == before
    assert provider_client.post(f"/admin/credentials/moduleresult/{result.pk}/change/", data).status_code == 302
    result.refresh_from_db()
    assert result.outcome == "pass"
    listing = text(provider_client.get("/admin/credentials/moduleresult/?module_code=M2"))
    assert (
        world["failing"].learner.family_name in listing and world["other_enrolment"].learner.family_name not in listing
    )
    assert ministry_client.post(f"/admin/credentials/moduleresult/{result.pk}/change/", data).status_code == 403
